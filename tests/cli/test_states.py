"""Each Metrc state's rules, from its profile: listed with their sources, a facility's state,
order caps, Retail ID where the state has none or requires it, stock's reorder and its cost,
a user profile's rule (audited when it decides), and the bad inputs refused in one line."""

from __future__ import annotations

import datetime as dt
import json
import os
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from devtools.fakes.metrc import FakeMetrc
from station.services import home, state_rules
from station.services.metrc import session
from station.services.records import backups
from station.services.tags import deadlines
from station.services.tags import stock as stock_service
from station.services.tags.assignment import assign_next
from station.services.tags.assignment_details import PackageDetails
from station.settings import load
from station.states import profiles
from tests.helpers.station import LICENSE, PACKAGE_PREFIX, Station, uid

OREGON = "OR-1000001-LIC"
MASS = "MA-2000002-LIC"
MISSOURI = "MO-3000003-LIC"
COLORADO = "CO-4000004-LIC"
MA_PREFIX = "1A4060300002EE30"
# The Metrc states of states.md 1.1.
STATES_1_1 = ("AK", "CA", "CO", "DC", "LA", "ME", "MD", "MA", "MI", "MO", "MT", "NV", "OH",
              "OK", "OR", "WV")  # fmt: skip


def test_the_profiles_list_every_rule_with_its_source(station: Station) -> None:
    listed = json.loads(station.ok("states", "--format", "json").out)
    codes = [profile["code"] for profile in listed]
    for wanted in ("CA", "OR", "MA", "MO", "OK", "CO", "OH", "MI", "NY"):
        assert wanted in codes
    # Every state of states.md 1.1 has a profile.
    assert set(STATES_1_1) <= set(codes)
    for profile in listed:
        for rule in profile["rules"]:
            assert rule["source"] and rule["tag"] in ("V", "V (secondary)", "I", "V / I"), rule
        known = {rule["rule"] for rule in profile["rules"]}
        assert known.isdisjoint(profile["not_known"])
        assert known | set(profile["not_known"]) == set(state_rules.RULES)
    california = next(p for p in listed if p["code"] == "CA")
    receipt = next(r for r in california["rules"] if r["rule"] == "receipt_days")
    assert (receipt["value"], receipt["source"]) == (3, "4 CCR §15048.3(a)(2)")
    oregon = next(p for p in listed if p["code"] == "OR")
    reconcile = next(r for r in oregon["rules"] if r["rule"] == "reconcile")
    assert reconcile["value"] == {"daily_by": "08:00"} and reconcile["tag"] == "V"
    assert "receipt_days" in oregon["not_known"]


def test_one_state_in_full_and_an_unknown_state_refused(station: Station) -> None:
    shown = station.ok("states", "show", "ma").out
    assert "most tags in one order: 5,000" in shown
    assert "[V] masscannabiscontrol.com/seed-to-sale-tracking" in shown
    assert "tag receipt recorded within (days): not known for MA" in shown
    table = station.ok("states").out
    assert "daily, by 08:00" in table and "not known" in table
    assert station.refused("states", "show", "ZZ") == (
        "no state profile for 'ZZ': the station has " + ", ".join(profiles.codes())
    )


def test_a_facility_has_a_state_default_california(station: Station) -> None:
    station.ok("facility", "add", LICENSE, "Green Leaf Farms")
    added = station.ok("facility", "add", OREGON, "Rose City", "--state", "or")
    assert f"added facility {OREGON} Rose City (OR)" in added.err
    listed = json.loads(station.ok("facility", "list", "--format", "json").out)
    assert [(f["license_number"], f["state"]) for f in listed] == [
        (LICENSE, "CA"),
        (OREGON, "OR"),
    ]
    before = station.dump()
    assert station.refused("facility", "add", "X-1", "Nowhere", "--state", "QQ").startswith(
        "no state profile for 'QQ'"
    )
    assert station.refused("facility", "state", LICENSE, "CA") == (
        f"facility {LICENSE} is already in CA"
    )
    assert station.dump() == before
    moved = station.ok("facility", "state", LICENSE, "NY")
    assert f"facility {LICENSE} moved from CA to NY" in moved.err


