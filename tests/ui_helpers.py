"""Driving the terminal UI in tests like a keyboard-wedge scanner does: every key of a scan
plus Enter queued at once (the way scans merge in a real terminal), then one pause."""

from __future__ import annotations

from textual import events
from textual.pilot import Pilot


async def scan(pilot: Pilot[None], *codes: str) -> None:
    driver = pilot.app._driver
    assert driver is not None
    for code in codes:
        for char in code:
            driver.send_message(events.Key(char, char))
        driver.send_message(events.Key("enter", "\r"))
    await pilot.pause()


async def settle(pilot: Pilot[None]) -> None:
    """Wait for every worker (service calls run in threads) and the screen updates after."""
    for _ in range(3):
        # The receive screen's scan recorder runs for as long as the screen does.
        # Long-lived workers (the scan recorder, a folder tree's loader) never complete.
        workers = [w for w in pilot.app.workers if w.group not in ("scans", "_loader")]
        if workers:  # an empty list would mean "all of them"
            await pilot.app.workers.wait_for_complete(workers)
        await pilot.pause()
