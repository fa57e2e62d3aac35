"""Mistakes corrected from the command line, each audited, each refusal changing nothing:
a facility's name, a receipt recorded by mistake, a printer's settings and the default printer."""

from __future__ import annotations

import json
import os
import pty
import subprocess
import sys
from pathlib import Path

import pytest

from devtools.fakes.metrc import FakeMetrc
from tests.helpers.station import FACILITY, LICENSE, PACKAGE_PREFIX, PLANT_PREFIX, Station, uid


def audit_actions(station: Station) -> list[str]:
    return [event["action"] for event in json.loads(station.ok("audit", "--format", "json").out)]


# --- facility rename -----------------------------------------------------------------------


def test_a_renamed_facility_prints_its_new_name(received: Station, tmp_path: Path) -> None:
    said = received.ok("facility", "rename", LICENSE.lower(), "  Green Leaf Farms LLC ").err
    assert said == f"renamed facility {LICENSE} from {FACILITY} to Green Leaf Farms LLC\n"
    label = tmp_path / "label.zpl"
    received.ok("render", uid(PACKAGE_PREFIX, 1), "--template", "uid-3x1-203",
                "--format", "zpl", "-o", str(label))  # fmt: skip
    assert b"^FDGreen Leaf Farms LLC^FS" in label.read_bytes()
    assert "Green Leaf Farms LLC" in received.ok("facility", "list").out
    event = json.loads(received.ok("audit", "--format", "json").out)[-1]
    assert event["action"] == "facility.rename"
    assert event["details"] == {
        "license_number": LICENSE,
        "old_name": FACILITY,
        "name": "Green Leaf Farms LLC",
    }


def test_renaming_refuses_what_would_be_wrong(stocked: Station) -> None:
    assert stocked.refused("facility", "rename", "C11-9999999-LIC", "X").startswith(
        "unknown facility 'C11-9999999-LIC'"
    )
    assert stocked.refused("facility", "rename", LICENSE, "   ") == "facility name is empty"
    assert stocked.refused("facility", "rename", LICENSE, FACILITY) == (
        f"facility {LICENSE} is already named '{FACILITY}'"
    )
    assert "control character" in stocked.refused("facility", "rename", LICENSE, "Green\x1bLeaf")
    assert "at most 200" in stocked.refused("facility", "rename", LICENSE, "G" * 201)


# --- unreceive -------------------------------------------------------------------------------


def test_a_wrong_roll_goes_back_to_ordered(stocked: Station) -> None:
    stocked.ok("receive", uid(PACKAGE_PREFIX, 1), uid(PACKAGE_PREFIX, 100))
    said = stocked.ok("unreceive", uid(PACKAGE_PREFIX, 51), uid(PACKAGE_PREFIX, 120),
                      "--reason", "wrong roll scanned").err  # fmt: skip
    assert said == "50 tags back to ordered (20 were not received)\n"
    statuses = json.loads(stocked.ok("tags", "--type", "package", "--format", "json").out)
    received = [t["uid"] for t in statuses if t["status"] == "received"]
    assert received == [uid(PACKAGE_PREFIX, n) for n in range(1, 51)]
    back = next(t for t in statuses if t["uid"] == uid(PACKAGE_PREFIX, 51))
    assert back["status"] == "ordered" and back["received_at"] is None
    event = json.loads(stocked.ok("audit", "--format", "json").out)[-1]
    assert event["action"] == "unreceive" and event["tag_count"] == 50
    assert event["details"]["reason"] == "wrong roll scanned"
    assert event["uids"] == [uid(PACKAGE_PREFIX, n) for n in range(51, 101)]
    # They can be received again, as when the roll really arrives.
    stocked.ok("receive", uid(PACKAGE_PREFIX, 51), uid(PACKAGE_PREFIX, 60))


def test_scanned_tags_go_back_one_by_one(stocked: Station) -> None:
    stocked.ok("receive", uid(PLANT_PREFIX, 1), uid(PLANT_PREFIX, 10))
    scans = f"{uid(PLANT_PREFIX, 3)}\n{uid(PLANT_PREFIX, 7)}\n{uid(PLANT_PREFIX, 3)}\n"
    said = stocked.ok("unreceive", "-", "--reason", "scanned twice", stdin=scans).err
    assert said == "2 tags back to ordered\n"
    assert audit_actions(stocked)[-1] == "unreceive"


