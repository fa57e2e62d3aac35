"""Waiting for the terminal UI to finish what a key press started: its workers (service calls
run in threads) and the screen updates after them."""

from __future__ import annotations

from textual.pilot import Pilot


async def settle(pilot: Pilot[None]) -> None:
    """Wait for every worker (service calls run in threads) and the screen updates after."""
    for _ in range(3):
        # The receive screen's scan recorder runs for as long as the screen does.
        # Long-lived workers (the scan recorder, a folder tree's loader) never complete.
        workers = [w for w in pilot.app.workers if w.group not in ("scans", "_loader")]
        if workers:  # an empty list would mean "all of them"
            await pilot.app.workers.wait_for_complete(workers)
        await pilot.pause()