def test_an_existing_facility_becomes_californias_by_migration(station: Station) -> None:
    station.ok("facility", "add", LICENSE, "Green Leaf Farms", "--state", "OR")
    # The database as it was before migration 0017.
    station.execute(
        "ALTER TABLE facility DROP COLUMN state",
        "DELETE FROM schema_migration WHERE name = '0017_facility_state'",
    )
    listed = json.loads(station.ok("facility", "list", "--format", "json").out)
    assert listed[0]["state"] == "CA"


def test_a_massachusetts_order_over_5000_is_refused_and_changes_nothing(
    station: Station,
) -> None:
    station.ok("facility", "add", MASS, "Bay State Grow", "--state", "MA")
    before = station.dump()
    order = ("order", "add", "--license", MASS, "--type", "package", "--first",
             uid(MA_PREFIX, 1), "--order-date", "2026-11-20")  # fmt: skip
    said = station.refused(*order, "--count", "6000")
    assert said == (
        f"{MASS} is in MA, where one tag order holds at most 5,000 tags ([V] "
        "masscannabiscontrol.com/seed-to-sale-tracking); this one has 6,000: record Metrc's "
        "orders one by one"
    )
    assert "\n" not in said
    assert station.dump() == before
    station.ok(*order, "--count", "5000")


def test_missouris_holding_cap_refuses_an_order_and_caps_the_suggested_reorder(
    station: Station,
) -> None:
    station.ok("facility", "add", MISSOURI, "Show Me Farms", "--state", "MO")
    order = ("order", "add", "--license", MISSOURI, "--type", "package",
             "--order-date", "2026-11-20")  # fmt: skip
    station.ok(*order, "--first", uid(PACKAGE_PREFIX, 1), "--count", "1900")
    before = station.dump()
    said = station.refused(*order, "--first", uid(PACKAGE_PREFIX, 2001), "--count", "101")
    assert said.startswith(
        f"{MISSOURI} is in MO, where a facility holds at most 2,000 unused and ordered package "
        "tags ([V] themedcard.com"
    )
    assert said.endswith("it holds 1,900 and this order adds 101")
    assert station.dump() == before
    station.ok("receive", uid(PACKAGE_PREFIX, 1), uid(PACKAGE_PREFIX, 1900))
    # 1,800 used in the last 30 days: 3,600 wanted, the cap leaves room for 2,000 - 100.
    ctx = station.context()
    assign_next(ctx, PackageDetails("Flower", Decimal(1), "Grams", None, dt.date.today()), 1800)
    [row] = stock_service.stock(ctx)
    assert (row.on_hand, row.used_30_days) == (100, 1800)
    assert stock_service.suggest(100, 0, 1800, 21) == 2420
    assert row.suggested == 1900
    assert row.cost is None and "price" not in (row.price_source or "")
    table = station.ok("stock", "--format", "json").out
    assert json.loads(table)[0]["suggested_reorder"] == 1900


def test_tag_prices_feed_the_reorders_cost(station: Station) -> None:
    station.ok("facility", "add", OREGON, "Rose City", "--state", "OR")
    station.ok("order", "add", "--license", OREGON, "--type", "package", "--first",
               uid(PACKAGE_PREFIX, 1), "--count", "100", "--order-date", "2026-11-20")  # fmt: skip
    station.ok("receive", uid(PACKAGE_PREFIX, 1), uid(PACKAGE_PREFIX, 100))
    ctx = station.context()
    assign_next(ctx, PackageDetails("Flower", Decimal(1), "Grams", None, dt.date.today()), 60)
    [row] = json.loads(station.ok("stock", "--format", "json").out)
    # 60 in 30 days: 84 last twice 21 days; 40 on hand.
    assert row["suggested_reorder"] == 44
    assert row["reorder_cost"] == 11.0  # 44 at $0.25
    assert row["price_source"] == "[V] metrc.com/faq/oregon-faq"


def test_retail_id_where_the_state_has_none_is_refused_without_calling_metrc(
    station: Station, metrc: FakeMetrc
) -> None:
    station.ok("facility", "add", COLORADO, "Mile High", "--state", "CO")
    said = station.refused("retailid", "allotment", "--license", COLORADO)
    assert said.startswith(
        f"Retail ID is not available in CO, where {COLORADO} is: Metrc's API there has no "
        "Retail ID calls ([V] retail-id.md"
    )
    assert metrc.requests == []


