"""The README's walk-through: order, receive in parts, assign, void, and read it all back."""

from __future__ import annotations

import json

import pytest

from tests.helpers.station import FACILITY, LICENSE, PACKAGE_PREFIX, PLANT_PREFIX, Station, uid


def test_facility_add_and_list(station: Station) -> None:
    added = station.ok("facility", "add", "c11-0000001-lic", FACILITY)
    assert "added facility C11-0000001-LIC Green Leaf Farms (CA)" in added.err
    listed = json.loads(station.ok("facility", "list", "--format", "json").out)
    assert listed == [
        {
            "license_number": LICENSE,
            "facility_name": FACILITY,
            "state": "CA",
            "created_at": listed[0]["created_at"],
        }
    ]


def test_order_list_counts_each_state(stocked: Station) -> None:
    orders = json.loads(stocked.ok("order", "list", "--format", "json").out)
    assert [(o["id"], o["type"], o["total"], o["ordered"]) for o in orders] == [
        (1, "package", 500, 500),
        (2, "plant", 100, 100),
    ]
    assert orders[0]["order_number"] == "4471"
    assert orders[0]["ranges"] == [
        f"{uid(PACKAGE_PREFIX, 1)}..{uid(PACKAGE_PREFIX, 500)} (500 tags)"
    ]
    assert orders[0]["days_open"] is not None


def test_receive_in_two_partial_steps_shows_what_is_missing(stocked: Station) -> None:
    first = stocked.ok("receive", uid(PACKAGE_PREFIX, 1), uid(PACKAGE_PREFIX, 250))
    assert "received 250 tags" in first.err
    assert "250 of 500 received, 250 still missing" in first.err
    second = stocked.ok("receive", uid(PACKAGE_PREFIX, 251), uid(PACKAGE_PREFIX, 500))
    assert "500 of 500 received, complete" in second.err
    orders = json.loads(stocked.ok("order", "list", "--format", "json").out)
    assert orders[0]["received"] == 500 and orders[0]["days_open"] is None


def test_receive_scans_from_stdin_normalizes_each_line(stocked: Station) -> None:
    one, two = uid(PLANT_PREFIX, 1), uid(PLANT_PREFIX, 2)
    scans = f"]C0{one.lower()}\r\n\n  {two}  \n{two}\n"
    result = stocked.ok("receive", "-", stdin=scans)
    assert "received 2 tags" in result.err
    statuses = json.loads(stocked.ok("tags", "--status", "received", "--format", "json").out)
    assert [t["uid"] for t in statuses] == [uid(PLANT_PREFIX, 1), uid(PLANT_PREFIX, 2)]


def test_receive_over_a_partly_received_range_takes_the_rest(stocked: Station) -> None:
    stocked.ok("receive", uid(PLANT_PREFIX, 1), uid(PLANT_PREFIX, 10))
    result = stocked.ok("receive", uid(PLANT_PREFIX, 1), uid(PLANT_PREFIX, 100))
    assert "received 90 tags (10 already received)" in result.err


def test_assign_120_packages_takes_the_lowest_contiguous_run(received: Station) -> None:
    result = received.ok(
        "assign",
        "package",
        "--count",
        "120",
        "--item",
        "Blue Dream 3.5g",
        "--quantity",
        "3.5",
        "--unit",
        "Grams",
        "--batch",
        "BD-1101",
        "--date",
        "2026-11-25",
    )
    assert result.lines == [uid(PACKAGE_PREFIX, n) for n in range(1, 121)]
    assert "assigned 120 package tags to batch 1 (one contiguous run)" in result.err
    tag = json.loads(received.ok("tag", uid(PACKAGE_PREFIX, 7), "--format", "json").out)
    assert tag["status"] == "used"
    assert (tag["item"], tag["quantity"], tag["unit"]) == ("Blue Dream 3.5g", "3.5", "Grams")
    assert (tag["production_batch"], tag["packaged_date"]) == ("BD-1101", "2026-11-25")
    batch = json.loads(received.ok("tags", "--batch", "1", "--format", "json").out)
    assert len(batch) == 120


def test_assign_prefers_a_contiguous_run_over_scattered_lower_tags(received: Station) -> None:
    # Leave holes low down: 1-10 received, 11 voided, 12-20 received, 21 voided, 22-500 received.
    received.ok("void", uid(PACKAGE_PREFIX, 11), uid(PACKAGE_PREFIX, 21), "--reason", "torn")
    result = received.ok(
        "assign",
        "package",
        "--count",
        "15",
        "--item",
        "Pre-roll",
        "--quantity",
        "1",
        "--unit",
        "Each",
    )
    assert result.lines == [uid(PACKAGE_PREFIX, n) for n in range(22, 37)]


def test_assign_falls_back_to_lowest_tags_when_no_run_is_long_enough(stocked: Station) -> None:
    odd = [uid(PLANT_PREFIX, n) for n in (3, 5, 7, 9)]
    stocked.ok("receive", "-", stdin="\n".join(odd))
    result = stocked.ok("assign", "plant", "--count", "3", "--strain", "OG Kush")
    assert result.lines == odd[:3]
    assert "no contiguous run was long enough" in result.err


