"""The terminal UI driven headless: scans in bursts, receiving, assigning and printing to a
fake Zebra, voiding, browsing tags and resuming a paused job."""

from __future__ import annotations

import inspect
import json
from collections.abc import Iterator

import pytest
from textual.widgets import DataTable, Input, Log, Select, Static

from devtools.fakes.zebra import FakeZebra
from devtools.pg_server import PgServer
from station.domain.text import plural
from station.domain.uid import runs_text
from station.ui.app import StationApp
from station.ui.screens.audit_event import AuditEventScreen
from station.ui.screens.tag_detail import TagDetailScreen
from tests.helpers.station import LICENSE, PACKAGE_PREFIX, PLANT_PREFIX, Station, uid
from tests.helpers.ui import scan, settle, until


def rows(app: StationApp, selector: str) -> list[list[str]]:
    table = app.screen.query_one(selector, DataTable)
    return [[str(cell) for cell in table.get_row_at(i)] for i in range(table.row_count)]


def log_lines(app: StationApp) -> list[str]:
    return list(app.screen.query_one("#log", Log).lines)


async def test_dashboard_counts_and_quit(received: Station) -> None:
    received.ok("void", uid(PACKAGE_PREFIX, 9), "--reason", "torn")
    app = StationApp(received.context())
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        assert rows(app, "#counts") == [
            [LICENSE, "Green Leaf Farms", "CA", "package", "0", "499", "0", "1"],
            [LICENSE, "Green Leaf Farms", "CA", "plant", "0", "100", "0", "0"],
        ]
        await pilot.press("ctrl+q")
    assert app.return_code == 0


async def test_first_run_asks_for_the_facility(station: Station) -> None:
    station.ok("facility", "list")
    app = StationApp(station.context())
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        assert app.screen.query_one("#first-run").display
        app.screen.query_one("#license", Input).value = LICENSE
        app.screen.query_one("#name", Input).value = "Green Leaf Farms"
        await pilot.press("f10")
        await settle(pilot)
        assert not app.screen.query_one("#first-run").display
    listed = json.loads(station.ok("facility", "list", "--format", "json").out)
    assert [f["license_number"] for f in listed] == [LICENSE]


async def test_the_hidden_first_run_form_takes_no_keys(received: Station) -> None:
    app = StationApp(received.context())
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        license_field = app.screen.query_one("#license", Input)
        assert not app.screen.query_one("#first-run").display and license_field.disabled
        await scan(pilot, uid(PACKAGE_PREFIX, 3))
        await settle(pilot)
        # The scan opened that tag, as on any screen with no use of its own for one.
        assert isinstance(app.screen, TagDetailScreen) and app.screen.uid == uid(PACKAGE_PREFIX, 3)
        await pilot.press("escape")
        await settle(pilot)
        assert license_field.value == "" and app.focused is not license_field
        # Even filled in behind the operator's back, F10 adds nothing from the hidden form.
        license_field.value = "C11-0000009-LIC"
        app.screen.query_one("#name", Input).value = "Hidden Farm"
        await pilot.press("f10")
        await settle(pilot)
    listed = json.loads(received.ok("facility", "list", "--format", "json").out)
    assert [f["license_number"] for f in listed] == [LICENSE]


async def test_receive_a_range_by_scanning_first_and_last(stocked: Station) -> None:
    app = StationApp(stocked.context())
    async with app.run_test(size=(140, 40)) as pilot:
        await pilot.press("f2")
        await scan(pilot, f"]C0{uid(PACKAGE_PREFIX, 1).lower()}", uid(PACKAGE_PREFIX, 250))
        await settle(pilot)
        assert log_lines(app)[-1] == (
            f"received 250 tags {uid(PACKAGE_PREFIX, 1)}..{uid(PACKAGE_PREFIX, 250)}"
        )
        for _ in range(100):  # the counts follow the feedback, from the same thread
            if rows(app, "#progress"):
                break
            await pilot.pause(0.02)
        [progress] = rows(app, "#progress")
        assert progress == [
            "1",
            "package",
            "2026-11-20",
            "250",
            "500",
            "250: 00000251-00000500",  # by serial: at 80 columns a whole run is cut
        ]
    orders = json.loads(stocked.ok("order", "list", "--format", "json").out)
    assert orders[0]["received"] == 250


