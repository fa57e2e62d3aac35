"""Driving the terminal UI in tests like a keyboard-wedge scanner does: every key of a scan
plus Enter queued at once (the way scans merge in a real terminal), then one pause."""

from __future__ import annotations

from textual import events
from textual.pilot import Pilot

from devtools.ui_wait import settle

__all__ = ["scan", "settle"]


async def scan(pilot: Pilot[None], *codes: str) -> None:
    driver = pilot.app._driver
    assert driver is not None
    for code in codes:
        for char in code:
            driver.send_message(events.Key(char, char))
        driver.send_message(events.Key("enter", "\r"))
    await pilot.pause()
