"""RFID through the command line: a room counted against the records, a box received by
its reads, the pairing check, and reads that are bad (each changes nothing)."""

from __future__ import annotations

import datetime as dt
import json
import random
from pathlib import Path
from typing import Any

import pytest

from devtools import read_runs
from station.services.rfid import counts
from station.services.tags import deadlines
from tests.helpers.station import (
    LICENSE,
    OTHER_LICENSE,
    PACKAGE_PREFIX,
    Station,
    assign_packages,
    uid,
)

ROOM = "Vault A"
NEIGHBOUR_PREFIX = "1A4060300002EE99"  # a roll on no order here
OTHER_PREFIX = "1A4060300002EE50"  # another facility's


@pytest.fixture
def room(station: Station) -> Station:
    """1,000 tags in use in Vault A, 50 in Room B, 50 received and unassigned, 5 of them
    voided; another facility with 5 tags of its own."""
    station.ok("facility", "add", LICENSE, "Green Leaf Farms")
    station.ok("facility", "add", OTHER_LICENSE, "Other Farm")
    station.ok(
        "order", "add", "--license", LICENSE, "--type", "package", "--first",
        uid(PACKAGE_PREFIX, 1), "--count", "1100", "--order-date", "2026-11-20",
    )  # fmt: skip
    station.ok(
        "order", "add", "--license", OTHER_LICENSE, "--type", "package", "--first",
        uid(OTHER_PREFIX, 1), "--count", "5", "--order-date", "2026-11-20",
    )  # fmt: skip
    station.ok("receive", uid(PACKAGE_PREFIX, 1), uid(PACKAGE_PREFIX, 1100))
    for count, where in ((1000, ROOM), (50, "Room B")):
        assign_packages(station, count, where, LICENSE)
    for serial in range(1096, 1101):
        station.ok("void", uid(PACKAGE_PREFIX, serial), "--reason", "torn")
    return station


def the_room_read(tmp_path: Path, seed: int = 7) -> tuple[Path, dict[str, list[str]]]:
    """A read of Vault A: 950 of its 1,000 tags, 10 of Room B's, and 20 strays (5 of a
    neighbouring roll on no order, 5 voided, 5 another facility's, 5 no Metrc tag), in
    100,000-odd reads as a handheld app exports them."""
    rng = random.Random(seed)
    vault = [uid(PACKAGE_PREFIX, n) for n in range(1, 1001)]
    read = sorted(rng.sample(vault, 950))
    wrong = [uid(PACKAGE_PREFIX, n) for n in range(1001, 1011)]
    strays = {
        "on no order": read_runs.neighbours(NEIGHBOUR_PREFIX, 1, 5),
        "voided": [uid(PACKAGE_PREFIX, n) for n in range(1096, 1101)],
        f"another facility's tag ({OTHER_LICENSE})": [uid(OTHER_PREFIX, n) for n in range(1, 6)],
        "not a Metrc tag": read_runs.not_metrc(rng, 5),
    }
    present = read + wrong + [epc for group in strays.values() for epc in group]
    readings = read_runs.run(seed, present, 20_000, lower_case=0.3)
    path = tmp_path / "vault-a.csv"
    path.write_text(read_runs.as_csv(readings))
    missing = sorted(set(vault) - set(read))
    return path, {"seen": read, "missing": missing, "wrong": wrong, **strays}


def start(station: Station, *args: str) -> int:
    return int(station.ok("count", "start", "--license", LICENSE, *args).out)


def report(station: Station, count: int) -> dict[str, Any]:
    found: dict[str, Any] = json.loads(
        station.ok("count", "report", str(count), "--format", "json").out
    )
    return found


