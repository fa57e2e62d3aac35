"""Driving the terminal UI in tests like a keyboard-wedge scanner does: every key of a scan
plus Enter queued at once (the way scans merge in a real terminal), then one pause."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

from textual import events
from textual.keys import _character_to_key
from textual.pilot import Pilot
from textual.widgets import Input

from devtools.ui_wait import settle

__all__ = ["assign_batch", "burst", "scan", "settle", "type_by_hand", "until"]

# A brisk typist's time between two keys, and a keyboard-wedge scanner's.
HUMAN_GAP_S = 0.15
SCANNER_GAP_S = 0.001


async def scan(pilot: Pilot[None], *codes: str) -> None:
    """Each code's keys as a scanner types them: 1 ms apart by their time stamps, then
    Enter. The stamps are set, not taken as the keys are made, so a pause of this process
    while it makes them (a garbage collection) cannot make a scan look typed."""
    keys = [key for code in codes for key in (*_keys(code), events.Key("enter", "\r"))]
    _send(pilot, keys, time.monotonic(), SCANNER_GAP_S)
    await pilot.pause()


async def burst(pilot: Pilot[None], names: Sequence[str]) -> None:
    """Keys named as Textual names them (a character, ``tab``), sent scanner-fast as one
    burst, as a scanner ending with Tab or a keyboard macro sends them; then settled."""
    controls = {"tab": "\t", "enter": "\r"}
    keys = [
        events.Key(name, controls[name]) if name in controls else _keys(name)[0] for name in names
    ]
    _send(pilot, keys, time.monotonic() - 10, SCANNER_GAP_S)
    await settle(pilot)


async def type_by_hand(pilot: Pilot[None], text: str) -> None:
    """``text`` typed at a person's speed: keys 150 ms apart by their time stamps, all in the
    past (no sleeping: a key's stamp is when it came, and what the station goes by)."""
    start = time.monotonic() - HUMAN_GAP_S * (len(text) + 1)
    _send(pilot, _keys(text), start, HUMAN_GAP_S)
    await settle(pilot)


def _keys(text: str) -> list[events.Key]:
    return [events.Key(_character_to_key(char), char) for char in text]


def _send(pilot: Pilot[None], keys: Sequence[events.Key], start: float, gap: float) -> None:
    """``keys`` to the app as its terminal driver passes them on, stamped ``gap`` seconds
    apart from ``start`` (set, not taken as they are made: a pause of this process while it
    makes them cannot change what they look like)."""
    driver = pilot.app._driver
    assert driver is not None
    for number, key in enumerate(keys):
        key.time = start + number * gap
        driver.send_message(key)


async def until(pilot: Pilot[None], condition: Callable[[], object], most: int = 500) -> None:
    """Pause until ``condition()`` holds, for what a thread of the app does after the screen
    settles (a recorder, a refresh); at most ``most`` pauses of 10 ms, then the caller's
    assertion says what did not happen."""
    for _ in range(most):
        if condition():
            return
        await pilot.pause(0.01)


async def assign_batch(pilot: Pilot[None], item: str, count: int) -> None:
    """On the assign screen: ``count`` packages of ``item``, one Each, previewed (F10) and
    assigned (F12)."""
    screen = pilot.app.screen
    for field, value in (("item", item), ("quantity", "1"), ("unit", "Each")):
        screen.query_one(f"#{field}", Input).value = value
    screen.query_one("#count", Input).value = str(count)
    for key in ("f10", "f12"):
        await pilot.press(key)
        await settle(pilot)
