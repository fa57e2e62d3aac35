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

from peewee import fn

from bench import floor
from bench import printing as printing_bench
from bench.table import Table
from printers import catalog
from printers.render import zpl
from station.cli.main import run as run_cli
from station.db.connection import open_database
from station.db.models import Tag
from station.db.rows import tuples
from station.domain.states import TagType
from station.domain.uid import UidRange, make_uid
from station.metrc import client as metrc_client
from station.services import home
from station.services.context import Context
from station.services.tags import facilities, orders, receipt
from station.services.tags.facilities import FacilityView

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
    least = min(times["import click, peewee"])
    table.add(
        "start-up: python -c 'import click, peewee', median (best)",
        f"{base * 1000:.0f} ms ({least * 1000:.0f} ms)",
    )
    for name in list(commands)[1:]:
        median = statistics.median(times[name])
        target = "<= 1.5x" if name == "station --help" else "<= 1.3x"
        table.add(
            f"start-up: {name} ({median * 1000:.0f} ms), median (best of {STARTS})",
            f"{_ratio(median, base)} ({_ratio(min(times[name]), least)})",
            target,
        )


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
    facilities.add_facility(ctx, LICENSE, "Bench Farms")
    facility = FacilityView.of(facilities.get_facility(ctx, LICENSE))
    for index in range(BACKGROUND_ORDERS):
        rng = UidRange.counted(make_uid(f"1A40603000{index:04d}00", 1), ORDER_SIZE)
        draft = orders.OrderDraft(
            facility, TagType.PACKAGE, dt.date(2026, 11, 20), None, [rng.run()]
        )
        orders.add_order(ctx, draft)
        if index % 2:
            receipt.receive_range(ctx, rng.first_uid, rng.last_uid)
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


def _home(table: Table, url: str) -> None:
    """What the first screen reads at every refresh, on the file the core steps left (1.1
    million tags), beside a full count of the tags as it used to make."""
    ctx = Context(open_database(url), operator="bench")
    runs = []
    for _ in range(5):
        start = time.perf_counter()
        home.home(ctx)
        runs.append(time.perf_counter() - start)
    counted = Tag.select(Tag.order, Tag.status, fn.COUNT(Tag.id)).group_by(Tag.order, Tag.status)
    start = time.perf_counter()
    list(tuples(counted))
    full = time.perf_counter() - start
    ctx.db.close()
    table.add(
        f"home screen data, 1,100,000 tags (a full count alone: {full:.2f} s)",
        f"{statistics.median(runs):.3f} s",
        "<= 0.3 s",
    )


def _zpl(table: Table) -> None:
    """20,000 labels each way, five rounds interleaved (the machine's moods hit all three
    alike), the median of each; every generator warmed up first (imports are not rates)."""
    template = catalog.get("uid-3x1-203")
    labels = printing_bench.sample_labels(20_000)
    ways: dict[str, Callable[[], object]] = {
        "peer": lambda: [printing_bench.zpl_package(x) for x in labels],
        "full": lambda: [zpl.render_label(template, x) for x in labels],
        "stored": lambda: zpl.render_batch(template, labels),
    }
    printing_bench.zpl_package(labels[0])
    zpl.render_label(template, labels[0])
    rates: dict[str, list[float]] = {way: [] for way in ways}
    for _ in range(5):
        for way, work in ways.items():
            rates[way].append(_rate(len(labels), work))
    peer, full, stored = (statistics.median(rates[way]) for way in ways)
    table.add(
        f"ZPL full labels {full:,.0f}/s vs PyPI zpl {peer:,.0f}/s", _ratio(full, peer), ">= 1x"
    )
    table.add(
        f"ZPL stored-format recalls {stored:,.0f}/s vs PyPI zpl", _ratio(stored, peer), ">= 5x"
    )


def _rate(count: int, work: Callable[[], object]) -> float:
    start = time.perf_counter()
    work()
    return count / (time.perf_counter() - start)


def _metrc(table: Table, folder: Path) -> None:
    """500 objects whose answer was lost (a push cut off after Metrc applied it), looked up
    by the next push from a fake Metrc that takes 50 ms a request; the same one at a time,
    as before, for comparison."""
    from devtools.fakes.metrc import FakeMetrc

    vendor, user = "bench-vendor-key", "bench-user-key"
    seconds = {}
    for way, at_once in (("concurrent", metrc_client.CONCURRENT), ("one at a time", 1)):
        with FakeMetrc(vendor, user, (LICENSE,)) as fake:
            os.environ |= {"METRC_URL": fake.url, "METRC_VENDOR_KEY": vendor}
            os.environ["METRC_USER_KEY"] = user
            url = f"sqlite:///{folder / f'metrc-{at_once}.db'}"
            tags = UidRange.counted(make_uid("1A4060300ABC0000", 1), 600)
            fake.available[(LICENSE, "package")] = list(tags)
            for argv in (
                ["facility", "add", LICENSE, "Bench Farms"],
                ["order", "add", "--license", LICENSE, "--type", "package",
                 "--first", tags.first_uid, "--count", "600", "--order-date", "2026-11-20"],
                ["receive", tags.first_uid, tags.last_uid],
                ["assign", "package", "--count", "600", "--item", "Flower", "--quantity", "1",
                 "--unit", "Grams"],
            ):  # fmt: skip
                _cli(["--db", url, *argv])
            fake.drop_post = 1  # Metrc applies the first call of 500; its answer is lost
            with (
                contextlib.redirect_stdout(io.StringIO()),
                contextlib.redirect_stderr(io.StringIO()),
            ):
                run_cli(["--db", url, "metrc", "push"])
            fake.drop_post, fake.delay = None, 0.05
            saved = metrc_client.CONCURRENT
            metrc_client.CONCURRENT = at_once
            try:
                seconds[way] = _cli(["--db", url, "metrc", "push"])
            finally:
                metrc_client.CONCURRENT = saved
            if fake.most_in_flight > at_once:
                raise SystemExit(f"bench: {fake.most_in_flight} requests at once, not {at_once}")
    floor = 500 / metrc_client.GETS_PER_SECOND
    table.add(
        f"metrc push after a lost answer: 500 look-ups at 50 ms (one at a time "
        f"{seconds['one at a time']:.1f} s; Metrc's 50 GET/s allow no less than {floor:.0f} s)",
        f"{seconds['concurrent']:.1f} s",
        "<= 5 s",
    )


def run() -> Table:
    table = Table("speed where people wait: ratios (issue 14)")
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        _startup(table, folder)
        _core(table, folder)
        _home(table, f"sqlite:///{folder / 'core.db'}")
        _zpl(table)
        _metrc(table, folder)
    return table
