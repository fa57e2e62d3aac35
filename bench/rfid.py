"""RFID figures: 100,000 reads of 10,000 distinct tags (duplicates, strays from a
neighbouring roll, EPCs that are no Metrc tag, lower-case hex) read from a handheld app's
file into a count and reported; and an LLRP reader emulator in its own process at its full
rate, read by the station for a few seconds: the reads it sent against the reads the
station took (none may be left behind)."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import random
import subprocess
import sys
import tempfile
import threading
import time
import tty
from pathlib import Path

from textual.widgets import Input

from bench.stock import received_roll
from bench.table import Table, percentile
from devtools import read_runs
from station.db.connection import open_database
from station.db.models import Assignment
from station.devices.rfid.sources import Note, reads
from station.domain.reads import ReadSet
from station.domain.uid import make_uid
from station.folders import Folders
from station.services.context import Context
from station.services.rfid import counts
from station.services.tags import assignment, assignment_details

READS = 100_000
DISTINCT = 10_000
EXPECTED = 9_600
ROLL_PREFIX = "1A40603000329640"  # bench.stock's roll
LLRP_SECONDS = 5.0
SCANS = 200
STREAM_RATE = 1000


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


class _Stream:
    """A serial reader on a pseudo-terminal sending ``rate`` reads a second of ``epcs``
    until stopped (a pty, as a USB serial reader is a tty: pyserial reads what is waiting
    at once; its socket:// handler reads a byte a call)."""

    def __init__(self, epcs: list[str], rate: int) -> None:
        self.controller, self.device = os.openpty()
        tty.setraw(self.device)
        self.url = f"serial://{os.ttyname(self.device)}?baudrate=115200"
        self.epcs, self.rate, self.sent = epcs, rate, 0
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._send, daemon=True)
        self.thread.start()

    def _send(self) -> None:
        start = time.monotonic()
        rng = random.Random(2)
        while not self.stop.is_set():
            due = int((time.monotonic() - start) * self.rate)
            lines = [rng.choice(self.epcs) for _ in range(due - self.sent)]
            if lines:
                os.write(self.controller, "".join(f"{epc}\r\n" for epc in lines).encode())
                self.sent += len(lines)
            time.sleep(0.005)

    def close(self) -> None:
        self.stop.set()
        self.thread.join(10)
        os.close(self.controller)
        os.close(self.device)


async def _count_screen(url: str, table: Table, folders: Folders) -> None:
    """The Count screen reading a 1,000-reads-a-second reader while tags are scanned: the
    time from a scan's keys to the tag leaving the missing list."""
    from textual import events

    from devtools.ui_wait import settle
    from station.settings import load
    from station.ui.app import StationApp
    from station.ui.screens.count import CountScreen

    room = [make_uid(ROLL_PREFIX, n) for n in range(1, EXPECTED + 1)]
    scanned, streamed = room[:SCANS], room[SCANS:]
    stream = _Stream(streamed, STREAM_RATE)
    settings = load({"STATION_RFID": stream.url})
    app = StationApp(Context(open_database(url), folders=folders, settings=settings))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("ctrl+o")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, CountScreen)
        screen.query_one("#count-room", Input).value = "Vault B"
        await pilot.press("f10")
        while screen.live is None:  # noqa: ASYNC110 - polling is the measurement
            await asyncio.sleep(0.01)
        await pilot.press("ctrl+l")
        while screen.reads < STREAM_RATE:  # the stream is flowing  # noqa: ASYNC110
            await asyncio.sleep(0.01)
        driver = app._driver
        assert driver is not None
        samples = []
        reads_before = screen.reads
        began = time.perf_counter()
        for uid in scanned:
            start = time.perf_counter()
            for char in uid:
                driver.send_message(events.Key(char, char))
            driver.send_message(events.Key("enter", "\r"))
            while uid not in screen.seen:  # noqa: ASYNC110 - as above
                await asyncio.sleep(0.001)
            samples.append((time.perf_counter() - start) * 1000)
        took = time.perf_counter() - began
        taken = (screen.reads - reads_before - len(scanned)) / took
        await pilot.press("ctrl+l")
    stream.close()
    table.add(
        f"Count screen, scan to feedback p50 / p99 ({SCANS} scans) while a reader sends "
        f"{STREAM_RATE:,} reads/s",
        f"{percentile(samples, 0.5):.1f} / {percentile(samples, 0.99):.1f} ms "
        f"(reads taken meanwhile: {taken:,.0f}/s)",
        "p99 <= 50 ms",
    )


def run() -> Table:
    table = Table("RFID: counts from a file and from an LLRP reader")
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'rfid.db'}"
        # One station's folders for both (they hold the key the audit chain is signed with).
        folders = Folders(Path(folder) / "data", Path(folder) / "config", Path(folder) / "cache")
        ctx = Context(open_database(url), operator="bench", folders=folders)
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
        # The same room under another name for the screen (the file's count is open).
        Assignment.update(location="Vault B").execute()
        asyncio.run(_count_screen(url, table, folders))
    sent, taken, rate = _from_llrp(2_000, 100_000.0)
    table.add(
        f"LLRP emulator at its full rate for {LLRP_SECONDS:g} s: reads sent / taken",
        f"{sent:,} / {taken:,} ({rate:,.0f} reads/s)",
        "none left behind",
    )
    return table
