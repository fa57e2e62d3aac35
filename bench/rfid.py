"""RFID figures: 100,000 reads of 10,000 distinct tags (duplicates, strays from a
neighbouring roll, EPCs that are no Metrc tag, lower-case hex) read from a handheld app's
file into a count and reported; and an LLRP reader emulator in its own process at its full
rate, read by the station for a few seconds: the reads it sent against the reads the
station took (none may be left behind)."""

from __future__ import annotations

import datetime as dt
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.stock import received_roll
from bench.table import Table
from devtools import read_runs
from station.db.connection import open_database
from station.devices.rfid.sources import Note, reads
from station.domain.reads import ReadSet
from station.domain.uid import make_uid
from station.services.context import Context
from station.services.rfid import counts
from station.services.tags import assignment, assignment_details

READS = 100_000
DISTINCT = 10_000
EXPECTED = 9_600
ROLL_PREFIX = "1A40603000329640"  # bench.stock's roll
LLRP_SECONDS = 5.0


def _room(ctx: Context) -> None:
    """A roll of 10,000 received tags, 9,600 of them in use in Vault A."""
    received_roll(ctx, 10_000)
    details = assignment_details.package_details(
        dt.date(2026, 11, 27), "Gummies", "1", "Each", location="Vault A"
    )
    assignment.assign_next(ctx, details, EXPECTED)


def _the_file(folder: Path) -> Path:
    """9,200 of the room's tags, 300 of the roll's others, 400 of a neighbouring roll on no
    order and 100 no Metrc tag: 10,000 distinct EPCs in 100,000 reads."""
    rng = random.Random(1)
    room = [make_uid(ROLL_PREFIX, n) for n in range(1, EXPECTED + 1)]
    present = rng.sample(room, 9_200)
    present += [make_uid(ROLL_PREFIX, n) for n in range(EXPECTED + 1, EXPECTED + 301)]
    present += read_runs.neighbours("1A40603000329699", 1, 400)
    present += read_runs.not_metrc(rng, 100)
    assert len(set(present)) == DISTINCT
    path = folder / "reads.csv"
    path.write_text(read_runs.as_csv(read_runs.run(1, present, READS, lower_case=0.2)))
    return path


def _from_file(ctx: Context, path: Path) -> tuple[float, float, float, counts.CountReport]:
    count = counts.start(ctx, room="Vault A")
    start = time.perf_counter()
    found = ReadSet()
    for event in reads(str(path)):
        if not isinstance(event, Note):
            found.add(event)
    read_at = time.perf_counter()
    counts.add_reads(ctx, count.id, found, str(path))
    stored_at = time.perf_counter()
    report = counts.report(ctx, count.id)
    done = time.perf_counter()
    assert found.reads == READS and len(found.by_epc) == DISTINCT, found.reads
    return read_at - start, stored_at - read_at, done - stored_at, report


def _from_llrp(tags: int, rate: float) -> tuple[int, int, float]:
    """The emulator at ``rate`` (past what it can send: its full rate) for
    :data:`LLRP_SECONDS`; reads it sent, reads the station took, and the station's rate."""
    emulator = subprocess.Popen(
        [sys.executable, "-m", "devtools.llrp_reader", str(tags), str(rate)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert emulator.stdout is not None and emulator.stdin is not None
    url = emulator.stdout.readline().strip()
    taken = 0
    start = time.perf_counter()
    for event in reads(url, LLRP_SECONDS):
        if not isinstance(event, Note):
            taken += 1
    elapsed = time.perf_counter() - start
    emulator.stdin.close()
    sent = int(emulator.stdout.readline().strip() or 0)
    emulator.wait(30)
    return sent, taken, taken / elapsed


def run() -> Table:
    table = Table("RFID: counts from a file and from an LLRP reader")
    with tempfile.TemporaryDirectory() as folder:
        ctx = Context(open_database(f"sqlite:///{Path(folder) / 'rfid.db'}"), operator="bench")
        _room(ctx)
        path = _the_file(Path(folder))
        reading, storing, reporting, report = _from_file(ctx, path)
        table.add(
            f"{READS:,} reads of {DISTINCT:,} tags from a CSV file, read, counted and reported",
            f"{reading + storing + reporting:.2f} s",
            "< 2 s",
        )
        table.add("... reading and deduplicating", f"{reading:.2f} s")
        table.add("... into the count (one row per EPC)", f"{storing:.2f} s")
        table.add("... the report (sorted against the records)", f"{reporting:.2f} s")
        c = report.counts()
        table.add(
            "... the report's counts",
            f"expected {c['expected']:,}, seen {c['seen']:,}, missing {c['missing']:,}, "
            f"strays {c['strays']:,}, wrong room {c['wrong_room']:,}",
            "9,600 / 9,200 / 400 / 800 / 0",
        )
    sent, taken, rate = _from_llrp(2_000, 100_000.0)
    table.add(
        f"LLRP emulator at its full rate for {LLRP_SECONDS:g} s: reads sent / taken",
        f"{sent:,} / {taken:,} ({rate:,.0f} reads/s)",
        "none left behind",
    )
    return table