async def test_a_last_scan_from_another_roll_is_logged_with_the_other_refusals(
    stocked: Station,
) -> None:
    app = StationApp(stocked.context())
    async with app.run_test(size=(140, 40)) as pilot:
        await pilot.press("f2")
        await scan(pilot, uid(PACKAGE_PREFIX, 1), uid(PLANT_PREFIX, 5))
        await settle(pilot)
        assert log_lines(app)[-1] == (
            f"REFUSED {uid(PLANT_PREFIX, 5)} is not in the same roll as "
            f"{uid(PACKAGE_PREFIX, 1)}; scan the roll's last tag"
        )
    orders = json.loads(stocked.ok("order", "list", "--format", "json").out)
    assert [order["received"] for order in orders] == [0, 0]


async def test_a_first_tag_on_no_order_is_refused_at_once_not_at_the_last(
    stocked: Station,
) -> None:
    stranger = uid("1A4060300002EE30", 1)
    app = StationApp(stocked.context())
    async with app.run_test(size=(140, 40)) as pilot:
        await pilot.press("f2")
        await scan(pilot, stranger)
        await settle(pilot)
        refusal = f"REFUSED {stranger} is on no order; record the order first"
        await until(pilot, lambda: refusal in log_lines(app))  # the recording thread's word
        assert log_lines(app)[-1] == refusal
        # Forgotten: the next scan begins a roll again, rather than ending this one.
        pending = app.screen.query_one("#pending", Static)
        assert str(pending.render()) == ""
        await scan(pilot, uid(PACKAGE_PREFIX, 1), uid(PACKAGE_PREFIX, 3))
        await settle(pilot)
        await until(pilot, lambda: log_lines(app)[-1].startswith("received"))
        assert log_lines(app)[-1] == (
            f"received 3 tags {uid(PACKAGE_PREFIX, 1)}..{uid(PACKAGE_PREFIX, 3)}"
        )
    orders = json.loads(stocked.ok("order", "list", "--format", "json").out)
    assert [order["received"] for order in orders] == [3, 0]


async def test_fifty_scans_back_to_back_stay_fifty_uids(stocked: Station) -> None:
    codes = [uid(PLANT_PREFIX, n) for n in range(1, 51)]
    app = StationApp(stocked.context())
    async with app.run_test(size=(140, 40)) as pilot:
        await pilot.press("f2", "f10")
        await scan(pilot, *codes)
        await settle(pilot)
        for _ in range(50):
            if len(log_lines(app)) >= 50:
                break
            await pilot.pause(0.05)
        assert log_lines(app) == [f"received 1 tag {code}" for code in codes]
    received = json.loads(stocked.ok("tags", "--status", "received", "--format", "json").out)
    assert [t["uid"] for t in received] == codes


async def test_a_bad_scan_is_refused_and_changes_nothing(stocked: Station) -> None:
    before = stocked.dump()
    app = StationApp(stocked.context())
    bells: list[int] = []
    app.bell = lambda: bells.append(1)  # type: ignore[method-assign]
    async with app.run_test(size=(140, 40)) as pilot:
        await pilot.press("f2")
        await scan(pilot, "[b]1A4060300002EE100000001")
        await settle(pilot)
        assert log_lines(app) == [
            "REFUSED '[b]1A4060300002EE100000001' is not a UID: '[' at position 1 is not 0-9 or A-Z"
        ]
        assert bells == [1]
    assert stocked.dump() == before


@pytest.fixture
def zebra(received: Station) -> Iterator[FakeZebra]:
    with FakeZebra() as fake:
        received.ok("printer", "add", "shelf", "--driver", "zpl", "--connection", fake.url)
        yield fake


async def test_assign_ten_packages_and_print_them(received: Station, zebra: FakeZebra) -> None:
    app = StationApp(received.context())
    async with app.run_test(size=(140, 48)) as pilot:
        await pilot.press("f3")
        await settle(pilot)
        screen = app.screen
        for field, value in (
            ("count", "10"),
            ("item", "Blue Dream 3.5g"),
            ("quantity", "3.5"),
            ("unit", "Grams"),
            ("package-location", "Vault 2"),
        ):
            screen.query_one(f"#{field}", Input).value = value
        screen.query_one("#printer", Select).value = "shelf"
        screen.query_one("#print-now").value = True  # type: ignore[attr-defined]
        await pilot.press("f12")  # refused: nothing previewed yet
        await settle(pilot)
        await pilot.press("f10")
        await settle(pilot)
        preview = str(screen.query_one("#preview", Static).render())
        assert preview.startswith("Will take 10 tags (one contiguous run):")
        await pilot.press("f12")
        await settle(pilot)
        await settle(pilot)
    assert zebra.uids() == [uid(PACKAGE_PREFIX, n) for n in range(1, 11)]
    used = json.loads(received.ok("tags", "--status", "used", "--format", "json").out)
    assert [t["uid"] for t in used] == zebra.uids()
    assert {t["location"] for t in used} == {"Vault 2"}
    jobs = json.loads(received.ok("jobs", "--format", "json").out)
    assert jobs[0]["status"] == "done" and jobs[0]["done"] == 10