def test_unreceive_refuses_used_voided_unknown_and_nothing_to_do(stocked: Station) -> None:
    stocked.ok("receive", uid(PACKAGE_PREFIX, 1), uid(PACKAGE_PREFIX, 20))
    stocked.ok("assign", "package", "--count", "2", "--item", "Flower", "--quantity", "1",
               "--unit", "Grams")  # fmt: skip
    stocked.ok("void", uid(PACKAGE_PREFIX, 10), "--reason", "torn")
    why = "--reason", "mistake"
    assert stocked.refused("unreceive", uid(PACKAGE_PREFIX, 1), uid(PACKAGE_PREFIX, 20), *why) == (
        "3 tags of the range 1A4060300002EE1000000001..1A4060300002EE1000000020 (20 tags) are "
        "used or voided (1A4060300002EE1000000001 is used); a used or voided tag is never taken "
        "back; nothing was changed"
    )
    assert "is voided" in stocked.refused("unreceive", uid(PACKAGE_PREFIX, 10), *why)
    assert stocked.refused("unreceive", uid(PACKAGE_PREFIX, 30), *why) == (
        "nothing to take back: no tag of the range 1A4060300002EE1000000030 is received"
    )
    assert stocked.refused("unreceive", uid(PACKAGE_PREFIX, 499), uid(PACKAGE_PREFIX, 502),
                           *why).startswith("2 of the range ")  # fmt: skip
    unknown = f"{uid(PACKAGE_PREFIX, 11)}\n{uid('1A4060300009999A', 1)}\n"
    assert stocked.refused("unreceive", "-", *why, stdin=unknown) == (
        "1 of the 2 scanned tags is on no order; nothing was changed"
    )
    assert stocked.refused("unreceive", uid(PACKAGE_PREFIX, 11), "--reason", " ") == (
        "reason is empty"
    )
    result = stocked("unreceive", uid(PACKAGE_PREFIX, 11))
    assert result.code == 2 and "--reason" in result.err  # a usage error: no reason given


# --- printer set and default -----------------------------------------------------------------


