"""Terminal UI figures on a 1,000,000-tag SQLite file: start-up to the first screen,
scan-to-feedback latency, and a page change in the tags browser (headless Textual)."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.table import Table, percentile
from station.db.connection import open_database
from station.domain.states import TagType
from station.domain.uid import UidRange, make_uid
from station.folders import Folders
from station.services.context import Context
from station.services.tags import facilities, orders, receipt
from station.services.tags.facilities import FacilityView

ORDERS = 10
ORDER_SIZE = 100_000
SCANS = 200

# Times from the moment the parent launched the process (wall clock, passed in), so what
# happens after the measurement (the day's first backup finishing in its worker before the
# process may exit) does not count as start-up.
STARTUP = """
import asyncio, sys, time
start = float(sys.argv[2])
from station.db.connection import open_database
from station.services.context import Context
from station.ui.app import StationApp
from textual.widgets import DataTable

async def main() -> None:
    app = StationApp(Context(open_database(sys.argv[1])))
    async with app.run_test(size=(140, 40)) as pilot:
        shown = time.time() - start  # the first screen is mounted and drawn
        table = app.screen.query_one("#counts", DataTable)
        while table.row_count == 0:
            await pilot.pause(0.01)
        print(shown, time.time() - start)

asyncio.run(main())
"""


def _fill(url: str) -> None:
    ctx = Context(open_database(url), operator="bench")
    facilities.add_facility(ctx, "C11-0000001-LIC", "Bench Farms")
    facility = FacilityView.of(facilities.get_facility(ctx, "C11-0000001-LIC"))
    for index in range(ORDERS):
        rng = UidRange.counted(make_uid(f"1A40603000{index:04d}00", 1), ORDER_SIZE)
        orders.add_order(
            ctx,
            orders.OrderDraft(facility, TagType.PACKAGE, dt.date(2026, 11, 20), None, [rng.run()]),
        )
        if index < ORDERS - 1:
            receipt.receive_range(ctx, rng.first_uid, rng.last_uid)


async def _interactive(url: str, table: Table, folder: Path) -> None:
    from textual import events
    from textual.widgets import DataTable, Log

    from devtools.ui_wait import settle
    from station.ui.app import StationApp
    from station.ui.screens.tags import TagsScreen

    # The day's backup was written by the first start-up run (into the bench's folders).
    folders = Folders(folder / "data", folder / "config", folder / "cache")
    app = StationApp(Context(open_database(url), folders=folders))
    async with app.run_test(size=(140, 40)) as pilot:
        await pilot.press("f2", "f10")  # receive every tag
        log = app.screen.query_one("#log", Log)
        prefix = f"1A40603000{ORDERS - 1:04d}00"
        driver = app._driver
        assert driver is not None
        # The scan recognition's own cost: time inside the app's key hook for the keys of
        # one scan (holding them, telling the scan from typing, handing it to the screen).
        hook = app._key
        in_hook: list[float] = []

        async def timed_hook(key: events.Key) -> None:
            entered = time.perf_counter()
            await hook(key)
            in_hook[-1] += time.perf_counter() - entered

        app._key = timed_hook  # type: ignore[method-assign]
        samples = []
        for serial in range(1, SCANS + 1):
            before = len(log.lines)
            in_hook.append(0.0)
            start = time.perf_counter()
            # The keys of one scan, queued at once as a keyboard-wedge scanner sends them.
            for char in make_uid(prefix, serial):
                driver.send_message(events.Key(char, char))
            driver.send_message(events.Key("enter", "\r"))
            while len(log.lines) == before:  # noqa: ASYNC110 - polling is the measurement
                await asyncio.sleep(0.001)
            samples.append((time.perf_counter() - start) * 1000)
        table.add(
            f"scan to feedback p50 / p99 ({SCANS} scans, each recorded)",
            f"{percentile(samples, 0.5):.1f} / {percentile(samples, 0.99):.1f} ms",
            "p99 <= 50 ms",
        )
        costs = [seconds * 1000 for seconds in in_hook]
        table.add(
            "scan recognition in the app's key hook, per scan p50 / p99",
            f"{percentile(costs, 0.5):.2f} / {percentile(costs, 0.99):.2f} ms",
            "part of the above",
        )

        await pilot.press("f5")
        await settle(pilot)
        tags = app.screen.query_one("#tags", DataTable)
        pages = []
        screen = app.screen
        assert isinstance(screen, TagsScreen)
        for _ in range(10):
            first = str(tags.get_row_at(0)[0])
            start = time.perf_counter()
            screen.action_next_page()  # what Ctrl+N runs, without the test pilot's delays
            while str(tags.get_row_at(0)[0]) == first:  # noqa: ASYNC110 - as above
                await asyncio.sleep(0.001)
            pages.append((time.perf_counter() - start) * 1000)
        table.add(
            "tags browser page change (100 rows), median of 10",
            f"{percentile(pages, 0.5):.1f} ms",
            "<= 100 ms",
        )


def run() -> Table:
    table = Table("terminal UI: headless Textual, SQLite file with 1,000,000 tags")
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'ui.db'}"
        started = time.perf_counter()
        _fill(url)
        table.add("fill: 1,000,000 tags (untimed target)", f"{time.perf_counter() - started:.1f} s")
        # Byte code cached (in a folder of its own) as on an installed station; a first run
        # writes it, and the day's backup, then three runs are timed.
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        env["PYTHONPYCACHEPREFIX"] = str(Path(folder) / "pycache")
        # The station's own folders (the backup among them) in the bench's, not the user's.
        for name in ("DATA", "CONFIG", "CACHE"):
            env[f"XDG_{name}_HOME"] = str(Path(folder) / name.lower())
        runs = []
        for _ in range(4):
            result = subprocess.run(
                [sys.executable, "-c", STARTUP, url, repr(time.time())],
                capture_output=True,
                text=True,
                check=True,
                env=env,
            )
            runs.append(tuple(float(x) for x in result.stdout.split()))
        shown, counted = (statistics.median(run[i] for run in runs[1:]) for i in (0, 1))
        table.add("start-up to first screen (new process)", f"{shown:.2f} s", "<= 1.5 s")
        table.add("... and the dashboard's counts filled in", f"{counted:.2f} s")
        asyncio.run(_interactive(url, table, Path(folder)))
    return table