async def test_a_change_after_the_preview_makes_it_stale(received: Station) -> None:
    app = StationApp(received.context())
    async with app.run_test(size=(140, 48)) as pilot:
        await pilot.press("f3")
        await settle(pilot)
        screen = app.screen
        for field, value in (("count", "5"), ("item", "Flower"), ("quantity", "1"), ("unit", "g")):
            screen.query_one(f"#{field}", Input).value = value
        await pilot.press("f10")
        await settle(pilot)
        assert "F12 to assign" in str(screen.query_one("#preview", Static).render())
        screen.query_one("#count", Input).value = "6"
        await settle(pilot)
        preview = str(screen.query_one("#preview", Static).render())
        assert preview.startswith("Changed since the preview") and "F12" not in preview
        await pilot.press("f12")  # refused: what is on screen was not previewed
        await settle(pilot)
    assert json.loads(received.ok("tags", "--status", "used", "--format", "json").out) == []


async def test_browse_filter_and_void_a_tag(received: Station) -> None:
    received.ok("void", uid(PLANT_PREFIX, 3), "--reason", "lost")
    app = StationApp(received.context())
    async with app.run_test(size=(140, 48)) as pilot:
        await pilot.press("f5")
        await settle(pilot)
        assert len(rows(app, "#tags")) == 100
        assert rows(app, "#tags")[0][0] == uid(PACKAGE_PREFIX, 1)
        await pilot.press("ctrl+n")
        await settle(pilot)
        assert rows(app, "#tags")[0][0] == uid(PACKAGE_PREFIX, 101)
        await pilot.press("ctrl+b")
        await settle(pilot)
        assert rows(app, "#tags")[0][0] == uid(PACKAGE_PREFIX, 1)
        app.screen.query_one("#status", Select).value = "voided"
        await settle(pilot)
        assert [r[0] for r in rows(app, "#tags")] == [uid(PLANT_PREFIX, 3)]
        app.screen.query_one("#status", Select).value = "received"
        app.screen.query_one("#search", Input).value = uid(PLANT_PREFIX, 1)[:22]
        await settle(pilot)
        assert [r[0] for r in rows(app, "#tags")][:2] == [
            uid(PLANT_PREFIX, 1),
            uid(PLANT_PREFIX, 2),
        ]
        table = app.screen.query_one("#tags", DataTable)
        table.focus()
        table.move_cursor(row=1)
        await pilot.press("enter")
        await settle(pilot)
        fields = str(app.screen.query_one("#fields", Static).render())
        assert f"uid: {uid(PLANT_PREFIX, 2)}" in fields and "status: received" in fields
        app.screen.query_one("#reason", Input).value = "damaged"
        await pilot.press("f12")
        await settle(pilot)
        # First exactly what F12 again will void; nothing voided yet.
        confirm = str(app.screen.query_one("#confirm", Static).render())
        assert f"F12 again voids 1 plant tag, {uid(PLANT_PREFIX, 2)} (received" in confirm
        assert "status: received" in str(app.screen.query_one("#fields", Static).render())
        await pilot.press("f12")
        await settle(pilot)
        assert "status: voided" in str(app.screen.query_one("#fields", Static).render())
        assert [r[2] for r in rows(app, "#history")] == ["order.add", "receive", "void"]
    tag = json.loads(received.ok("tag", uid(PLANT_PREFIX, 2), "--format", "json").out)
    assert tag["status"] == "voided" and tag["void_reason"] == "damaged"


async def test_resume_a_paused_job_from_the_queue(received: Station, zebra: FakeZebra) -> None:
    zebra.fail_after = (20, "paper_out")
    first, last = uid(PACKAGE_PREFIX, 1), uid(PACKAGE_PREFIX, 60)
    assert received("print", "--range", first, last, "--printer", "shelf").code == 1
    zebra.mode = "ok"
    app = StationApp(received.context())
    async with app.run_test(size=(140, 48)) as pilot:
        await pilot.press("f4")
        await settle(pilot)
        [job] = rows(app, "#jobs")
        assert job[:2] == ["1", "paused"] and job[6] == "1"
        await pilot.press("f10")  # uncertain labels: listed, nothing sent
        await settle(pilot)
        assert "F11 reprints them, F12 skips them" in str(
            app.screen.query_one("#note", Static).render()
        )
        await pilot.press("f11")
        await settle(pilot)
        assert str(app.screen.query_one("#note", Static).render()).startswith(
            "Job 1 done: 60 labels printed"
        )
    assert set(zebra.uids()) == {uid(PACKAGE_PREFIX, n) for n in range(1, 61)}


