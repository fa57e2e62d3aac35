"""Snapshots of key screens (SVG, under tests/__snapshots__). After a deliberate change to a
screen, review and update them with: .venv/bin/pytest tests/test_ui_snapshots.py
--snapshot-update"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterator
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import DataTable, Input, Static

from station.cli import state
from station.services import context
from station.ui.app import StationApp
from tests.helpers.station import PACKAGE_PREFIX, Station, assign_packages, uid
from tests.helpers.ui import scan, settle, until

# A fixed "now", so days-open and dates on screen do not change from one day to the next.
NOW = dt.datetime(2026, 11, 26, 18, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def steady_cursor(monkeypatch: pytest.MonkeyPatch) -> None:
    """A blinking cursor would be on or off in a screenshot depending on when it is taken."""
    monkeypatch.setattr(Input, "_toggle_cursor", lambda self: None)


@pytest.fixture(autouse=True)
def steady_clock(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The commands that make each test's data stamp their events at NOW, shown in UTC: the
    audit screen and a tag's history look the same on every run and every machine. (Autouse
    fixtures come first, so the data fixtures' commands see it.)"""
    opened = context.open_context

    def at_now(*args: Any, **kwargs: Any) -> context.Context:
        ctx = opened(*args, **kwargs)
        ctx.clock = lambda: NOW
        return ctx

    monkeypatch.setattr(state, "open_context", at_now)
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def app_for(station: Station) -> StationApp:
    ctx = station.context()
    ctx.clock = lambda: NOW
    return StationApp(ctx)


def test_dashboard(stocked: Station, snap_compare: Any) -> None:
    stocked.ok("receive", uid(PACKAGE_PREFIX, 1), uid(PACKAGE_PREFIX, 100))

    async def ready(pilot: Pilot[None]) -> None:
        await settle(pilot)

    assert snap_compare(app_for(stocked), terminal_size=(120, 34), run_before=ready)


def test_receive_after_scans(stocked: Station, snap_compare: Any) -> None:
    async def scanned(pilot: Pilot[None]) -> None:
        await pilot.press("f2")
        await scan(pilot, uid(PACKAGE_PREFIX, 1), uid(PACKAGE_PREFIX, 40), "NOT-A-UID")
        await settle(pilot)
        for _ in range(20):
            await pilot.pause(0.05)
        pilot.app.clear_notifications()
        await pilot.pause()

    # At 80x24: received against expected and what is still missing, on screen.
    assert snap_compare(app_for(stocked), terminal_size=(80, 24), run_before=scanned)


def test_tags_browser(received: Station, snap_compare: Any) -> None:
    async def browsing(pilot: Pilot[None]) -> None:
        await pilot.press("f5")
        await settle(pilot)

    assert snap_compare(app_for(received), terminal_size=(120, 30), run_before=browsing)


# Every screen: its key, or for a tag's page the scan that opens it; and the keys list
# (Ctrl+K) over the assign screen, the one with the most keys of its own.
SCREENS = (
    "f1", "f2", "f3", "f4", "f5", "f6", "f7", "f8", "f9", "ctrl+g", "ctrl+f", "tag", "keys",
)  # fmt: skip


@pytest.mark.sqlite_only  # what a screen looks like does not depend on the backend
@pytest.mark.parametrize("screen", SCREENS)
def test_every_screen_at_80_by_24(received: Station, snap_compare: Any, screen: str) -> None:
    """The smallest terminal a bench is likely to have: every screen, its keys readable."""
    received.ok("void", uid(PACKAGE_PREFIX, 9), "--reason", "torn")

    async def shown(pilot: Pilot[None]) -> None:
        if screen == "tag":
            await scan(pilot, uid(PACKAGE_PREFIX, 9))
        elif screen == "keys":
            await pilot.press("f3")
            await settle(pilot)
            await pilot.press("ctrl+k")
        else:
            await pilot.press(screen)
        await settle(pilot)
        if screen == "f8":
            # The preview is in this test's own data folder: checked, then shown as a fixed
            # name, so the picture holds from run to run.
            where = pilot.app.screen.query_one("#where", Static)
            assert isinstance(pilot.app, StationApp)
            data = pilot.app.ctx.folders.data
            shown = f"Full-resolution preview: {data}/spool/previews/avery-5160-sheet.png"
            assert str(where.render()) == shown
            where.update(shown.replace(str(data), "~/.local/share/tag-station"))
        pilot.app.clear_notifications()
        await pilot.pause()

    assert snap_compare(app_for(received), terminal_size=(80, 24), run_before=shown)


@pytest.mark.sqlite_only
@pytest.mark.parametrize("dialog", ("sign-in", "approval"))
def test_sign_in_and_approval_at_80_by_24(
    received: Station, snap_compare: Any, monkeypatch: pytest.MonkeyPatch, dialog: str
) -> None:
    """The sign-in screen over everything, and the approval dialog over a tag's page."""
    received.ok("operator", "add", "Sue", "--role", "supervisor", "--pin-stdin", stdin="90817263")
    monkeypatch.setenv("STATION_PIN", "90817263")
    received.ok(
        "operator", "add", "Ann", "--role", "operator", "--pin-stdin", stdin="4682", operator="Sue"
    )

    async def shown(pilot: Pilot[None]) -> None:
        await settle(pilot)
        if dialog == "approval":
            pilot.app.screen.query_one("#name", Input).value = "Ann"
            pin = pilot.app.screen.query_one("#pin", Input)
            pin.value = "4682"
            await pin.action_submit()
            await settle(pilot)
            await scan(pilot, uid(PACKAGE_PREFIX, 9))
            await settle(pilot)
            pilot.app.screen.query_one("#reason", Input).value = "torn"
            await pilot.press("f12", "f12")
            await settle(pilot)
        pilot.app.clear_notifications()
        await pilot.pause()

    assert snap_compare(app_for(received), terminal_size=(80, 24), run_before=shown)


def test_count_under_way(received: Station, snap_compare: Any) -> None:
    """At 80x24, a count part way: the room, seen against expected, the missing list and
    the strays with their reasons."""
    for count, where in ((30, "Vault A"), (5, "Room B")):
        assign_packages(received, count, where)

    async def counting(pilot: Pilot[None]) -> None:
        await pilot.press("ctrl+o")
        await settle(pilot)
        pilot.app.screen.query_one("#count-room", Input).value = "Vault A"
        await pilot.press("f10")
        await until(pilot, lambda: getattr(pilot.app.screen, "live", None) is not None)
        await scan(pilot, *(uid(PACKAGE_PREFIX, n) for n in range(1, 25)))
        await scan(pilot, uid(PACKAGE_PREFIX, 31), "1A4060300002EE9900000001", "E280116060000208")
        strays = pilot.app.screen.query_one("#count-strays", DataTable)
        await until(
            pilot, lambda: "checking" not in str(strays.get_cell("1A4060300002EE9900000001", "why"))
        )
        pilot.app.clear_notifications()
        await settle(pilot)

    assert snap_compare(app_for(received), terminal_size=(80, 24), run_before=counting)
