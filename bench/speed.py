"""Speed where people wait (issue 14), each figure as a ratio beside its target: command
start-up against ``import click, peewee``; the core steps through the command line against
plain sqlite3 doing the same row work (``bench/floor.py``); the home screen's counts on
1,000,000 tags; full ZPL labels against the PyPI ``zpl`` package; Metrc look-ups after a
lost answer against a Metrc that takes 50 ms a request."""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from bench import floor
from bench.table import Table
from station.cli.main import run as run_cli
from station.db.connection import open_database
from station.domain.states import TagType
from station.domain.uid import UidRange, make_uid
from station.services import facilities, orders, receiving
from station.services.context import Context

LICENSE = "C11-0000001-LIC"
BACKGROUND_ORDERS = 9
ORDER_SIZE = 100_000
ASSIGNED = 10_000
STARTS = 21  # start-up runs of each command, interleaved; the median counts
REPEATS = 3  # runs of each core step and of its floor


def _ratio(value: float, floor_value: float) -> str:
    return f"{value / floor_value:.2f}x"


def _startup(table: Table, folder: Path) -> None:
    """Whole processes, interleaved so a busy moment hits every command alike. Byte code is
    cached (in a folder of its own) as on an installed station, for the baseline too."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env |= {
        "PYTHONPYCACHEPREFIX": str(folder / "pycache"),
        "STATION_DB": f"sqlite:///{folder / 'startup.db'}",
        "STATION_DATA": str(folder / "data"),
    }
    python = sys.executable
    commands = {
        "import click, peewee": [python, "-c", "import click, peewee"],
        "station facility list": [python, "-m", "station", "facility", "list"],
        "station tags": [python, "-m", "station", "tags"],
        "station --help": [python, "-m", "station", "--help"],
    }
    subprocess.run(
        [python, "-m", "station", "facility", "add", LICENSE, "Bench Farms"], env=env, check=True
    )
    times: dict[str, list[float]] = {name: [] for name in commands}
    for attempt in range(STARTS + 1):
        for name, argv in commands.items():
            start = time.perf_counter()
            subprocess.run(argv, env=env, check=True, capture_output=True)
            if attempt:  # the first round writes the byte code
                times[name].append(time.perf_counter() - start)
    base = statistics.median(times["import click, peewee"])
    table.add("start-up: python -c 'import click, peewee'", f"{base * 1000:.0f} ms")
    for name in list(commands)[1:]:
        median = statistics.median(times[name])
        target = "<= 1.3x" if name == "station facility list" else ""
        table.add(f"start-up: {name} ({median * 1000:.0f} ms)", _ratio(median, base), target)


def _cli(argv: list[str]) -> float:
    """Seconds for one command line run in this process (no interpreter start or imports),
    its output thrown away."""
    start = time.perf_counter()
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        status = run_cli(argv)
    seconds = time.perf_counter() - start
    if status != 0:
        raise SystemExit(f"bench: station {' '.join(argv)} exited {status}")
    return seconds


def _fill(url: str) -> None:
    ctx = Context(open_database(url), operator="bench")
    facility = facilities.add_facility(ctx, LICENSE, "Bench Farms")
    for index in range(BACKGROUND_ORDERS):
        rng = UidRange.counted(make_uid(f"1A40603000{index:04d}00", 1), ORDER_SIZE)
        draft = orders.OrderDraft(
            facility, TagType.PACKAGE, dt.date(2026, 11, 20), None, [rng.run()]
        )
        orders.add_order(ctx, draft)
        if index % 2:
            receiving.receive_range(ctx, rng.first_uid, rng.last_uid)
    ctx.db.close()


def _core(table: Table, folder: Path) -> None:
    database = folder / "core.db"
    url = f"sqlite:///{database}"
    os.environ["STATION_BACKUPS"] = "0"  # the steps, not the day's first backup
    _fill(url)
    start_up = statistics.median(_cli(["--db", url, "facility", "list"]) for _ in range(5))
    rng = UidRange.counted(make_uid("1A4060300FFFF000", 1), ORDER_SIZE)
    steps: list[tuple[str, list[str], Callable[[], Callable[..., None]], str]] = [
        (
            f"record a {ORDER_SIZE:,}-tag order",
            ["order", "add", "--license", LICENSE, "--type", "package",
             "--first", rng.first_uid, "--count", str(ORDER_SIZE), "--order-date", "2026-11-20"],
            lambda: floor.order(rng, 1),
            "<= 3x",
        ),
        (
            f"receive the {ORDER_SIZE:,}-tag order",
            ["receive", rng.first_uid, rng.last_uid],
            lambda: floor.receipt(rng),
            "<= 3x",
        ),
        (
            f"batch-assign {ASSIGNED:,} tags",
            ["assign", "package", "--count", str(ASSIGNED), "--item", "Flower",
             "--quantity", "1", "--unit", "Grams"],
            lambda: floor.assignment(1, ASSIGNED),
            "<= 3x",
        ),
    ]  # fmt: skip
    for title, argv, work, target in steps:
        # Each figure is the median of REPEATS runs, each on its own copy of the file as it
        # was before the step; the last CLI run is on the file itself, for the next step.
        before = floor.copy_of(database, folder, "before.db")
        floor_runs, cli_runs = [], []
        for repeat in range(REPEATS):
            floor_runs.append(floor.timed(floor.copy_of(before, folder, "floor.db"), work()))
            last = repeat == REPEATS - 1
            target_db = database if last else floor.copy_of(before, folder, "cli.db")
            cli_runs.append(_cli(["--db", f"sqlite:///{target_db}", *argv]) - start_up)
        floor_s, step_s = statistics.median(floor_runs), statistics.median(cli_runs)
        table.add(
            f"{title}: CLI less start-up {step_s:.3f} s, floor {floor_s:.3f} s",
            _ratio(step_s, floor_s),
            target,
        )


def run() -> Table:
    table = Table("speed where people wait: ratios (issue 14)")
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        _startup(table, folder)
        _core(table, folder)
    return table