async def test_the_queue_opens_on_the_job_that_needs_you(
    received: Station, zebra: FakeZebra
) -> None:
    received.ok("print", uid(PACKAGE_PREFIX, 100), "--printer", "shelf")  # job 1: done
    zebra.fail_after = (30, "head_open")
    first, last = uid(PACKAGE_PREFIX, 1), uid(PACKAGE_PREFIX, 60)
    assert received("print", "--range", first, last, "--printer", "shelf").code == 1  # job 2
    zebra.mode = "ok"
    received.ok("print", uid(PACKAGE_PREFIX, 101), "--printer", "shelf")  # job 3: done
    uncertain = json.loads(received.ok("job", "show", "2", "--format", "json").out)["labels"]
    doubtful = sorted(item["uid"] for item in uncertain if item["state"] == "uncertain")
    assert doubtful
    app = StationApp(received.context())
    async with app.run_test(size=(140, 48)) as pilot:
        await pilot.press("f4")
        await settle(pilot)
        table = app.screen.query_one("#jobs", DataTable)
        assert table.get_row_at(table.cursor_row)[:2] == ["2", "paused"]
        await pilot.press("f10")  # resume: refused until the uncertain labels are resolved
        await settle(pilot)
        note = str(app.screen.query_one("#note", Static).render())
    assert note == (
        f"Job 2 has {plural(len(doubtful), 'uncertain label')} (they may or may not have "
        f"printed): {runs_text(doubtful)}. F11 reprints them, F12 skips them."
    )


async def test_every_screen_opens_from_its_f_key(received: Station) -> None:
    app = StationApp(received.context())
    async with app.run_test(size=(140, 48)) as pilot:
        for key, mode in (
            ("f6", "orders"),
            ("f7", "printers"),
            ("f8", "templates"),
            ("f9", "audit"),
            ("f1", "dashboard"),
        ):
            await pilot.press(key)
            await settle(pilot)
            assert app.current_mode == mode
        await pilot.press("f9")
        await settle(pilot)
        assert rows(app, "#events")[0][4] == "receive"
        await pilot.press("f8")
        await settle(pilot)
        assert "Full-resolution preview:" in str(app.screen.query_one("#where", Static).render())
        await pilot.press("ctrl+t")
        assert app.theme == "warehouse-light"


async def test_the_command_palette_offers_every_screen_and_action(received: Station) -> None:
    app = StationApp(received.context())
    async with app.run_test(size=(140, 48)) as pilot:
        await pilot.press("f4")
        await settle(pilot)
        titles = [command.title for command in app.get_system_commands(app.screen)]
        for wanted in (
            "Receive",
            "Assign",
            "Print queue",
            "Tags",
            "Audit",
            "Resume",
            "Resume, reprint uncertain",
            "Cancel job",
            "Reprint tag",
        ):
            assert wanted in titles
        [receive] = [c for c in app.get_system_commands(app.screen) if c.title == "Receive"]
        result = receive.callback()
        if inspect.isawaitable(result):
            await result
        await settle(pilot)
        assert app.current_mode == "receive"


@pytest.mark.postgresql_only
async def test_the_ui_carries_on_across_a_database_restart(received: Station, pg: PgServer) -> None:
    app = StationApp(received.context())
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        pg.restart()
        await pilot.press("f5")
        await settle(pilot)
        assert len(rows(app, "#tags")) == 100
        pg.stop()
        try:
            await pilot.press("f6")
            await settle(pilot)
            messages = [n.message for n in app._notifications]
            assert any(m.startswith("cannot reach the database server") for m in messages)
            # The UI's periodic look for a first operator passes over a database that is away.
            app._sign_out_when_idle()
            await settle(pilot)
            assert app.is_running
        finally:
            pg.start()
        await pilot.press("f9")
        await settle(pilot)
        assert rows(app, "#events")
        await pilot.press("ctrl+q")
    assert app.return_code == 0