def test_print_without_printer_uses_the_default_or_station_printer(
    received: Station, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = uid(PACKAGE_PREFIX, 1)
    assert received.refused("print", first) == (
        "no printer chosen: pass --printer NAME, set STATION_PRINTER, or make one the default "
        "with station printer default NAME"
    )
    received.ok("printer", "add", "office", "--driver", "pdf",
                "--connection", f"spool://{tmp_path / 'office'}")  # fmt: skip
    assert received.ok("printer", "default", "office").err == "printer office is the default\n"
    assert "job 1: 1 label to office" in received.ok("print", first).err
    [sent] = (tmp_path / "office").glob("*.prn")
    assert sent.read_bytes().startswith(b"%PDF")
    monkeypatch.setenv("STATION_PRINTER", "spool")
    assert "job 2: 1 label to spool" in received.ok("print", uid(PACKAGE_PREFIX, 2)).err
    monkeypatch.setenv("STATION_PRINTER", "nowhere")
    assert received.refused("print", uid(PACKAGE_PREFIX, 3)).startswith(
        "no printer named 'nowhere'"
    )
    monkeypatch.delenv("STATION_PRINTER")
    said = received.ok("printer", "default", "spool").err
    assert said == "printer spool is the default\n"
    listed = json.loads(received.ok("printer", "list", "--format", "json").out)
    assert {p["name"]: p["default"] for p in listed} == {"office": False, "spool": True}
    defaults = [e for e in json.loads(received.ok("audit", "--format", "json").out)
                if e["action"] == "printer.default"]  # fmt: skip
    assert [e["details"] for e in defaults] == [
        {"name": "office", "was": None},
        {"name": "spool", "was": "office"},
    ]
    assert received.refused("printer", "default", "spool") == "printer spool is the default already"
    assert received.refused("printer", "default", "ghost").startswith("no printer named 'ghost'")


def test_printer_set_changes_what_is_given_checked_as_when_added(received: Station) -> None:
    said = received.ok("printer", "set", "spool", "--template", "package-4x2-203").err
    assert said == "printer spool: zpl at spool:, 203 dpi, template package-4x2-203\n"
    event = json.loads(received.ok("audit", "--format", "json").out)[-1]
    assert event["action"] == "printer.set"
    assert event["details"]["changed"] == {
        "template": {"from": "uid-3x1-203", "to": "package-4x2-203"}
    }
    assert received.refused("printer", "set", "spool") == (
        "nothing to change: give --template, --connection or --dpi"
    )
    assert received.refused("printer", "set", "spool", "--template", "package-4x2-203") == (
        "printer spool is already set that way"
    )
    assert "escpos" in received.refused("printer", "set", "spool", "--template", "escpos-80mm")
    assert received.refused("printer", "set", "spool", "--connection", "gopher://x").startswith(
        "unknown connection 'gopher://x'"
    )
    assert received.refused("printer", "set", "spool", "--template", "no-such").startswith(
        "no template named 'no-such'"
    )
    assert received.refused("printer", "set", "ghost", "--dpi", "300").startswith(
        "no printer named 'ghost'"
    )


# --- order edit --------------------------------------------------------------------------------


def test_an_order_recorded_wrong_is_corrected_with_its_tags(stocked: Station) -> None:
    said = stocked.ok(
        "order", "edit", "2", "--type", "package", "--order-date", "2026-11-19",
        "--order-number", "4480", "--reason", "typed from the wrong slip",
    ).err  # fmt: skip
    assert said == (
        "corrected order 2: tag type plant -> package, order date 2026-11-20 -> 2026-11-19, "
        "order number None -> 4480\n"
    )
    listed = {o["id"]: o for o in json.loads(stocked.ok("order", "list", "--format", "json").out)}
    assert (listed[2]["type"], listed[2]["order_date"], listed[2]["order_number"]) == (
        "package", "2026-11-19", "4480",
    )  # fmt: skip
    tags = json.loads(stocked.ok("tags", "--order", "2", "--format", "json").out)
    assert {t["type"] for t in tags} == {"package"} and len(tags) == 100
    event = json.loads(stocked.ok("audit", "--format", "json").out)[-1]
    assert event["action"] == "order.edit" and event["tag_count"] == 100
    assert event["details"]["reason"] == "typed from the wrong slip"
    stocked.ok("order", "edit", "2", "--order-number", "", "--reason", "no number on the tags")
    listed = {o["id"]: o for o in json.loads(stocked.ok("order", "list", "--format", "json").out)}
    assert listed[2]["order_number"] is None


def test_an_order_with_tags_received_used_or_voided_is_not_edited(stocked: Station) -> None:
    stocked.ok("receive", uid(PACKAGE_PREFIX, 1), uid(PACKAGE_PREFIX, 3))
    stocked.ok("void", uid(PACKAGE_PREFIX, 9), "--reason", "torn")
    assert stocked.refused("order", "edit", "1", "--type", "plant", "--reason", "x") == (
        "order 1 has 3 received, 1 voided of its 500 tags; only an order whose tags are all "
        "still ordered can be corrected"
    )
    why = "--reason", "mistake"
    assert stocked.refused("order", "edit", "2", *why) == (
        "nothing to change: give --type, --order-date or --order-number"
    )
    assert stocked.refused("order", "edit", "2", "--type", "plant", *why) == (
        "order 2 already says that; nothing to change"
    )
    assert "after today" in stocked.refused("order", "edit", "2", "--order-date", "2999-01-01",
                                            *why)  # fmt: skip
    assert stocked.refused("order", "edit", "9", "--type", "plant", *why) == "no order 9"
    assert stocked.refused("order", "edit", "2", "--type", "package", "--reason", "") == (
        "reason is empty"
    )


def test_an_order_recorded_in_error_is_deleted_and_its_history_stays(stocked: Station) -> None:
    first, last = uid(PLANT_PREFIX, 1), uid(PLANT_PREFIX, 100)
    stocked.ok("receive", first)
    stocked.ok("unreceive", first, "--reason", "wrong roll")
    said = stocked.ok("order", "delete", "2", "--reason", "recorded the same order twice").err
    assert said == "deleted order 2 and its 100 tags\n"
    listed = json.loads(stocked.ok("order", "list", "--format", "json").out)
    assert [o["id"] for o in listed] == [1]
    assert stocked.failed("tag", first) == (
        f"{first} is on no order: its order 2 was deleted; station audit --uid {first} shows "
        "its history"
    )
    history = json.loads(stocked.ok("audit", "--uid", first, "--format", "json").out)
    assert [e["action"] for e in history] == ["order.add", "receive", "unreceive", "order.delete"]
    deleted = history[-1]
    assert deleted["tag_count"] == 100 and len(deleted["uids"]) == 100
    assert deleted["details"]["ranges"] == [f"{first}..{last}"]
    assert deleted["details"]["reason"] == "recorded the same order twice"
    # The same tags can be recorded again, rightly this time; their history goes on.
    stocked.ok("order", "add", "--license", LICENSE, "--type", "plant", "--first", first,
               "--count", "100", "--order-date", "2026-11-21")  # fmt: skip
    history = json.loads(stocked.ok("audit", "--uid", first, "--format", "json").out)
    assert [e["action"] for e in history][-2:] == ["order.delete", "order.add"]


def test_an_order_with_tags_on_record_is_not_deleted(stocked: Station, tmp_path: Path) -> None:
    stocked.ok("receive", uid(PACKAGE_PREFIX, 1), uid(PACKAGE_PREFIX, 2))
    stocked.ok("void", uid(PACKAGE_PREFIX, 9), "--reason", "torn")
    why = "--reason", "mistake"
    assert stocked.refused("order", "delete", "1", *why) == (
        "order 1 has 2 received, 1 voided of its 500 tags; only an order whose tags are all "
        "still ordered can be deleted"
    )
    assert stocked.refused("order", "delete", "9", *why) == "no order 9"
    assert stocked.refused("order", "delete", "2", "--reason", " ") == "reason is empty"
    # A label printed and its tag taken back: the label exists, so the order stays.
    stocked.ok("receive", uid(PLANT_PREFIX, 5))
    stocked.ok("print", uid(PLANT_PREFIX, 5), "--printer", "spool")
    stocked.ok("unreceive", uid(PLANT_PREFIX, 5), "--reason", "wrong roll")
    assert stocked.refused("order", "delete", "2", *why) == (
        "order 2 cannot be deleted: its tags have 1 printed label"
    )


# --- batch set -----------------------------------------------------------------------------------


def test_a_plant_batch_left_out_is_filled_in_until_the_batch_goes_to_metrc(
    received: Station, monkeypatch: pytest.MonkeyPatch
) -> None:
    received.ok("assign", "plant", "--count", "3", "--strain", "Blue Dream")
    assert "not sent: batch 1 needs a plant batch" in received.ok("metrc", "push",
                                                                  "--dry-run").out  # fmt: skip
    why = "--reason", "left out at the bench"
    said = received.ok("batch", "set", "1", "--plant-batch", "BD Clones 11/20",
                       "--location", "Veg 1", "--phase", "vegetative", *why).err  # fmt: skip
    assert said == (
        "batch 1: plant batch None -> BD Clones 11/20, location None -> Veg 1, "
        "growth phase None -> Vegetative\n"
    )
    event = json.loads(received.ok("audit", "--format", "json").out)[-1]
    assert event["action"] == "batch.set"
    assert event["details"]["changed"]["plant_batch"] == {"from": None, "to": "BD Clones 11/20"}
    assert "needs a plant batch" not in received.ok("metrc", "push", "--dry-run").out

    assert received.refused("batch", "set", "1", *why) == (
        "nothing to change: give --plant-batch, --location or --phase"
    )
    assert received.refused("batch", "set", "1", "--phase", "Budding", *why) == (
        "unknown growth phase 'Budding': use Immature, Vegetative, Flowering"
    )
    received.ok("assign", "package", "--count", "1", "--item", "Clone", "--quantity", "1",
                "--unit", "Each")  # fmt: skip
    assert received.refused("batch", "set", "2", "--phase", "Flowering", *why) == (
        "batch 2 holds packages; only plants have a growth phase"
    )
    assert received.refused("batch", "set", "1", "--location", "Veg 1", *why) == (
        "batch 1 already says that; nothing to change"
    )
    assert received.refused("batch", "set", "7", "--location", "Veg 2", *why) == "no batch 7"
    assert received.refused("batch", "set", "1", "--location", " ", *why) == "location is empty"
    assert received.refused("batch", "set", "1", "--location", "Veg 2", "--reason", "") == (
        "reason is empty"
    )

    vendor, user = "vk-batch-test", "uk-batch-test"
    with FakeMetrc(vendor, user, (LICENSE,)) as metrc:
        monkeypatch.setenv("METRC_URL", metrc.url)
        monkeypatch.setenv("METRC_VENDOR_KEY", vendor)
        monkeypatch.setenv("METRC_USER_KEY", user)
        metrc.available[(LICENSE, "plant")] = [uid(PLANT_PREFIX, n) for n in range(1, 4)]
        metrc.available[(LICENSE, "package")] = [uid(PACKAGE_PREFIX, 1)]
        received.ok("metrc", "push")
    assert received.refused("batch", "set", "1", "--location", "Veg 2", *why) == (
        "batch 1 has gone to Metrc already; correct it in Metrc, where the record now is"
    )


# --- assign --print ---------------------------------------------------------------------------


def test_assign_prints_its_labels_on_the_chosen_printer_and_template(
    received: Station, tmp_path: Path
) -> None:
    package = ("assign", "package", "--item", "Flower", "--quantity", "1", "--unit", "Grams")
    # Checked before anything is assigned: no batch is left without its labels.
    assert received.refused(*package, "--count", "2", "--print").startswith("no printer chosen")
    assert received.refused(*package, "--count", "2", "--print", "--printer", "ghost").startswith(
        "no printer named 'ghost'"
    )
    assert "escpos" in received.refused(
        *package, "--count", "2", "--print", "--printer", "spool", "--template", "escpos-80mm"
    )
    result = received(*package, "--count", "2", "--printer", "spool")
    assert result.code == 2 and "--printer and --template go with --print" in result.err

    received.ok("printer", "default", "spool")
    done = received.ok(*package, "--count", "2", "--print", "--template", "package-4x2-203")
    assert done.out.split() == [uid(PACKAGE_PREFIX, 1), uid(PACKAGE_PREFIX, 2)]
    assert "job 1: 2 labels to spool" in done.err and "job 1 done: 2 labels printed" in done.err
    [job] = json.loads(received.ok("jobs", "--format", "json").out)
    assert (job["printer"], job["template"], job["total"]) == ("spool", "package-4x2-203", 2)


# --- templates for one tag type ----------------------------------------------------------------


def test_a_template_for_one_tag_type_refuses_the_other(received: Station, tmp_path: Path) -> None:
    plant, package = uid(PLANT_PREFIX, 1), uid(PACKAGE_PREFIX, 1)
    assert received.refused(
        "print", plant, "--printer", "spool", "--template", "package-4x2-203"
    ) == (f"template package-4x2-203 is for package tags; {plant} is a plant tag")
    assert received.refused(
        "render", package, plant, "--template", "plant-4x2-203", "--format", "zpl",
        "-o", str(tmp_path / "x.zpl"),
    ) == f"template plant-4x2-203 is for plant tags; {package} is a package tag"  # fmt: skip
    assert not (tmp_path / "x.zpl").exists()
    received.ok("print", plant, "--printer", "spool", "--template", "plant-4x2-203")
    received.ok("print", package, "--printer", "spool", "--template", "uid-3x1-203")


def test_a_template_with_an_unknown_tag_type_is_refused(station: Station) -> None:
    folder = Path(os.environ["XDG_CONFIG_HOME"]) / "tag-station" / "templates"
    folder.mkdir(parents=True)
    source = (Path(__file__).parents[2] / "templates" / "plant-4x2-203.toml").read_text()
    (folder / "odd.toml").write_text(source.replace('tag_type = "plant"', 'tag_type = "seed"'))
    listed = station.ok("templates").out
    assert "tag_type must be plant or package, not 'seed'" in listed


# --- scanning at a terminal ------------------------------------------------------------------


def test_scans_at_a_terminal_skip_a_bad_one_with_the_bell(received: Station) -> None:
    """A person scanning into `assign --tags -` at a terminal (a real pseudo-terminal): a bad
    scan rings the bell and is skipped, each good one is counted, Ctrl+D assigns."""
    leader, follower = pty.openpty()
    command = [sys.executable, "-m", "station", "--db", received.url, "assign", "package",
               "--tags", "-", "--item", "Flower", "--quantity", "1", "--unit", "Grams"]  # fmt: skip
    with subprocess.Popen(
        command, stdin=follower, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    ) as station:
        os.close(follower)
        for scan in (uid(PACKAGE_PREFIX, 7), "1A40-not-a-tag", uid(PACKAGE_PREFIX, 9),
                     uid(PACKAGE_PREFIX, 7)):  # fmt: skip
            os.write(leader, scan.encode() + b"\n")
        os.write(leader, b"\x04")  # Ctrl+D at the start of a line: end of input
        out, err = station.communicate(timeout=60)
    os.close(leader)
    said = err.decode()
    assert station.returncode == 0, said
    assert out.decode().split() == [uid(PACKAGE_PREFIX, 7), uid(PACKAGE_PREFIX, 9)]
    assert "\a  skipped scan 2:" in said
    assert f"  2 scanned: {uid(PACKAGE_PREFIX, 9)}" in said
    assert f"  2 scanned: {uid(PACKAGE_PREFIX, 7)} (scanned before)" in said
    assert "assigned 2 package tags to batch 1" in said


def test_piped_scans_keep_the_whole_file_rule(received: Station) -> None:
    scans = f"{uid(PACKAGE_PREFIX, 7)}\n1A40-not-a-tag\n"
    message = received.refused("assign", "package", "--tags", "-", "--item", "Flower",
                               "--quantity", "1", "--unit", "Grams", stdin=scans)  # fmt: skip
    assert message.startswith("line 2: ")