def test_a_count_of_a_room_reports_exactly_what_was_read(room: Station, tmp_path: Path) -> None:
    path, truth = the_room_read(tmp_path)
    count = start(room, "--room", "vault a ")  # rooms compare as people type them
    said = room.ok("count", "read", str(count), "--from", str(path)).err
    assert f"count {count}: 20,000 reads of 980 tags (980 new to the count, 980 in it)" in said
    found = report(room, count)
    assert set(found) == {"count", "seen", "missing", "strays", "wrong_room", "counts"}
    assert [e["uid"] for e in found["seen"]] == truth["seen"]
    assert found["missing"] == [{"uid": u, "reason": "not read"} for u in truth["missing"]]
    assert found["wrong_room"] == [
        {"uid": u, "reason": "recorded in Room B"} for u in truth["wrong"]
    ]
    strays = {(e.get("uid") or e.get("epc")): e["reason"] for e in found["strays"]}
    for reason in ("on no order", "voided", f"another facility's tag ({OTHER_LICENSE})"):
        assert {u: strays[u] for u in truth[reason]} == dict.fromkeys(truth[reason], reason)
    for epc in truth["not a Metrc tag"]:
        assert strays[epc].startswith("not a Metrc tag: a 128-bit EPC")
    assert len(strays) == 20
    counts = found["counts"]
    assert {k: counts[k] for k in ("expected", "seen", "missing", "strays", "wrong_room")} == {
        "expected": 1000, "seen": 950, "missing": 50, "strays": 20, "wrong_room": 10,
    }  # fmt: skip
    # 50 missing + 10 wrong room + 15 strays that are Metrc tags, of 1,000.
    assert counts["variance_percent"] == 7.5 and counts["flagged"] is True
    assert counts["reads"] == 20_000 and counts["not_metrc"] == 5
    table = room.ok("count", "report", str(count)).out
    assert "expected 1,000; seen 950; missing 50; strays 20 (5 not Metrc); wrong room 10" in table
    assert "variance 7.5%: 75 differences" in table and "FLAGGED" in table
    csv_lines = room.ok("count", "report", str(count), "--format", "csv").lines
    assert csv_lines[0] == "list,uid,epc,reason" and len(csv_lines) == 1 + 950 + 50 + 20 + 10


def test_a_count_goes_on_in_passes_and_on_another_station(room: Station, tmp_path: Path) -> None:
    """An unfinished count is resumed: a second pass (after a crash, or at another station
    on the same database) adds to it, and a tag read in both counts once."""
    count = start(room, "--room", ROOM)
    first, second = tmp_path / "one.txt", tmp_path / "two.txt"
    first.write_text("".join(f"{uid(PACKAGE_PREFIX, n)}\n" for n in range(1, 601)))
    second.write_text("".join(f"{uid(PACKAGE_PREFIX, n)}\n" for n in range(501, 1001)))
    room.ok("count", "read", str(count), "--from", str(first))
    assert report(room, count)["counts"]["missing"] == 400
    said = room.ok("count", "read", str(count), "--from", str(second), operator="other").err
    assert "(400 new to the count, 1,000 in it)" in said
    counts = report(room, count)["counts"]
    assert (counts["seen"], counts["missing"], counts["reads"]) == (1000, 0, 1100)
    assert counts["variance_percent"] == 0.0 and counts["flagged"] is False


def test_one_count_is_open_per_room(room: Station) -> None:
    count = start(room, "--room", ROOM)
    assert room.refused("count", "start", "--license", LICENSE, "--room", " VAULT a") == (
        f"count {count} of {ROOM} at {LICENSE} is already open; add reads to it: "
        f"station count read {count}"
    )
    other = start(room, "--room", "Room B")
    whole = start(room)
    assert len({count, other, whole}) == 3
    listed = room.ok("count", "list", "--open").out
    assert "(all)" in listed and "Room B" in listed


def test_finishing_a_count_records_the_reconciliation(room: Station, tmp_path: Path) -> None:
    path, _ = the_room_read(tmp_path)
    count = start(room, "--room", ROOM)
    room.ok("count", "read", str(count), "--from", str(path))
    ctx = room.context()
    later = dt.datetime.now().astimezone() + dt.timedelta(days=31)
    ctx.clock = lambda: later
    due = [i.as_dict() for i in deadlines.due(ctx) if i.kind == "reconcile"]
    assert [i["license_number"] for i in due] == [LICENSE, OTHER_LICENSE]
    # Finished that day, the count is the facility's comparison: due no more.
    counts.finish(ctx, count)
    due = [i.as_dict() for i in deadlines.due(ctx) if i.kind == "reconcile"]
    assert [i["license_number"] for i in due] == [OTHER_LICENSE]
    said = room.ok("count", "report", str(count)).out
    assert "expected 1,000; seen 950; missing 50" in said and "finished" in said
    events = json.loads(room.ok("audit", "--format", "json").out)
    finish = next(e for e in events if e["action"] == "count finish")
    assert finish["summary"] == (
        f"count {count} of {ROOM} at {LICENSE} finished: 950 of 1,000 seen, 50 missing, "
        "20 strays, 10 in the wrong room"
    )
    assert room.refused("count", "read", str(count), "--from", str(path)) == (
        f"count {count} was finished; to count again: station count start"
    )
    assert room.refused("count", "finish", str(count)).startswith(
        f"count {count} was already finished"
    )
    assert (
        json.loads(room.ok("count", "report", str(count), "--format", "json").out)["count"][
            "finished_by"
        ]
        == "tester"
    )


