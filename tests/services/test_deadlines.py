"""The tag stock forecast, the deadlines of `station due` and the home screen, and the audit
archive, on both backends, with time moved by the test (the services read the context's
clock) at the edges: exactly 3, 14, 21 and 30 days."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from textual.widgets import Static

from devtools.fakes.metrc import FakeMetrc
from devtools.fakes.zebra import FakeZebra
from station.db.models import PrintItem
from station.folders import Folders
from station.services import home
from station.services.context import Context
from station.services.records import backups
from station.services.tags import deadlines
from station.services.tags import stock as stock_service
from station.services.tags.assignment import assign_next
from station.services.tags.assignment_details import PackageDetails
from station.settings import Settings
from station.ui.app import StationApp
from tests.helpers.station import LICENSE, PACKAGE_PREFIX, Station, uid
from tests.helpers.ui import settle

ORDER_DATE = dt.date(2026, 11, 20)  # the fixtures' orders


def at(station: Station, moment: dt.datetime, **settings: int) -> Context:
    """A service context whose clock reads ``moment`` (station-local)."""
    ctx = station.context()
    ctx.clock = lambda: moment.astimezone()
    if settings:
        ctx.settings = Settings(**settings)  # type: ignore[arg-type]
    return ctx


def local(day: dt.date, hour: int = 12) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour)).astimezone()


def kinds(ctx: Context) -> list[tuple[str, str, int]]:
    return [(item.kind, item.subject, item.days_over) for item in deadlines.due(ctx)]


# --- receipt and orders that never arrived ------------------------------------------------


def test_receipts_are_late_after_3_days_and_orders_with_nothing_after_14(
    stocked: Station,
) -> None:
    # Order 1 (package) partly received; order 2 (plant) nothing at all.
    stocked.ok("receive", uid(PACKAGE_PREFIX, 1), uid(PACKAGE_PREFIX, 10))
    start = ORDER_DATE
    ctx = at(stocked, local(start + dt.timedelta(days=3)))
    assert kinds(ctx) == []
    ctx = at(stocked, local(start + dt.timedelta(days=4)))
    assert kinds(ctx) == [("receipt", "order 1", 1), ("receipt", "order 2", 1)]
    ctx = at(stocked, local(start + dt.timedelta(days=13)))
    assert kinds(ctx) == [("receipt", "order 1", 10), ("receipt", "order 2", 10)]
    ctx = at(stocked, local(start + dt.timedelta(days=14)))
    # Nothing of order 2 ever arrived: that is what to act on now.
    assert kinds(ctx) == [("receipt", "order 1", 11), ("not-arrived", "order 2", 0)]
    [never] = [item for item in deadlines.due(ctx) if item.kind == "not-arrived"]
    assert never.due_on == dt.date(2026, 12, 4) and "tell the DCC" in never.text
    assert never.license_number == LICENSE
    # Received in full: nothing left due for it.
    stocked.ok("receive", uid(PACKAGE_PREFIX, 11), uid(PACKAGE_PREFIX, 500))
    assert kinds(ctx) == [("not-arrived", "order 2", 0)]


# --- reconciliation ---------------------------------------------------------------------


def test_reconciliation_is_due_30_days_after_the_last_one(
    received: Station, monkeypatch: pytest.MonkeyPatch
) -> None:
    created = dt.datetime.now().astimezone().date()
    start = created
    ctx = at(received, local(start + dt.timedelta(days=29)))
    assert [k for k in kinds(ctx) if k[0] == "reconcile"] == []
    ctx = at(received, local(start + dt.timedelta(days=30)))
    [item] = [i for i in deadlines.due(ctx) if i.kind == "reconcile"]
    assert item.days_over == 0 and "never compared with Metrc" in item.text

    with FakeMetrc("vendor-key", "user-key", (LICENSE,)) as fake:
        monkeypatch.setenv("METRC_URL", fake.url)
        monkeypatch.setenv("METRC_VENDOR_KEY", "vendor-key")
        monkeypatch.setenv("METRC_USER_KEY", "user-key")
        received.ok("metrc", "reconcile", "--type", "package")
    ctx = at(received, local(start + dt.timedelta(days=29)))
    assert [k for k in kinds(ctx) if k[0] == "reconcile"] == []
    ctx = at(received, local(start + dt.timedelta(days=30)))
    [item] = [i for i in deadlines.due(ctx) if i.kind == "reconcile"]
    assert f"last compared with Metrc on {created.isoformat()}" in item.text
    assert deadlines.last_reconciled(ctx)


# --- labels in doubt --------------------------------------------------------------------


@pytest.fixture
def doubtful(received: Station) -> Iterator[Station]:
    """A job paused by a fault half way, leaving labels that may or may not have printed."""
    with FakeZebra() as zebra:
        received.ok("printer", "add", "shelf", "--driver", "zpl", "--connection", zebra.url)
        zebra.fail_after = (30, "head_open")
        received(
            "print",
            "--range",
            uid(PACKAGE_PREFIX, 1),
            uid(PACKAGE_PREFIX, 60),
            "--printer",
            "shelf",
        )
        yield received


def test_uncertain_labels_are_due_after_a_day(doubtful: Station) -> None:
    doubtful.context()  # the models read this database
    query = PrintItem.select().where(PrintItem.state == "uncertain")
    sent = [item.sent_at for item in query if item.sent_at is not None]
    assert sent
    oldest = min(sent).replace(tzinfo=dt.UTC)
    ctx = at(doubtful, oldest + dt.timedelta(hours=23, minutes=59))
    assert [k for k in kinds(ctx) if k[0] == "uncertain-labels"] == []
    ctx = at(doubtful, oldest + dt.timedelta(days=1))
    [item] = [i for i in deadlines.due(ctx) if i.kind == "uncertain-labels"]
    assert item.subject == "job 1" and "may or may not have printed" in item.text
    assert any("job 1" in line for line in home.notices(ctx, backups.status(ctx)))


# --- station due on the command line ----------------------------------------------------


def test_station_due_exits_1_with_something_due_and_0_with_nothing(stocked: Station) -> None:
    late = stocked("due", "--format", "json")
    assert late.code == 1
    found = json.loads(late.out)
    # The fixtures' orders are from 2026-11-20, more than 3 days before any run of this.
    assert {item["kind"] for item in found} <= {"receipt", "not-arrived"}
    assert set(found[0]) == {
        "kind",
        "license_number",
        "subject",
        "due_on",
        "days_over",
        "text",
        "rule",
        "source",
    }
    table = stocked("due")
    assert table.code == 1 and "order 1" in table.out and "DAYS OVER" in table.out
    stocked.ok("receive", uid(PACKAGE_PREFIX, 1), uid(PACKAGE_PREFIX, 500))
    stocked.ok("receive", "1A4060300002EE2000000001", "1A4060300002EE2000000100")
    calm = stocked("due")
    assert calm.code == 0 and calm.err == "nothing is due\n" and calm.out == ""
    assert stocked("due", "--format", "json").out.strip() == "[\n]"


# --- the stock forecast -----------------------------------------------------------------


def use(station: Station, count: int, moment: dt.datetime) -> None:
    ctx = at(station, moment)
    details = PackageDetails("Flower", Decimal(1), "Grams", None, moment.date())
    assign_next(ctx, details, count)


def test_stock_counts_and_days_left_at_the_last_30_days_rate(received: Station) -> None:
    now = local(dt.date(2026, 12, 20))
    use(received, 20, now - dt.timedelta(days=30, seconds=1))  # just outside the window
    use(received, 30, now - dt.timedelta(days=30))  # exactly 30 days ago: inside
    use(received, 30, now - dt.timedelta(days=2))
    ctx = at(received, now)
    [package, plant] = sorted(stock_service.stock(ctx), key=lambda row: row.type)
    assert package.as_dict() == {
        "license_number": LICENSE,
        "facility": "Green Leaf Farms",
        "type": "package",
        "on_hand": 420,
        "on_order": 0,
        "used_30_days": 60,
        "days_left": 210.0,
        # 2 a day: 84 would last twice the 21 reorder days, and 420 are on hand.
        "suggested_reorder": 0,
        "reorder_cost": None,
        "price_source": None,
    }
    assert plant.used_30_days == 0 and plant.days_left is None and plant.on_hand == 100


def test_the_reorder_warning_starts_under_21_days(received: Station) -> None:
    now = local(dt.date(2026, 12, 20))
    use(received, 483, now - dt.timedelta(days=40))
    use(received, 10, now - dt.timedelta(days=3))
    # 7 on hand at 10 in 30 days last exactly 21 days: not yet under.
    ctx = at(received, now, reorder_days=21)
    [package] = [row for row in stock_service.stock(ctx) if row.type == "package"]
    assert (package.on_hand, package.used_30_days, package.days_left) == (7, 10, 21.0)
    assert stock_service.running_low(ctx) == []
    assert not any("reorder" in line for line in home.notices(ctx, backups.status(ctx)))
    use(received, 1, now - dt.timedelta(days=40))  # one fewer on hand: 18 days
    [low] = stock_service.running_low(ctx)
    assert low.type == "package" and low.days_left == 18.0
    assert (
        f"{LICENSE} Green Leaf Farms: package tags last about 18 days at the last 30 days' "
        "rate (6 on hand): reorder"
    ) in home.notices(ctx, backups.status(ctx))
    # A longer lead time warns sooner; a shorter one not yet.
    assert stock_service.running_low(at(received, now, reorder_days=19))
    assert not stock_service.running_low(at(received, now, reorder_days=18))


def test_stock_on_the_command_line(received: Station) -> None:
    received.ok(
        "assign", "package", "--count", "3", "--item", "Flower", "--quantity", "1",
        "--unit", "Grams",
    )  # fmt: skip
    rows = json.loads(received.ok("stock", "--format", "json").out)
    assert [(r["type"], r["on_hand"], r["used_30_days"]) for r in rows] == [
        ("plant", 100, 0),
        ("package", 497, 3),
    ]
    [package] = [r for r in rows if r["type"] == "package"]
    assert package["days_left"] == 4970  # 497 * 30 / 3, in whole days
    table = received.ok("stock", "--license", LICENSE).out
    assert "DAYS LEFT" in table and " 4970 " in table and "4970.0" not in table
    assert received.refused("stock", "--license", "C11-9999999-LIC").startswith("unknown facility")
    lines = list(csv.reader(io.StringIO(received.ok("stock", "--format", "csv").out)))
    assert lines[0][:3] == ["license_number", "facility", "type"]


# --- the audit archive ------------------------------------------------------------------


def test_export_audit_as_csv_and_json_lines_never_over_a_file(
    received: Station, tmp_path: Path
) -> None:
    target = tmp_path / "trail.csv"
    result = received.ok("export", "audit", str(target))
    assert result.err == f"exported 5 audit events to {target}\n"
    rows = list(csv.DictReader(target.open(encoding="utf-8")))
    assert [row["action"] for row in rows] == [
        "facility.add",
        "order.add",
        "order.add",
        "receive",
        "receive",
    ]
    assert len(rows[3]["uids"].split()) == 500
    assert json.loads(rows[0]["details"])["license_number"] == LICENSE
    # The inspector's archive names who approved each event and carries its chain hash.
    assert list(rows[0]) == [
        "id", "at", "operator", "approved_by", "action", "summary", "tag_count", "uids",
        "details", "hash",
    ]  # fmt: skip
    assert "already exists" in received.refused("export", "audit", str(target))

    lines = tmp_path / "trail.jsonl"
    received.ok("export", "audit", str(lines))
    events = [json.loads(line) for line in lines.read_text().splitlines()]
    assert [e["id"] for e in events] == [1, 2, 3, 4, 5]
    assert [e["hash"] for e in events] == [row["hash"] for row in rows]
    assert all(len(row["hash"]) == 64 and row["approved_by"] == "" for row in rows)
    assert sum(len(e["uids"]) for e in events) == 1200  # ordered 600, received 600

    today = dt.datetime.now().astimezone().date()
    empty = tmp_path / "yesterday.jsonl"
    before = (today - dt.timedelta(days=1)).isoformat()
    received.ok("export", "audit", str(empty), "--from", before, "--to", before)
    assert empty.read_text() == ""
    kept = tmp_path / "today.csv"
    received.ok(
        "export", "audit", str(kept), "--from", today.isoformat(), "--to", today.isoformat()
    )
    assert len(list(csv.DictReader(kept.open(encoding="utf-8")))) == 5


@pytest.mark.parametrize(
    "args, message",
    [
        (["x.txt"], "cannot tell the format of x.txt: name it .csv or .jsonl, or add --format"),
        (["x.csv", "--from", "2026-13-01"], "bad --from date '2026-13-01': there is no month 13"),
        (
            ["x.csv", "--from", "2026-11-20", "--to", "2026-11-01"],
            "--to 2026-11-01 is before --from 2026-11-20",
        ),
    ],
)
def test_export_audit_refuses_bad_input(
    received: Station, tmp_path: Path, args: list[str], message: str
) -> None:
    args = [str(tmp_path / args[0]), *args[1:]]
    assert received.refused("export", "audit", *args) == message
    assert list(tmp_path.glob("x.*")) == []


# --- the home screen --------------------------------------------------------------------


async def test_the_home_screen_writes_the_days_backup_and_shows_the_warnings(
    received: Station, tmp_path: Path
) -> None:
    now = dt.datetime.now().astimezone()
    use(received, 480, now - dt.timedelta(days=2))  # 20 left at 16 a day: about a day
    ctx = received.context()
    ctx.settings = Settings(backups=3, reorder_days=21)
    ctx.folders = Folders(tmp_path / "home-data", tmp_path / "c", tmp_path / "k")
    app = StationApp(ctx)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await settle(pilot)  # the backup's worker, then the refresh it asks for
        text = str(app.screen.query_one("#notices", Static).render())
        await pilot.press("ctrl+q")
    [written] = list(ctx.folders.backups.iterdir())
    assert written.name.startswith("station-")
    assert "Last backup: 0 min ago" in text
    assert "package tags last about 1 day at" in text and "no backup yet" not in text


def test_home_lists_what_station_due_lists_item_for_item(stocked: Station) -> None:
    """Receipts 14 days late were listed by `station due` while home said nothing was due."""
    stocked.ok("receive", uid(PACKAGE_PREFIX, 1), uid(PACKAGE_PREFIX, 10))
    ctx = at(stocked, local(ORDER_DATE + dt.timedelta(days=17)))
    due = [item.text for item in deadlines.due(ctx)]
    assert [item.kind for item in deadlines.due(ctx)] == ["receipt", "not-arrived"]
    notices = home.notices(ctx, backups.status(ctx))
    assert notices[-2:] == due
    assert home.home(ctx).attention.late_orders == {1, 2}