def test_a_new_york_package_without_unit_codes_is_due(packaged: Station, metrc: FakeMetrc) -> None:
    assert not [item for item in _due(packaged) if item["kind"] == "retail-id"]
    packaged.ok("facility", "state", LICENSE, "NY")
    due = [item for item in _due(packaged) if item["kind"] == "retail-id"]
    assert [item["subject"] for item in due] == [
        f"package {uid(PACKAGE_PREFIX, 1)}",
        f"package {uid(PACKAGE_PREFIX, 2)}",
    ]
    assert due[0]["text"].startswith(
        f"package {uid(PACKAGE_PREFIX, 1)}: no unit codes generated; NY requires a Retail ID"
    )
    assert due[0]["rule"] == "required from 2026-03-01"
    packaged.ok("retailid", "generate", uid(PACKAGE_PREFIX, 1), "--quantity", "3")
    due = [item for item in _due(packaged) if item["kind"] == "retail-id"]
    assert due[0]["text"].startswith(
        f"package {uid(PACKAGE_PREFIX, 1)}: 3 unit labels of 3 not printed"
    )
    ctx = packaged.context()
    assert (
        "2 packages without every unit's Retail ID code and label where the state requires "
        "them (station due lists them)"
    ) in home.notices(ctx, backups.status(ctx))


def test_reconciliation_is_daily_in_oregon_and_every_30_days_in_california(
    station: Station,
) -> None:
    station.ok("facility", "add", LICENSE, "Green Leaf Farms")
    station.ok("facility", "add", OREGON, "Rose City", "--state", "OR")
    ctx = station.context()
    created = dt.datetime.now().astimezone()

    def due_at(moment: dt.datetime) -> list[dict[str, Any]]:
        ctx.clock = lambda: moment
        return [item.as_dict() for item in deadlines.due(ctx)]

    # Oregon's is due at 08:00 once a day has passed without a comparison; California's not.
    next_day = (created + dt.timedelta(days=1)).date()
    morning = dt.datetime.combine(next_day, dt.time(8)).astimezone()
    if morning < created + dt.timedelta(days=1):
        morning += dt.timedelta(days=1)
    found = due_at(morning - dt.timedelta(minutes=1))
    assert [i["kind"] for i in found if i["kind"] == "reconcile"] == []
    found = due_at(morning)
    [oregon] = [i for i in found if i["kind"] == "reconcile"]
    assert oregon["license_number"] == OREGON and oregon["rule"] == "daily, by 08:00"
    assert oregon["source"] == "[V] OAR 845-025-7520" and oregon["days_over"] == 0
    # Oregon's receipt deadline is not known: listed once, and not as due.
    assert [i for i in found if i["kind"] == "not-known"] == [
        {
            "kind": "not-known",
            "license_number": None,
            "subject": "OR receipt_days",
            "due_on": morning.date().isoformat(),
            "days_over": 0,
            "text": "tag receipt recorded within (days): not known for OR: no source states "
            "it, so nothing is listed as due by it",
            "rule": None,
            "source": None,
        }
    ]
    later = due_at(created + dt.timedelta(days=30, hours=1))
    california = [i for i in later if i["kind"] == "reconcile" and i["license_number"] == LICENSE]
    assert california[0]["rule"] == "every 30 days"
    assert california[0]["source"] == "[V] 4 CCR §15051, §15048.1(a)(8)"
    # On the command line too: exit 1 only for what is due, not for what is not known.
    result = station("due", "--format", "json")
    assert result.code == 0
    assert [i["kind"] for i in json.loads(result.out)] == ["not-known"]


