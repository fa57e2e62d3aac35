"""Records figures on an SQLite file holding 1,000,000 tags: a backup's time and size (the
whole ``station backup`` command), and ``station stock`` and ``station due``, their service
calls (the target) and their whole commands (start-up included)."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

from bench.core import _order
from bench.table import Table, timed_call
from station.db.connection import open_database
from station.services.context import Context
from station.services.tags import deadlines, facilities, receipt, stock
from station.services.tags.assignment import assign_next
from station.services.tags.assignment_details import PackageDetails
from station.services.tags.facilities import FacilityView

ORDERS = 10  # of 100,000 tags each
RECEIVED = 6
BATCHES = 10  # of 5,000 tags each, used in the last 30 days


def _command(args: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "station", *args], env=env, check=False,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    return time.perf_counter() - start


def run() -> Table:
    table = Table("records: SQLite file, 1,000,000 tags")
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        path = folder / "records.db"
        ctx = Context(open_database(f"sqlite:///{path}"), operator="bench")
        facilities.add_facility(ctx, "C11-0000001-LIC", "Bench Farms")
        facility = FacilityView.of(facilities.get_facility(ctx, "C11-0000001-LIC"))
        start = time.perf_counter()
        for index in range(ORDERS):
            rng = _order(ctx, facility, f"1A40603000{index:04d}00")
            if index < RECEIVED:
                receipt.receive_range(ctx, rng.first_uid, rng.last_uid, progress=False)
        details = PackageDetails("Flower", Decimal(1), "Grams", None, dt.date(2026, 11, 25))
        for _ in range(BATCHES):
            assign_next(ctx, details, 5_000)
        table.add("fill: 1,000,000 tags (untimed)", f"{time.perf_counter() - start:.1f} s")

        _, stock_s = timed_call(lambda: stock.stock(ctx))
        table.add("stock forecast (service call)", f"{stock_s * 1000:.1f} ms", "<= 0.3 s")
        _, due_s = timed_call(lambda: deadlines.due(ctx))
        table.add("deadlines due (service call)", f"{due_s * 1000:.1f} ms", "<= 0.3 s")
        ctx.db.close()

        env = {
            **os.environ,
            "STATION_DB": f"sqlite:///{path}",
            "STATION_BACKUPS": "0",  # the commands alone, not the day's backup
            "XDG_DATA_HOME": str(folder / "data"),
        }
        table.add("station stock, whole command", f"{_command(['stock'], env):.2f} s")
        table.add("station due, whole command", f"{_command(['due'], env):.2f} s")
        target = folder / "backup.sqlite"
        seconds = _command(["backup", str(target)], env)
        size = target.stat().st_size / 1e6 if target.exists() else float("nan")
        table.add("station backup (copy and check), whole command", f"{seconds:.2f} s")
        table.add(
            "... the backup's size", f"{size:.0f} MB (database {path.stat().st_size / 1e6:.0f} MB)"
        )
    return table