def test_assign_three_scanned_plant_tags(received: Station) -> None:
    scans = "\n".join(uid(PLANT_PREFIX, n) for n in (40, 2, 17))
    result = received.ok(
        "assign",
        "plant",
        "--tags",
        "-",
        "--strain",
        "Blue Dream",
        "--location",
        "Veg Room",
        "--phase",
        "vegetative",
        stdin=scans,
    )
    assert result.lines == [uid(PLANT_PREFIX, n) for n in (2, 17, 40)]
    tag = json.loads(received.ok("tag", uid(PLANT_PREFIX, 17), "--format", "json").out)
    assert (tag["strain"], tag["location"], tag["growth_phase"]) == (
        "Blue Dream",
        "Veg Room",
        "Vegetative",
    )


def test_assign_tags_from_a_file(received: Station, tmp_path: object) -> None:
    path = received.path.parent / "scans.txt"
    path.write_text(f"{uid(PACKAGE_PREFIX, 300)}\n{uid(PACKAGE_PREFIX, 301)}\n")
    result = received.ok(
        "assign",
        "package",
        "--tags",
        str(path),
        "--count",
        "2",
        "--item",
        "Flower",
        "--quantity",
        "28",
        "--unit",
        "Grams",
    )
    assert result.lines == [uid(PACKAGE_PREFIX, 300), uid(PACKAGE_PREFIX, 301)]


def test_void_then_every_step_is_in_the_tag_history_and_audit(received: Station) -> None:
    received.ok(
        "assign", "package", "--count", "1", "--item", "Flower", "--quantity", "1", "--unit", "Each"
    )
    voided = received.ok("void", uid(PACKAGE_PREFIX, 2), "--reason", "damaged in printer")
    assert "voided 1 tag" in voided.err

    history = json.loads(received.ok("tag", uid(PACKAGE_PREFIX, 2), "--format", "json").out)
    assert history["status"] == "voided" and history["void_reason"] == "damaged in printer"
    assert [event["action"] for event in history["history"]] == ["order.add", "receive", "void"]
    text = received.ok("tag", uid(PACKAGE_PREFIX, 1)).out
    assert "status: used" in text and "assign.package" in text

    audit = json.loads(received.ok("audit", "--format", "json").out)
    assert [event["action"] for event in audit] == [
        "facility.add",
        "order.add",
        "order.add",
        "receive",
        "receive",
        "assign.package",
        "void",
    ]
    assert all(event["operator"] == "tester" and event["at"].endswith("+00:00") for event in audit)
    assert audit[-1]["uids"] == [uid(PACKAGE_PREFIX, 2)]
    assert len(audit[3]["uids"]) == 500
    assert audit[5]["uids"] == [uid(PACKAGE_PREFIX, 1)]

    only = json.loads(received.ok("audit", "--uid", uid(PACKAGE_PREFIX, 2), "--format", "json").out)
    assert [event["action"] for event in only] == ["order.add", "receive", "void"]


def test_operator_comes_from_the_environment(
    station: Station, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("STATION_OPERATOR", "dana")
    assert station("facility", "add", LICENSE, FACILITY, operator=None).code == 0
    audit = json.loads(station.ok("audit", "--format", "json").out)
    assert audit[0]["operator"] == "dana"


def test_tags_listing_formats_and_filters(received: Station) -> None:
    received.ok("void", uid(PLANT_PREFIX, 5), "--reason", "lost")
    csv_out = received.ok("tags", "--type", "plant", "--status", "voided", "--format", "csv").out
    header, row = csv_out.splitlines()
    assert header.split(",")[:6] == [
        "uid",
        "type",
        "status",
        "license_number",
        "facility_name",
        "order_id",
    ]
    assert row.startswith(f"{uid(PLANT_PREFIX, 5)},plant,voided,{LICENSE},{FACILITY},2,")
    table = received.ok("tags", "--order", "2", "--status", "voided").out
    assert uid(PLANT_PREFIX, 5) in table and "UID" in table.splitlines()[0]
    everything = json.loads(received.ok("tags", "--format", "json").out)
    assert len(everything) == 600
    assert {"uid", "type", "status", "license_number", "facility_name", "order_date"} <= set(
        everything[0]
    )
    assert json.loads(received.ok("tags", "--status", "used", "--format", "json").out) == []


def test_audit_csv_has_a_header_and_every_event(received: Station) -> None:
    lines = received.ok("audit", "--format", "csv").out.splitlines()
    assert lines[0] == "id,at,operator,approved_by,action,summary,tag_count,uids,details,hash"
    assert len(lines) == 1 + 5


def test_one_of_a_thing_is_singular(station: Station) -> None:
    station.ok("facility", "add", LICENSE, FACILITY)
    station.ok(
        "order", "add", "--license", LICENSE, "--type", "package", "--first",
        uid(PACKAGE_PREFIX, 1), "--count", "1", "--order-date", "2026-11-20",
    )  # fmt: skip
    events = json.loads(station.ok("audit", "--format", "json").out)
    assert events[-1]["summary"] == f"recorded package order 1 for {LICENSE}: 1 tag ordered"
