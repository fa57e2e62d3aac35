"""Print-job figures: a 1,000-label job to a fake Zebra over TCP (host time and bytes per
label) and a 500-label job to a fake serial Zebra held to 9600 baud (labels per second).
The fake printers run in their own processes so they do not share this one's CPU."""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.stock import received_roll
from bench.table import Table
from station.db.connection import open_database
from station.services import printing
from station.services.context import Context
from station.services.printing import JobRunner, printer_setup


def _fake(*args: str) -> tuple[subprocess.Popen[str], str]:
    process = subprocess.Popen(
        [sys.executable, "-m", "devtools.serve_fake", *args],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    return process, process.stdout.readline().strip()


def _stop(process: subprocess.Popen[str]) -> tuple[int, int]:
    """Labels the fake printed and bytes it received."""
    out, _ = process.communicate(timeout=60)
    printed, received = out.split()
    return int(printed), int(received)


def _job(ctx: Context, uids: list[str], printer: str) -> tuple[float, float]:
    """Wall and CPU seconds to run a job of ``uids`` (creating it is not timed)."""
    job = printing.create_job(ctx, uids, printer)
    wall, cpu = time.perf_counter(), time.process_time()
    outcome = JobRunner(ctx, job.id).run()
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    assert outcome.state == "done", outcome
    return wall, cpu


def run() -> Table:
    table = Table("print jobs: fake Zebra printers in separate processes")
    with tempfile.TemporaryDirectory() as folder:
        ctx = Context(open_database(f"sqlite:///{Path(folder) / 'jobs.db'}"), operator="bench")
        uids = list(received_roll(ctx, 1500))

        tcp, url = _fake("tcp")
        printer_setup.add_printer(ctx, "shelf", "zpl", url)
        wall, cpu = _job(ctx, uids[:1000], "shelf")
        printed, received = _stop(tcp)
        table.add("1,000-label job over TCP: wall time", f"{wall:.2f} s ({printed} printed)")
        wall_ms, cpu_ms = wall, cpu  # seconds for 1,000 labels = milliseconds per label
        table.add("host time per label (station CPU)", f"{cpu_ms:.3f} ms", "<= 1 ms")
        table.add("host wall time per label", f"{wall_ms:.3f} ms")
        table.add("bytes per label on the wire", f"{received / 1000:.1f} (format, ~HS included)")

        serial, url = _fake("serial", "9600")
        printer_setup.add_printer(ctx, "bench", "zpl", url)
        wall, _ = _job(ctx, uids[1000:1500], "bench")
        printed, _ = _stop(serial)
        table.add(
            "500-label job, serial at 9600 baud: labels/s",
            f"{500 / wall:.1f} ({printed} printed, {wall:.1f} s)",
            ">= 15",
        )
    return table