def test_a_user_profile_sets_a_rule_and_its_use_is_audited(station: Station) -> None:
    folder = state_rules.user_folder(station.context().folders)
    folder.mkdir(parents=True, mode=0o700)
    (folder / "ma.toml").write_text(
        'code = "MA"\n\n[rules.order_max_tags]\nvalue = 10000\ntag = "V"\n'
        'source = "CCC bulletin 2026-12 (our compliance officer)"\n'
    )
    station.ok("facility", "add", MASS, "Bay State Grow", "--state", "MA")
    shown = station.ok("states", "show", "MA").out
    assert f"set in {folder / 'ma.toml'}" in shown
    station.ok("order", "add", "--license", MASS, "--type", "package", "--first",
               uid(MA_PREFIX, 1), "--count", "6000", "--order-date", "2026-11-20")  # fmt: skip
    events = json.loads(station.ok("audit", "--format", "json").out)
    [used] = [e for e in events if e["action"] == "state-rule.used"]
    assert "MA's order_max_tags" in used["summary"]


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ('code = "MA"\n[rules.order_max_tags]\nvalue = 10\ntag = "V"\n',
         "Object missing required field `source` - at `$.rules.order_max_tags`"),
        ('code = "MA"\n[rules.guess]\nvalue = 1\ntag = "V"\nsource = "me"\n',
         "Object contains unknown field `guess` - at `$.rules`"),
        ('code = "MA"\n[rules.order_max_tags]\nvalue = -5\ntag = "V"\nsource = "abc"\n',
         "Expected `int` >= 1 - at `$.rules.order_max_tags.value`"),
        ('code = "MA"\n[rules.order_max_tags]\nvalue = 5\ntag = "maybe"\nsource = "abc"\n',
         "Invalid enum value 'maybe' - at `$.rules.order_max_tags.tag`"),
        ('code = "OR"\n', "is for OR, not MA"),
        ("code = [", "Invalid value (at end of document)"),
    ],
)  # fmt: skip
def test_a_bad_user_profile_is_refused_in_one_line(station: Station, text: str, said: str) -> None:
    station.ok("facility", "add", MASS, "Bay State Grow", "--state", "MA")
    folder = state_rules.user_folder(station.context().folders)
    folder.mkdir(parents=True, mode=0o700)
    (folder / "ma.toml").write_text(text)
    before = station.dump()
    refused = station.refused("order", "add", "--license", MASS, "--type", "package",
                              "--first", uid(MA_PREFIX, 1), "--count", "10",
                              "--order-date", "2026-11-20")  # fmt: skip
    assert refused.startswith(f"state profile {folder / 'ma.toml'}")
    assert said in refused and "\n" not in refused
    assert station.dump() == before


def _due(station: Station) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = json.loads(station("due", "--format", "json").out)
    return found


def test_every_shipped_profile_reads(tmp_path: Path) -> None:
    for code in profiles.codes():
        profile = profiles.profile(code, tmp_path)
        assert profile.code == code and os.path.exists(profiles.SHIPPED / f"{code.lower()}.toml")


def test_each_facilitys_metrc_calls_go_to_its_states_api(
    station: Station, monkeypatch: pytest.MonkeyPatch
) -> None:
    station.ok("facility", "add", LICENSE, "Green Leaf Farms")
    station.ok("facility", "add", OREGON, "Rose City", "--state", "OR")
    monkeypatch.setenv("METRC_VENDOR_KEY", "vendor")
    monkeypatch.setenv("METRC_USER_KEY", "user")
    monkeypatch.delenv("METRC_URL", raising=False)
    ctx = station.context()
    ctx.settings = load()
    with session.clients(ctx, session.address_from_settings(ctx)) as opened:
        assert {c.license_number: c.url for c in opened} == {
            LICENSE: "https://api-ca.metrc.com",
            OREGON: "https://api-or.metrc.com",
        }
    sandbox = session.Address(None, None, True)
    assert sandbox.url_for("OR") == "https://sandbox-api-or.metrc.com"
    # METRC_URL (a sandbox, a test server) and --state still choose for every facility.
    assert session.Address("http://127.0.0.1:9", None, False).url_for("OR") == (
        "http://127.0.0.1:9"
    )
    assert session.Address(None, "mi", False).url_for("OR") == "https://api-mi.metrc.com"


def test_due_on_the_command_line_shows_oregons_daily_and_californias_30_days(
    station: Station,
) -> None:
    station.ok("facility", "add", LICENSE, "Green Leaf Farms")
    station.ok("facility", "add", OREGON, "Rose City", "--state", "OR")
    # Both added long enough ago (as if the station had run since): 31 and 2 days.
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    for license_number, days in ((LICENSE, 31), (OREGON, 2)):
        added = (now - dt.timedelta(days=days)).isoformat(sep=" ")
        station.execute(
            f"UPDATE facility SET created_at = '{added}' WHERE license_number = '{license_number}'"
        )
    result = station("due", "--format", "json")
    assert result.code == 1
    found = {
        item["license_number"]: (item["rule"], item["source"])
        for item in json.loads(result.out)
        if item["kind"] == "reconcile"
    }
    assert found == {
        LICENSE: ("every 30 days", "[V] 4 CCR §15051, §15048.1(a)(8)"),
        OREGON: ("daily, by 08:00", "[V] OAR 845-025-7520"),
    }