async def test_enter_on_an_audit_row_opens_the_event_in_full(received: Station) -> None:
    """At 80x24 the audit table showed five characters of each summary, and no way on."""
    received.ok("void", uid(PACKAGE_PREFIX, 9), "--reason", "torn on the roll")
    app = StationApp(received.context())
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f9")
        await settle(pilot)
        table = app.screen.query_one("#events", DataTable)
        table.focus()
        table.move_cursor(row=0)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, AuditEventScreen)
        text = str(app.screen.query_one("#event", Static).render())
        assert "Event 6: void" in text
        assert "Summary: voided 1 tag: torn on the roll" in text
        assert '  reason: "torn on the roll"' in text
        assert f"UIDs:\n  {uid(PACKAGE_PREFIX, 9)}" in text
        await pilot.press("escape")
        await settle(pilot)
        assert app.current_mode == "audit" and not isinstance(app.screen, AuditEventScreen)


async def test_the_tag_page_shows_its_history_at_80_by_24(received: Station) -> None:
    """At 24 lines the tag page's history was off-screen below its fields."""
    received.ok("void", uid(PACKAGE_PREFIX, 9), "--reason", "torn")
    app = StationApp(received.context())
    async with app.run_test(size=(80, 24)) as pilot:
        app.push_screen(TagDetailScreen(uid(PACKAGE_PREFIX, 9)))
        await settle(pilot)
        history = app.screen.query_one("#history", DataTable)
        assert history.row_count == 3
        # Every row of it is within the screen.
        assert history.region.bottom <= 23 and history.region.height >= 4
        history.focus()
        history.move_cursor(row=2)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, AuditEventScreen)
        assert "Summary: voided 1 tag: torn" in str(app.screen.query_one("#event").render())


async def test_home_keeps_its_counts_on_screen_with_a_long_facility_name(
    received: Station,
) -> None:
    """Renamed to 80 characters, home's counts left the screen, and stayed gone after the
    name was changed back."""
    long_name = "Green Leaf Farms of the Emerald Triangle Cannabis Cultivation Cooperative Inc."
    received.ok("facility", "rename", LICENSE, long_name)
    app = StationApp(received.context())
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        table = app.screen.query_one("#counts", DataTable)
        assert table.virtual_size.width <= table.size.width  # no column off the screen
        assert [str(c) for c in table.get_row_at(0)][1] == "Green Leaf Farms of…"
        received.ok("facility", "rename", LICENSE, "Green Leaf Farms")
        await pilot.press("ctrl+r")
        await settle(pilot)
        assert [str(c) for c in table.get_row_at(0)][1] == "Green Leaf Farms"
        assert table.virtual_size.width <= table.size.width  # sized to what it holds now


@pytest.mark.parametrize(
    ("key", "table_id", "last_key_column"),
    [("f6", "#orders", "Days open"), ("f5", "#tags", "Ordered"), ("f1", "#counts", "Void")],
)
async def test_every_table_keeps_its_key_columns_in_80_columns(
    received: Station, key: str, table_id: str, last_key_column: str
) -> None:
    """At 80 columns the orders table hid Used, Voided and Days open; the tags table
    showed 'Order da'."""
    app = StationApp(received.context())
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press(key)
        await settle(pilot)
        table = app.screen.query_one(table_id, DataTable)
        right = 0
        for column in table.columns.values():
            right += column.get_render_width(table)
            if str(column.label) == last_key_column:
                break
        else:
            raise AssertionError(f"no column {last_key_column}")
        assert right <= table.size.width


async def test_a_long_log_line_wraps_at_80_columns_whole(stocked: Station) -> None:
    """At 80 columns a refusal was cut mid-word: `REFUSED '1A…025' is n`."""
    app = StationApp(stocked.context())
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f2")
        await scan(pilot, uid(PACKAGE_PREFIX, 1), uid(PLANT_PREFIX, 5))  # another roll's
        await settle(pilot)
        said = (
            f"REFUSED {uid(PLANT_PREFIX, 5)} is not in the same roll as "
            f"{uid(PACKAGE_PREFIX, 1)}; scan the roll's last tag"
        )
        log = app.screen.query_one("#log", Log)
        lines = log_lines(app)
        assert len(lines) > 1 and all(len(line) < log.content_size.width for line in lines)
        assert " ".join(line.strip() for line in lines) == said
        # No UID is split across two lines.
        assert any(uid(PLANT_PREFIX, 5) in line for line in lines)
        assert any(uid(PACKAGE_PREFIX, 1) in line for line in lines)