def test_receipt_by_rfid_records_exactly_the_ordered_tags_read(
    stocked: Station, tmp_path: Path
) -> None:
    """A box of order 1 read with neighbours: tags of the plant order, a roll on no order,
    and no-Metrc EPCs. Only order 1's tags read are received, in one audited step."""
    stocked.ok("receive", uid(PACKAGE_PREFIX, 1), uid(PACKAGE_PREFIX, 10))
    rng = random.Random(3)
    box = [uid(PACKAGE_PREFIX, n) for n in range(1, 301) if n != 150]  # 1-10 already here
    others = (
        [uid("1A4060300002EE20", n) for n in range(1, 4)]
        + read_runs.neighbours(NEIGHBOUR_PREFIX, 1, 3)
        + read_runs.not_metrc(rng, 2)
    )
    path = tmp_path / "box.txt"
    path.write_text(read_runs.as_lines(read_runs.run(5, box + others, 3000, lower_case=0.5)))
    before = stocked.dump(without=("audit",))
    result = stocked.ok("receive", "--rfid", str(path), "--order", "1", "--yes")
    assert "3,000 reads of 307 tags for " + LICENSE in result.err
    assert (
        "order 1 (package, 2026-11-20): 289 read of 490 to receive (500 ordered); still "
        f"missing 201: {uid(PACKAGE_PREFIX, 150)}, {uid(PACKAGE_PREFIX, 301)}.."
        f"{uid(PACKAGE_PREFIX, 500)} (200 tags)"
    ) in result.err
    assert "already received (10), not received again: " in result.err
    assert "strays (8), not received:" in result.err
    assert "received 289 tags" in result.err
    statuses = {
        row["uid"]: row["status"] for row in json.loads(stocked.ok("tags", "--format", "json").out)
    }
    received = {u for u, s in statuses.items() if s == "received"}
    assert received == {uid(PACKAGE_PREFIX, n) for n in range(1, 301) if n != 150}
    assert statuses[uid("1A4060300002EE20", 1)] == "ordered"
    events = json.loads(stocked.ok("audit", "--format", "json").out)
    event = next(e for e in events if e["action"] == "receive" and "RFID" in e["summary"])
    assert event["summary"] == f"received 289 tags read by RFID ({path})"
    assert event["tag_count"] == 289
    changed = [line for line in stocked.dump(without=("audit",)) if line not in before]
    assert sorted(line.split("(")[0] for line in changed) == ["tag: "] * 289 + ["tag_tally: "] * 2


def test_a_box_with_nothing_to_receive_changes_nothing(stocked: Station, tmp_path: Path) -> None:
    path = tmp_path / "strays.txt"
    path.write_text("".join(f"{u}\n" for u in read_runs.neighbours(NEIGHBOUR_PREFIX, 1, 4)))
    assert stocked.refused("receive", "--rfid", str(path), "--yes") == (
        f"none of the 4 tags read is an ordered tag to receive at {LICENSE}: 4 on no order"
    )
    # Declined at the question: nothing received.
    good = tmp_path / "good.txt"
    good.write_text(f"{uid(PACKAGE_PREFIX, 1)}\n")
    before = stocked.dump()
    result = stocked("receive", "--rfid", str(good), stdin="n\n")
    assert result.code == 1 and result.err.endswith(
        "receive this tag? [y/N]: nothing was received\n"
    )
    assert stocked.dump() == before


@pytest.mark.parametrize(
    ("content", "wanted"),
    [
        (
            "Time,Antenna,RSSI\n1,2,3\n",
            "no EPC column in the header (Time, Antenna, RSSI); name one EPC",
        ),
        ("EPC,RSSI\n" + "A" * 5000 + "\n", "line 2 is over 4,096 characters; is this an export?"),
    ],
)
def test_a_file_that_is_no_export_is_refused(
    stocked: Station, tmp_path: Path, content: str, wanted: str
) -> None:
    path = tmp_path / "reads.csv"
    path.write_text(content)
    count = start(stocked)
    assert stocked.refused("count", "read", str(count), "--from", str(path)).endswith(wanted)
    assert stocked.refused("receive", "--rfid", str(path), "--yes").endswith(wanted)


@pytest.mark.parametrize(
    ("args", "wanted"),
    [
        (("--from", "http://reader/"), "'http://reader/' is no reader the station knows: "),
        (("--from", "missing.csv"), "cannot read 'missing.csv': No such file or directory"),
        (("--from", "-", "--seconds", "0"), "--seconds must be more than 0 and at most 86400"),
        (("--from", "llrp://reader:99999"), "'llrp://reader:99999': the port must be a number"),
    ],
)
def test_bad_sources_are_refused(stocked: Station, args: tuple[str, ...], wanted: str) -> None:
    count = start(stocked)
    assert wanted in stocked.refused("count", "read", str(count), *args)


