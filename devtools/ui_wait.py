"""Waiting for the terminal UI to finish what a key press started: its workers (service calls
run in threads) and the screen updates after them."""

from __future__ import annotations

import contextlib

from textual.pilot import Pilot
from textual.widgets import DataTable
from textual.worker import WorkerCancelled

# Groups of workers that run for as long as their screen or the app does.
LONG_LIVED = ("scans", "serial-scanner", "_loader", "checkpoints")
# Pauses to wait, at the most, for tables to measure rows added by a worker's result.
_MOST_PAUSES = 200


async def settle(pilot: Pilot[None]) -> None:
    """Wait for every worker (service calls run in threads) and the screen updates after."""
    # Keys the app holds back while it tells a scan from typing go on once the scan gap has
    # passed with no key after them.
    for _ in range(_MOST_PAUSES * 5):
        if not getattr(pilot.app, "keys_held", 0):
            break
        await pilot.pause(0.01)
    else:
        raise AssertionError("the app still holds keys back, long after the scan gap")
    for _ in range(3):
        # Long-lived workers (the receive screen's scan recorder, the serial scanner's
        # reader, a folder tree's loader) never complete.
        workers = [w for w in pilot.app.workers if w.group not in LONG_LIVED]
        for worker in workers:
            # An exclusive worker cancelled by its successor (a refresh asked again) is
            # finished too: wait for the others, not for it to succeed.
            with contextlib.suppress(WorkerCancelled):
                await worker.wait()
        await pilot.pause()
    # A DataTable sizes its columns for new rows when its message queue next runs dry; a
    # cell drawn before that stays cached at its heading's width (Textual 8.2's cell cache
    # is not keyed by width), which a real terminal soon redraws but a screenshot keeps. So
    # wait for the sizing, then drop what was drawn before it: what is captured is then the
    # table as it settles, however fast the rows arrived.
    tables = list(pilot.app.screen.query(DataTable))
    for _ in range(_MOST_PAUSES):
        if not any(table._require_update_dimensions for table in tables):
            break
        await pilot.pause()
    for table in tables:
        table._clear_caches()
        table.refresh()
    await pilot.pause()
