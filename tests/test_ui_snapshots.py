"""Snapshots of key screens (SVG, under tests/__snapshots__). After a deliberate change to a
screen, review and update them with: .venv/bin/pytest tests/test_ui_snapshots.py
--snapshot-update"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Input

from station.ui.app import StationApp
from tests.conftest import PACKAGE_PREFIX, Station, uid
from tests.ui_helpers import scan, settle

# A fixed "now", so days-open and dates on screen do not change from one day to the next.
NOW = dt.datetime(2026, 11, 26, 18, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def steady_cursor(monkeypatch: pytest.MonkeyPatch) -> None:
    """A blinking cursor would be on or off in a screenshot depending on when it is taken."""
    monkeypatch.setattr(Input, "_toggle_cursor", lambda self: None)


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

    assert snap_compare(app_for(stocked), terminal_size=(120, 34), run_before=scanned)


def test_tags_browser(received: Station, snap_compare: Any) -> None:
    async def browsing(pilot: Pilot[None]) -> None:
        await pilot.press("f5")
        await settle(pilot)

    assert snap_compare(app_for(received), terminal_size=(120, 30), run_before=browsing)


# Left out: the audit screen and a tag's page show when events happened (the command line
# that made them stamps them with the real clock), and the templates screen names the test's
# own temporary folder. test_ui_scans checks that their keys fit at 80x24.
SCREENS = ("f1", "f2", "f3", "f4", "f5", "f6", "f7", "ctrl+g")


@pytest.mark.sqlite_only  # what a screen looks like does not depend on the backend
@pytest.mark.parametrize("screen", SCREENS)
def test_every_screen_at_80_by_24(received: Station, snap_compare: Any, screen: str) -> None:
    """The smallest terminal a bench is likely to have: every screen, its keys readable."""
    received.ok("void", uid(PACKAGE_PREFIX, 9), "--reason", "torn")

    async def shown(pilot: Pilot[None]) -> None:
        await pilot.press(screen)
        await settle(pilot)
        pilot.app.clear_notifications()
        await pilot.pause()

    assert snap_compare(app_for(received), terminal_size=(80, 24), run_before=shown)