def test_unknown_counts_and_stdin_without_yes_are_refused(stocked: Station) -> None:
    assert stocked.refused("count", "read", "9", "--from", "-") == "there is no count 9"
    assert stocked.refused("count", "report", "9") == "there is no count 9"
    result = stocked("receive", "--rfid", "-", stdin=f"{uid(PACKAGE_PREFIX, 1)}\n")
    assert result.code == 2 and "add --yes" in result.err


def test_reads_on_stdin_and_values_that_are_no_tag(stocked: Station) -> None:
    """Every read is counted: hex in lower case is the same EPC; what is no EPC is kept as
    read, never upper-cased into a UID."""
    count = start(stocked)
    lines = [
        uid(PACKAGE_PREFIX, 1).lower(),
        uid(PACKAGE_PREFIX, 1),
        "1a4060300002Ee1000000002",  # mixed case: no reader's
        "1A4060300002EO1000000003",  # a letter O
        "E28011606000020",  # odd length
        "",
    ]
    stocked.ok("count", "read", str(count), "--from", "-", stdin="\n".join(lines) + "\n")
    strays = {e.get("uid") or e.get("epc"): e["reason"] for e in report(stocked, count)["strays"]}
    assert strays == {
        uid(PACKAGE_PREFIX, 1): "ordered, not received yet",
        "1a4060300002Ee1000000002": "not a Metrc tag: mixed-case hex, which no reader sends",
        "1A4060300002EO1000000003": "not a Metrc tag: not hex",
        "E28011606000020": "not a Metrc tag: a 60-bit EPC (a Metrc UID is 96 bits)",
    }


def test_the_pairing_check_learns_an_epc_that_is_not_its_uid(
    received: Station, tmp_path: Path
) -> None:
    printed = uid(PACKAGE_PREFIX, 7)
    same = tmp_path / "same.txt"
    same.write_text(f"{printed}\n")
    assert received.ok("rfid", "check", "--uid", printed, "--from", str(same)).out == (
        f"{printed}: the EPC is the printed UID (checked on this reader; recorded)\n"
    )
    other_epc = "E2801160600002084C5A1234"
    other = tmp_path / "other.txt"
    other.write_text(f"{other_epc}\n{other_epc}\n")
    said = received.ok("rfid", "check", "--uid", printed, "--from", str(other)).out
    assert said == f"{printed}: the EPC is {other_epc}; learned, its reads count as {printed}\n"
    # The learned EPC now counts as the tag.
    count = start(received)
    received.ok("count", "read", str(count), "--from", str(other))
    assert {"uid": printed, "reason": "read 2 times"} in report(received, count)["seen"]
    # Two tags read, a neighbour's UID, or no read: refused, nothing learned.
    two = tmp_path / "two.txt"
    two.write_text(f"{uid(PACKAGE_PREFIX, 8)}\nE2801160600002084C5A9999\n")
    assert received.refused("rfid", "check", "--uid", printed, "--from", str(two)).startswith(
        "2 different tags were read and none is "
    )
    neighbour = tmp_path / "neighbour.txt"
    neighbour.write_text(f"{uid(PACKAGE_PREFIX, 8)}\n")
    assert received.refused("rfid", "check", "--uid", printed, "--from", str(neighbour)) == (
        f"the tag read is {uid(PACKAGE_PREFIX, 8)}, another tag on the station: hold only "
        f"{printed} to the reader; nothing was learned"
    )
    empty = tmp_path / "empty.txt"
    empty.write_text("")
    assert received.refused("rfid", "check", "--uid", printed, "--from", str(empty)) == (
        "no tag was read: hold the tag to the reader and try again"
    )
    eighth = uid(PACKAGE_PREFIX, 8)
    assert received.refused("rfid", "check", "--uid", eighth, "--from", str(other)) == (
        f"EPC {other_epc} was learned as {printed}, not {eighth}; nothing was changed"
    )


def test_a_pass_of_reading_is_one_audit_event(received: Station, tmp_path: Path) -> None:
    count = start(received)
    path = tmp_path / "reads.txt"
    path.write_text("".join(f"{uid(PACKAGE_PREFIX, n)}\n" for n in range(1, 101)) * 3)
    received.ok("count", "read", str(count), "--from", str(path))
    events = [
        e for e in json.loads(received.ok("audit", "--format", "json").out)
        if e["action"] == "count read"
    ]  # fmt: skip
    assert [e["summary"] for e in events] == [f"count {count}: 300 reads of 100 EPCs, 100 new"]
