"""The audit trail filtered by tag, action, operator and days, on the command line and the
audit screen; and times shown in the station's local time zone while files keep ISO 8601."""

from __future__ import annotations

import datetime as dt
import json
import time
from collections.abc import Iterator

import pytest
from textual.widgets import DataTable, Input, Static

from station.ui.app import StationApp
from tests.helpers.station import PACKAGE_PREFIX, PLANT_PREFIX, Station, uid
from tests.helpers.ui import settle


@pytest.fixture
def pacific(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The station's clock in California (8 hours behind UTC in November)."""
    monkeypatch.setenv("TZ", "America/Los_Angeles")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def actions(station: Station, *options: str) -> list[tuple[str, str]]:
    out = station.ok("audit", *options, "--format", "json").out
    return [(e["action"], e["operator"]) for e in json.loads(out)]


def test_filters_on_the_command_line(received: Station) -> None:
    received("void", uid(PACKAGE_PREFIX, 7), "--reason", "torn", operator="ana")
    received("void", uid(PLANT_PREFIX, 7), "--reason", "torn", operator="ben")
    assert actions(received, "--action", "void") == [("void", "ana"), ("void", "ben")]
    assert actions(received, "--operator", "ana") == [("void", "ana")]
    assert actions(received, "--uid", uid(PLANT_PREFIX, 7), "--action", "void") == [("void", "ben")]
    # A family of actions by its first word.
    assert {a for a, _ in actions(received, "--action", "order")} == {"order.add"}
    # Days are the station's: here UTC (the suite's zone); two days hold a test run.
    last = dt.date.fromisoformat(
        json.loads(received.ok("audit", "--format", "json").out)[-1]["at"][:10]
    )
    days = ("--from", str(last - dt.timedelta(days=1)), "--to", str(last))
    assert len(actions(received, *days)) == 7
    assert actions(received, "--from", "2099-01-01") == []
    assert received.ok("audit", "--operator", "nobody").err == "(none)\n"


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (("--from", "yesterday"), "--from date"),
        (("--from", "2026-11-20", "--to", "2026-11-19"), "the last day 2026-11-19 is before"),
        (("--uid", "nope"), "is not a UID"),
    ],
)
def test_bad_filters_are_refused(received: Station, options: tuple[str, ...], message: str) -> None:
    assert message in received.refused("audit", *options)


def test_times_show_in_local_time_and_files_keep_iso(received: Station, pacific: None) -> None:
    record = json.loads(received.ok("tag", uid(PACKAGE_PREFIX, 1), "--format", "json").out)
    stored = record["received_at"]
    assert stored.endswith("+00:00") and "T" in stored
    text = received.ok("tag", uid(PACKAGE_PREFIX, 1)).out
    [line] = [line for line in text.splitlines() if line.startswith("received at:")]
    assert line.endswith(("PST", "PDT")) and "+00:00" not in line
    table = received.ok("audit").out.splitlines()
    assert table[1].split()[3] in ("PST", "PDT")
    csv_text = received.ok("audit", "--format", "csv").out.splitlines()
    assert csv_text[1].split(",")[1].endswith("+00:00")


async def test_the_audit_screen_filters(received: Station) -> None:
    received("void", uid(PACKAGE_PREFIX, 7), "--reason", "torn", operator="ana")
    app = StationApp(received.context())
    async with app.run_test(size=(140, 48)) as pilot:
        await pilot.press("f9")
        await settle(pilot)
        table = app.screen.query_one("#events", DataTable)
        assert table.row_count == 6
        app.screen.query_one("#operator", Input).value = "ana"
        await settle(pilot)
        assert [str(table.get_row_at(0)[4])] == ["void"] and table.row_count == 1
        app.screen.query_one("#operator", Input).value = ""
        app.screen.query_one("#uid", Input).value = uid(PACKAGE_PREFIX, 7)
        app.screen.query_one("#action", Input).value = "receive"
        await settle(pilot)
        assert [str(table.get_row_at(0)[4])] == ["receive"] and table.row_count == 1
        app.screen.query_one("#from", Input).value = "someday"
        await settle(pilot)
        problem = str(app.screen.query_one("#filter-problem", Static).render())
        assert problem.startswith("Not filtered yet: ")
        assert table.row_count == 1  # the last good filter's rows stay
