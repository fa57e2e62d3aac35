"""The terminal UI with operators: the sign-in screen (name and PIN, or a badge), who is
signed in, signing out by key and when idle, and a supervisor's approval dialog."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
import zxingcpp
from PIL import Image
from textual.widgets import DataTable, Input, Static

from devtools.pg_server import PgServer
from station.db.models import database_proxy
from station.ui.app import StationApp
from station.ui.screens.sign_in import ApprovalScreen, SignInScreen
from station.ui.screens.tag_detail import TagDetailScreen
from tests.helpers.station import PLANT_PREFIX, Station, uid
from tests.helpers.ui import scan, settle

SUE_PIN = "90817263"
ANN_PIN = "46820135"
TAG = uid(PLANT_PREFIX, 2)


@pytest.fixture
def staffed(received: Station, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Station:
    received.ok("operator", "add", "Sue", "--role", "supervisor", "--pin-stdin", stdin=SUE_PIN)
    monkeypatch.setenv("STATION_PIN", SUE_PIN)
    received.ok(
        "operator", "add", "Ann", "--role", "operator", "--pin-stdin", stdin=ANN_PIN, operator="Sue"
    )
    received.ok("operator", "badge", "Ann", "-o", str(tmp_path / "ann.png"), operator="Sue")
    return received


def badge(tmp_path: Path) -> str:
    [found] = zxingcpp.read_barcodes(Image.open(tmp_path / "ann.png"))
    return found.text


async def type_in(app: StationApp, pilot: object, name: str, pin: str) -> None:
    """Name and PIN as a person enters them (set, not keyed: eight quick digits and Enter
    would be taken for a scan)."""
    app.screen.query_one("#name", Input).value = name
    field = app.screen.query_one("#pin", Input)
    field.value = pin
    field.focus()
    await field.action_submit()


def problem(app: StationApp) -> str:
    return str(app.screen.query_one("#problem", Static).render())


async def test_the_station_opens_on_sign_in_and_nothing_gets_past_it(staffed: Station) -> None:
    app = StationApp(staffed.context())
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, SignInScreen)
        await pilot.press("f5")  # screens do not switch for no one
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, SignInScreen)
        await type_in(app, pilot, "Ann", "11112222")
        await settle(pilot)
        assert isinstance(app.screen, SignInScreen)
        assert problem(app) == "wrong PIN for Ann (4 more wrong and it locks)"
        assert app.screen.query_one("#pin", Input).value == ""
        await type_in(app, pilot, "Nobody", ANN_PIN)
        await settle(pilot)
        assert problem(app) == "wrong PIN for Nobody (4 more wrong and it locks)"
        await scan(pilot, uid(PLANT_PREFIX, 1))
        await settle(pilot)
        assert "is not a badge: scan your badge" in problem(app)
        await type_in(app, pilot, "Ann", ANN_PIN)
        await settle(pilot)
        assert not isinstance(app.screen, SignInScreen)
        assert app.sub_title == "Ann (operator) · Ctrl+Y signs out"
        assert app.ctx.operator == "Ann"
        await pilot.press("f5")
        await settle(pilot)
        assert app.current_mode == "tags"
        # Ctrl+Y: the next person signs in; until then nothing is done as Ann.
        await pilot.press("ctrl+y")
        await settle(pilot)
        assert isinstance(app.screen, SignInScreen)
        assert app.ctx.role is None and app.sub_title == "signed out"


async def test_a_badge_signs_in_and_an_idle_station_signs_out(
    staffed: Station, tmp_path: Path
) -> None:
    app = StationApp(staffed.context())
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await scan(pilot, badge(tmp_path))
        await settle(pilot)
        assert app.ctx.operator == "Ann" and app.ctx.role == "operator"
        # Input a moment ago: still signed in. Ten minutes without any: signed out.
        app._sign_out_when_idle()
        assert app.ctx.role == "operator"
        app.last_input = time.monotonic() - 10 * 60
        app._sign_out_when_idle()
        await settle(pilot)
        assert isinstance(app.screen, SignInScreen)
        assert "signed out after 10 min idle" in str(app.screen.query_one("#heading").render())
        assert app.ctx.role is None


async def test_an_operator_disabled_while_signed_in_is_signed_out_at_the_next_check(
    staffed: Station,
) -> None:
    app = StationApp(staffed.context())
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await type_in(app, pilot, "Ann", ANN_PIN)
        await settle(pilot)
        app._sign_out_when_idle()  # the periodic check: Ann is still enabled
        await settle(pilot)
        assert app.ctx.operator == "Ann" and app.ctx.role == "operator"
        staffed.ok("operator", "disable", "Ann", operator="Sue")  # STATION_PIN is Sue's
        app._sign_out_when_idle()
        await settle(pilot)
        assert isinstance(app.screen, SignInScreen)
        assert "Ann was disabled by a supervisor" in str(app.screen.query_one("#heading").render())
        assert app.ctx.role is None
        await type_in(app, pilot, "Ann", ANN_PIN)
        await settle(pilot)
        assert app.ctx.role is None and isinstance(app.screen, SignInScreen)


async def test_an_operators_void_waits_for_a_supervisors_approval(staffed: Station) -> None:
    app = StationApp(staffed.context())
    async with app.run_test(size=(140, 48)) as pilot:
        await settle(pilot)
        await type_in(app, pilot, "Ann", ANN_PIN)
        await settle(pilot)
        app.push_screen(TagDetailScreen(TAG))
        await settle(pilot)
        app.screen.query_one("#reason", Input).value = "damaged"
        await pilot.press("f12")
        await pilot.press("f12")
        await settle(pilot)
        assert isinstance(app.screen, ApprovalScreen)
        assert "A supervisor approves: voiding tags" in str(
            app.screen.query_one("#heading").render()
        )
        # Esc: not approved, nothing voided.
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, TagDetailScreen)
        assert "status: received" in str(app.screen.query_one("#fields", Static).render())
        await pilot.press("f12")
        await pilot.press("f12")
        await settle(pilot)
        # An operator cannot approve; a supervisor's wrong PIN is refused in the dialog.
        await type_in(app, pilot, "Ann", ANN_PIN)
        await settle(pilot)
        assert problem(app) == "Ann is not a supervisor and cannot approve"
        await type_in(app, pilot, "Sue", "12345678")
        await settle(pilot)
        assert problem(app) == (
            "approval refused: no supervisor with that name and PIN "
            "(4 more and approvals asked by Ann pause for five minutes)"
        )
        await type_in(app, pilot, "Sue", SUE_PIN)
        await settle(pilot)
        assert isinstance(app.screen, TagDetailScreen)
        assert "status: voided" in str(app.screen.query_one("#fields", Static).render())
        # F9: the audit screen names both, newest first.
        await pilot.press("f9")
        await settle(pilot)
        newest = app.screen.query_one("#events", DataTable).get_row_at(0)
        assert [str(cell) for cell in newest[2:5]] == ["Ann", "Sue", "void"]
    events = json.loads(staffed.ok("audit", "--uid", TAG, "--format", "json", operator="Sue").out)
    assert [(e["action"], e["operator"], e["approved_by"]) for e in events][-1] == (
        "void",
        "Ann",
        "Sue",
    )


async def test_the_first_operator_added_while_the_ui_runs_brings_sign_in(
    received: Station,
) -> None:
    app = StationApp(received.context())
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert not isinstance(app.screen, SignInScreen)
        app._sign_out_when_idle()  # the periodic check: nothing changed yet
        await settle(pilot)
        assert not isinstance(app.screen, SignInScreen)
        received.ok("operator", "add", "Sue", "--role", "supervisor", "--pin-stdin", stdin=SUE_PIN)
        # That command ran in this process and bound the models to its own connection; a
        # station's UI is one process with one, so the models go back to the app's.
        database_proxy.initialize(app.ctx.db)
        app._sign_out_when_idle()
        await settle(pilot)
        assert isinstance(app.screen, SignInScreen)
        assert "the station now has operators" in str(app.screen.query_one("#heading").render())
        await type_in(app, pilot, "Sue", SUE_PIN)
        await settle(pilot)
        assert app.ctx.operator == "Sue" and app.ctx.role == "supervisor", problem(app)


@pytest.mark.postgresql_only
async def test_sign_in_says_so_when_the_database_is_away(staffed: Station, pg: PgServer) -> None:
    app = StationApp(staffed.context())
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        pg.stop()
        try:
            await type_in(app, pilot, "Ann", ANN_PIN)
            await settle(pilot)
            assert isinstance(app.screen, SignInScreen)
            assert problem(app).startswith("cannot reach the database server")
        finally:
            pg.start()
        await type_in(app, pilot, "Ann", ANN_PIN)
        await settle(pilot)
        assert app.ctx.operator == "Ann"


async def test_sign_in_shows_a_database_error_instead_of_doing_nothing(staffed: Station) -> None:
    app = StationApp(staffed.context())
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        staffed.execute("DROP TABLE operator")  # the file damaged behind the station's back
        await type_in(app, pilot, "Ann", ANN_PIN)
        await settle(pilot)
        assert isinstance(app.screen, SignInScreen)
        assert problem(app).startswith("database: ")
        assert "operator" in problem(app)


async def test_the_dialogs_say_their_keys_and_forget_a_refusal_once_typing_starts(
    staffed: Station,
) -> None:
    app = StationApp(staffed.context())
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        said = str(app.screen.query_one("#instructions", Static).render())
        assert said == ("Scan your badge, or type your name and PIN. Enter signs in; Ctrl+Q quits.")
        await scan(pilot, uid(PLANT_PREFIX, 1))
        await settle(pilot)
        assert "is not a badge" in problem(app)
        await pilot.press("A")
        await settle(pilot)
        assert problem(app) == ""  # the stale line went when typing started
        await type_in(app, pilot, "Ann", ANN_PIN)
        await settle(pilot)
        app.push_screen(TagDetailScreen(TAG))
        await settle(pilot)
        app.screen.query_one("#reason", Input).value = "damaged"
        await pilot.press("f12", "f12")
        await settle(pilot)
        assert isinstance(app.screen, ApprovalScreen)
        assert str(app.screen.query_one("#instructions", Static).render()) == (
            "A supervisor scans their badge, or types their name and PIN. Enter approves; "
            "Esc cancels."
        )


async def test_a_printer_with_a_bad_connection_is_refused_before_approval_is_asked(
    staffed: Station,
) -> None:
    """An operator adding tcp//192.168.1.50 was asked for a supervisor, then told the
    connection was wrong: check first, then ask."""
    app = StationApp(staffed.context())
    async with app.run_test(size=(140, 48)) as pilot:
        await settle(pilot)
        await type_in(app, pilot, "Ann", ANN_PIN)
        await settle(pilot)
        await pilot.press("f7")
        await settle(pilot)
        app.screen.query_one("#name", Input).value = "shelf"
        app.screen.query_one("#connection", Input).value = "tcp//192.168.1.50"
        await pilot.press("f10")
        await settle(pilot)
        assert not isinstance(app.screen, ApprovalScreen)
        log = [n.message for n in app._notifications]
        assert any("tcp//192.168.1.50" in message for message in log), log
        # A good one is asked for, and added once a supervisor approves.
        app.screen.query_one("#connection", Input).value = "tcp://192.168.1.50"
        await pilot.press("f10")
        await settle(pilot)
        assert isinstance(app.screen, ApprovalScreen)
        await type_in(app, pilot, "Sue", SUE_PIN)
        await settle(pilot)
    printers = json.loads(staffed.ok("printer", "list", "--format", "json", operator="Sue").out)
    assert sorted(p["name"] for p in printers) == ["shelf", "spool"]
