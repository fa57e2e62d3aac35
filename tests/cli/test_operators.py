"""Operators, PINs, badges, sign-in, lockout, roles and supervisor approval, through the
command line (the UI's sign-in and approval are in test_ui_operators.py)."""

from __future__ import annotations

import csv
import json
import re
import sqlite3
import stat
from pathlib import Path
from typing import Any

import pytest
import zxingcpp
from PIL import Image

from station.db.connection import open_database
from station.domain.errors import NeedsSupervisor
from station.services.context import Context
from station.services.metrc import pull, push
from station.services.people import operators
from station.services.records import audit
from tests.helpers.station import LICENSE, PACKAGE_PREFIX, Station, uid

SUE_PIN = "90817263"  # the supervisor
ANN_PIN = "46820135"  # an operator
FIRST = uid(PACKAGE_PREFIX, 1)


def as_(monkeypatch: pytest.MonkeyPatch, pin: str, approver_pin: str | None = None) -> None:
    monkeypatch.setenv("STATION_PIN", pin)
    if approver_pin is None:
        monkeypatch.delenv("STATION_APPROVER_PIN", raising=False)
    else:
        monkeypatch.setenv("STATION_APPROVER_PIN", approver_pin)


@pytest.fixture
def staffed(received: Station, monkeypatch: pytest.MonkeyPatch) -> Station:
    """``received``, with supervisor Sue and operator Ann; commands run as Sue."""
    received.ok("operator", "add", "Sue", "--role", "supervisor", "--pin-stdin", stdin=SUE_PIN)
    as_(monkeypatch, SUE_PIN)
    received.ok(
        "operator", "add", "Ann", "--role", "operator", "--pin-stdin", stdin=ANN_PIN, operator="Sue"
    )
    return received


def actions(station: Station) -> list[dict[str, Any]]:
    """The audit trail as ``audit --format json`` gives it, read without signing in."""
    ctx = Context(open_database(station.url), operator="reader")
    try:
        return [
            json.loads(json.dumps(event.as_dict(), default=str))
            for event in audit.events(ctx, with_uids=True, filters=audit.Filters())
        ]
    finally:
        ctx.db.close()


def test_the_first_operator_must_be_a_supervisor_and_then_everyone_signs_in(
    received: Station, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert (
        received.refused(
            "operator", "add", "Ann", "--role", "operator", "--pin-stdin", stdin=ANN_PIN
        )
        == "the first operator must be a supervisor (--role supervisor)"
    )
    for bad in ("123", "1234567890123", "12a4", "", "١٢٣٤"):
        assert (
            received.refused(
                "operator", "add", "Sue", "--role", "supervisor", "--pin-stdin", stdin=bad
            )
            == "a PIN is 4 to 12 digits"
        )
    assert (
        received("operator", "add", "Sue", "--role", "boss", "--pin-stdin", stdin=SUE_PIN).code == 2
    )
    # Before any operator exists, anyone works as before (the test's --operator tester).
    received.ok("operator", "add", "Sue", "--role", "supervisor", "--pin-stdin", stdin=SUE_PIN)
    # From now on: a known operator with the right PIN.
    assert received.refused("tags") == (
        "no PIN: set STATION_PIN, or run at a terminal to be asked for it"
    )
    as_(monkeypatch, SUE_PIN)
    # A name no operator has is answered as a wrong PIN is (sign-in names no operators).
    assert received.failed("tags") == "wrong PIN for tester (4 more wrong and it locks)"
    assert received.refused("tags", operator=None) == (
        "the station has operators: say who you are with --operator NAME or STATION_OPERATOR "
        "(and STATION_PIN)"
    )
    monkeypatch.setenv("STATION_OPERATOR", "Sue")
    received.ok("tags", operator=None)
    received.ok(
        "operator", "add", "Ann", "--role", "operator", "--pin-stdin", stdin=ANN_PIN, operator=None
    )
    assert (
        received.refused(
            "operator",
            "add",
            "Ann",
            "--role",
            "operator",
            "--pin-stdin",
            stdin=ANN_PIN,
            operator="Sue",
        )
        == "operator Ann already exists"
    )
    listed = json.loads(received.ok("operator", "list", "--format", "json", operator="Sue").out)
    assert [(o["name"], o["role"], o["enabled"], o["badge"]) for o in listed] == [
        ("Ann", "operator", True, False),
        ("Sue", "supervisor", True, False),
    ]
    added = [e for e in actions(received) if e["action"] == "operator.add"]
    assert [(e["operator"], e["details"]) for e in added] == [
        ("tester", {"name": "Sue", "role": "supervisor"}),
        ("Sue", {"name": "Ann", "role": "operator"}),
    ]


def test_a_bad_pin_in_the_environment_is_refused_without_showing_it(
    station: Station, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("STATION_PIN", "12ab34")
    message = station.failed("tags")
    assert message == "STATION_PIN: a PIN is 4 to 12 digits"
    assert "12ab34" not in message


def test_a_wrong_pin_is_refused_and_five_lock_the_operator_for_five_minutes(
    staffed: Station, monkeypatch: pytest.MonkeyPatch
) -> None:
    as_(monkeypatch, "11111111")
    # The operator table keeps the lock, pin_check the checks.
    before = staffed.dump(without=("operator", "pin_check"))
    for left in (4, 3, 2, 1):
        assert staffed.failed("tags", operator="Ann") == (
            f"wrong PIN for Ann ({left} more wrong and it locks)"
        )
    assert staffed.failed("tags", operator="Ann") == (
        "wrong PIN for Ann: locked for 5 minutes after 5 wrong PINs"
    )
    as_(monkeypatch, ANN_PIN)
    assert staffed.failed("tags", operator="Ann").startswith(
        "operator Ann is locked after 5 wrong PINs until "
    )
    # Only the counter and the lock changed, and the lock is on the audit trail.
    events = actions(staffed)
    assert [(e["action"], e["details"]["name"]) for e in events[-1:]] == [
        ("operator.locked", "Ann")
    ]
    after = staffed.dump(without=("operator", "pin_check"))
    assert [line for line in after if "operator.locked" not in line] == before
    # Five minutes later (the lock's end and the checks moved into the past), the right PIN
    # works again.
    staffed.execute(
        "UPDATE operator SET locked_until = '2000-01-01 00:00:00' WHERE name = 'Ann'",
        "UPDATE pin_check SET at = '2000-01-01 00:00:00'",
    )
    staffed.ok("tags", operator="Ann")
    # A supervisor's new PIN lifts a lock at once.
    as_(monkeypatch, "11111111")
    for _ in range(5):
        staffed.failed("tags", operator="Ann")
    as_(monkeypatch, SUE_PIN)
    staffed.ok("operator", "pin", "Ann", "--pin-stdin", stdin="24681357", operator="Sue")
    as_(monkeypatch, "24681357")
    staffed.ok("tags", operator="Ann")


def test_an_operator_changes_their_own_pin_but_not_anyone_elses(
    staffed: Station, monkeypatch: pytest.MonkeyPatch
) -> None:
    as_(monkeypatch, ANN_PIN)
    assert "needs a supervisor" in staffed.refused(
        "operator", "pin", "Sue", "--pin-stdin", stdin="13579246", operator="Ann"
    )
    staffed.ok("operator", "pin", "Ann", "--pin-stdin", stdin="13579246", operator="Ann")
    assert staffed.failed("tags", operator="Ann").startswith("wrong PIN for Ann")
    as_(monkeypatch, "13579246")
    staffed.ok("tags", operator="Ann")
    assert (
        staffed.refused("operator", "pin", "Ann", "--pin-stdin", stdin="12", operator="Ann")
        == "a PIN is 4 to 12 digits"
    )
    [changed] = [e for e in actions(staffed) if e["action"] == "operator.pin"]
    assert (changed["operator"], changed["details"]) == ("Ann", {"name": "Ann"})


def test_a_disabled_operator_cannot_sign_in_and_the_last_supervisor_stays(
    staffed: Station, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert staffed.refused("operator", "disable", "Sue", operator="Sue") == (
        "Sue is the last enabled supervisor: add or enable another first"
    )
    assert staffed.refused("operator", "disable", "Bob", operator="Sue") == "no operator Bob"
    staffed.ok("operator", "disable", "Ann", operator="Sue")
    assert staffed.refused("operator", "disable", "Ann", operator="Sue") == (
        "operator Ann is already disabled"
    )
    as_(monkeypatch, ANN_PIN)
    assert staffed.refused("tags", operator="Ann") == (
        "operator Ann is disabled: a supervisor can enable them"
    )
    as_(monkeypatch, SUE_PIN)
    staffed.ok("operator", "enable", "Ann", operator="Sue")
    as_(monkeypatch, ANN_PIN)
    staffed.ok("tags", operator="Ann")
    assert "needs a supervisor" in staffed.refused("operator", "disable", "Sue", operator="Ann")


SUPERVISOR_ONLY = {
    "voiding tags": ("void", FIRST, "--reason", "torn"),
    "taking tags back out of receipt": ("unreceive", FIRST, "--reason", "wrong roll"),
    "correcting an order": ("order", "edit", "1", "--order-number", "9", "--reason", "typo"),
    "deleting an order": ("order", "delete", "1", "--reason", "typo"),
    "renaming a facility": ("facility", "rename", LICENSE, "New Name"),
    "adding a printer": ("printer", "add", "p2", "--driver", "zpl", "--connection", "spool:"),
    "changing a printer": ("printer", "set", "spool", "--dpi", "300"),
    "removing a printer": ("printer", "remove", "spool"),
    "choosing the default printer": ("printer", "default", "spool"),
    "adding an operator": ("operator", "add", "Bob", "--role", "operator", "--pin-stdin"),
    "disabling an operator": ("operator", "disable", "Sue"),
    "issuing a badge": ("operator", "badge", "Ann", "--printer", "spool"),
    "setting the Metrc keys": ("metrc", "keys", "set"),
    "clearing the Metrc keys": ("metrc", "keys", "clear"),
}


@pytest.mark.parametrize("what", sorted(SUPERVISOR_ONLY))
def test_an_operator_is_refused_what_needs_a_supervisor(
    staffed: Station, monkeypatch: pytest.MonkeyPatch, what: str
) -> None:
    as_(monkeypatch, ANN_PIN)
    assert staffed.refused(*SUPERVISOR_ONLY[what], operator="Ann", stdin="13572468") == (
        f"{what} needs a supervisor: Ann is an operator; a supervisor can approve it "
        "(--approve NAME, or the approval dialog in the UI)"
    )


def test_reprints_job_cancels_and_uncertain_labels_need_a_supervisor(
    staffed: Station, monkeypatch: pytest.MonkeyPatch
) -> None:
    as_(monkeypatch, ANN_PIN)
    staffed.ok("print", FIRST, "--printer", "spool", operator="Ann")
    assert staffed.refused(
        "print", FIRST, "--printer", "spool", "--reprint", "--reason", "smudged", operator="Ann"
    ).startswith("reprinting labels needs a supervisor: Ann is an operator")
    # A job left queued by a station that died, with a label in flight.
    staffed.execute(
        "INSERT INTO print_job (printer, driver, connection, template, template_version, "
        "state, reverse, created_at, created_by) SELECT printer, driver, connection, template, "
        "template_version, 'paused', reverse, created_at, created_by FROM print_job WHERE id = 1",
        "INSERT INTO print_item (job_id, position, tag_id, copy, state) "
        "SELECT 2, 1, tag.id, 1, 'uncertain' FROM tag WHERE uid = '" + FIRST + "'",
    )
    assert staffed.refused("job", "cancel", "2", operator="Ann").startswith(
        "cancelling a print job needs a supervisor"
    )
    assert staffed.refused("job", "resume", "2", "--uncertain", "skip", operator="Ann").startswith(
        "skip of uncertain labels needs a supervisor"
    )


def test_an_approved_void_records_the_operator_and_the_supervisor(
    staffed: Station, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    as_(monkeypatch, ANN_PIN)
    assert "needs a supervisor" in staffed.refused(
        "void", FIRST, "--reason", "torn", operator="Ann"
    )
    # The approver must be a supervisor, and give their PIN.
    as_(monkeypatch, ANN_PIN, approver_pin=ANN_PIN)
    assert (
        staffed.refused("--approve", "Ann", "void", FIRST, "--reason", "torn", operator="Ann")
        == "Ann is not a supervisor and cannot approve"
    )
    as_(monkeypatch, ANN_PIN)
    assert (
        staffed.refused("--approve", "Sue", "void", FIRST, "--reason", "torn", operator="Ann")
        == "no PIN: set STATION_APPROVER_PIN, or run at a terminal to be asked for it"
    )
    as_(monkeypatch, ANN_PIN, approver_pin=SUE_PIN)
    staffed.ok("--approve", "Sue", "void", FIRST, "--reason", "torn", operator="Ann")
    voided = [e for e in actions(staffed) if e["action"] == "void"]
    assert [(e["operator"], e["approved_by"], e["uids"]) for e in voided] == [
        ("Ann", "Sue", [FIRST])
    ]
    # The plain table shows the approver too: it is what an auditor reads first.
    table = staffed.ok("audit", "--action", "void", operator="Ann").out.splitlines()
    assert table[0].split()[:5] == ["ID", "AT", "OPERATOR", "APPROVED", "BY"]
    assert "  Ann       Sue          void  " in table[1]
    # And the inspector's archive names the approver of each void.
    archive = tmp_path / "archive.csv"
    staffed.ok("export", "audit", str(archive), operator="Ann")
    rows = list(csv.DictReader(archive.open(encoding="utf-8")))
    assert [(r["operator"], r["approved_by"]) for r in rows if r["action"] == "void"] == [
        ("Ann", "Sue")
    ]
    # What an operator may do alone records no approver.
    as_(monkeypatch, ANN_PIN)
    staffed.ok("print", uid(PACKAGE_PREFIX, 2), "--printer", "spool", operator="Ann")
    assert actions(staffed)[-1]["approved_by"] is None
    assert staffed.ok("audit", "verify", operator="Ann").err.startswith("audit chain intact")


def test_wrong_approvals_pause_the_asker_not_the_supervisor(
    staffed: Station, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Five wrong approver PINs from an operator naming the only supervisor must not lock
    that supervisor out; an unknown name and a wrong PIN get the same answer."""
    staffed.ok("operator", "add", "Bob", "--role", "operator", "--pin-stdin", stdin=ANN_PIN,
               operator="Sue")  # fmt: skip
    void = ("void", FIRST, "--reason", "torn")
    for left, named in zip((4, 3, 2, 1), ("Sue", "Nobody", "Sue", "Bob"), strict=True):
        as_(monkeypatch, ANN_PIN, approver_pin="11111111")
        assert staffed.failed("--approve", named, *void, operator="Ann") == (
            "approval refused: no supervisor with that name and PIN "
            f"({left} more and approvals asked by Ann pause for five minutes)"
        ), named
    as_(monkeypatch, ANN_PIN, approver_pin="11111111")
    assert staffed.failed("--approve", "Sue", *void, operator="Ann") == (
        "approval refused: no supervisor with that name and PIN "
        "(approvals asked by Ann pause for five minutes)"
    )
    # Ann's approvals now pause, even with the right PIN; the supervisor is not locked.
    as_(monkeypatch, ANN_PIN, approver_pin=SUE_PIN)
    assert staffed.failed("--approve", "Sue", *void, operator="Ann") == (
        "approvals asked by Ann pause for five minutes after 5 wrong ones"
    )
    as_(monkeypatch, SUE_PIN)
    staffed.ok("tags", operator="Sue")
    assert "operator.locked" not in [e["action"] for e in actions(staffed)]
    # Another operator's approvals are not paused.
    as_(monkeypatch, ANN_PIN, approver_pin=SUE_PIN)
    staffed.ok("--approve", "Sue", *void, operator="Bob")


def test_metrc_pull_and_push_need_a_supervisor(staffed: Station) -> None:
    ctx = Context(open_database(staffed.url), operator="Ann", role="operator")
    try:
        with pytest.raises(NeedsSupervisor, match="pushing to Metrc needs a supervisor"):
            push.push(ctx, None)  # type: ignore[arg-type]
        with pytest.raises(NeedsSupervisor, match="pulling tags from Metrc needs a supervisor"):
            pull.pull(ctx, None, "package")  # type: ignore[arg-type]
        # The UI's approval: only the thread it was given in.
        with ctx.approving("Sue"):
            assert ctx.approved_by() == "Sue"
        assert ctx.approved_by() is None
    finally:
        ctx.db.close()


def badge_code(path: Path) -> str:
    [found] = zxingcpp.read_barcodes(Image.open(path))
    return found.text


def test_a_badge_signs_in_and_a_new_one_replaces_it(
    staffed: Station, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = tmp_path / "ann.png"
    said = staffed.ok("operator", "badge", "Ann", "-o", str(first), operator="Sue")
    assert said.err == f"wrote a badge for Ann to {first}\n"
    assert stat.S_IMODE(first.stat().st_mode) == 0o600
    code = badge_code(first)
    assert code.isdigit() and len(code) == 20
    ctx = Context(open_database(staffed.url), operator="Sue")
    try:
        assert operators.sign_in_badge(ctx, code) == operators.SignedIn("Ann", "operator")
        assert (
            staffed.refused("operator", "badge", "Ann", "-o", str(first), operator="Sue")
            == f"{first} already exists; give --force to replace it"
        )
        second = tmp_path / "ann.pdf"
        said = staffed.ok("operator", "badge", "Ann", "-o", str(second), operator="Sue")
        assert said.err == f"wrote a badge for Ann to {second}; the old one no longer works\n"
        assert second.read_bytes().startswith(b"%PDF")
        with pytest.raises(Exception, match="badge not recognised"):
            operators.sign_in_badge(ctx, code)
        assert (
            staffed.refused(
                "operator", "badge", "Ann", "-o", str(tmp_path / "ann.txt"), operator="Sue"
            )
            == "a badge file is .png or .pdf, not ann.txt"
        )
        assert (
            staffed.refused(
                "operator", "badge", "Ann", "-o", str(tmp_path / "no" / "a.png"), operator="Sue"
            )
            == f"no such folder: {tmp_path / 'no'}"
        )
        assert staffed("operator", "badge", "Ann", operator="Sue").code == 2
        staffed.ok("operator", "badge", "Ann", "--printer", "spool", operator="Sue")
    finally:
        ctx.db.close()
    badges = [e for e in actions(staffed) if e["action"] == "operator.badge"]
    assert [e["details"] for e in badges] == [
        {"name": "Ann", "replaced": False},
        {"name": "Ann", "replaced": True},
        {"name": "Ann", "replaced": True},
    ]


def stored_secrets(station: Station) -> list[str]:
    """The PIN hashes and badge digests as stored (they must never be shown either)."""
    query = "SELECT pin_hash, badge_digest FROM operator"
    if station.url.startswith("sqlite"):
        with sqlite3.connect(station.path) as connection:
            rows = connection.execute(query).fetchall()
    else:
        import psycopg2

        with psycopg2.connect(station.url) as connection:
            cursor = connection.cursor()
            cursor.execute(query)
            rows = cursor.fetchall()
    return [value for row in rows for value in row if value]


def test_no_pin_hash_or_badge_code_appears_in_any_output_log_or_event(
    received: Station,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level("DEBUG")
    said: list[str] = []

    def run(*args: str, stdin: str = "", operator: str = "Sue") -> None:
        result = received(*args, stdin=stdin, operator=operator)
        said.extend((result.out, result.err))

    run("operator", "add", "Sue", "--role", "supervisor", "--pin-stdin", stdin=SUE_PIN)
    as_(monkeypatch, SUE_PIN)
    run("operator", "add", "Ann", "--role", "operator", "--pin-stdin", stdin=ANN_PIN)
    run("operator", "badge", "Ann", "-o", str(tmp_path / "ann.png"))
    code = badge_code(tmp_path / "ann.png")
    run("operator", "pin", "Ann", "--pin-stdin", stdin="55512345")
    as_(monkeypatch, "99999999")
    run("tags", operator="Ann")  # a wrong PIN
    as_(monkeypatch, "55512345", approver_pin="12121212")
    run("--approve", "Sue", "void", FIRST, "--reason", "torn", operator="Ann")  # wrong approver
    as_(monkeypatch, "55512345", approver_pin=SUE_PIN)
    run("--approve", "Sue", "void", FIRST, "--reason", "torn", operator="Ann")
    as_(monkeypatch, "55512345")
    for fmt in ("table", "csv", "json"):
        run("operator", "list", "--format", fmt, operator="Ann")
        run("audit", "--format", fmt, operator="Ann")
    run("audit", "head", operator="Ann")
    run("audit", "verify", "--format", "json", operator="Ann")
    secrets = [
        SUE_PIN,
        ANN_PIN,
        "55512345",
        "99999999",
        "12121212",
        code,
        *stored_secrets(received),
    ]
    assert len(secrets) == 9  # two PIN hashes and a badge digest among them
    everything = "\n".join([*said, caplog.text])
    assert "voided 1 tag" in everything  # the commands did run
    for secret in secrets:
        assert secret not in everything


def test_a_name_no_operator_has_is_answered_as_a_wrong_pin_is(
    staffed: Station, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Five tries as Ann with a wrong PIN and five as Nobody read the same, lock included:
    sign-in does not tell who the operators are."""
    as_(monkeypatch, "11111111")

    def tries(name: str) -> list[str]:
        said = [staffed.failed("tags", operator=name) for _ in range(6)]
        return [text.replace(name, "NAME") for text in said]

    real, unknown = tries("Ann"), tries("Nobody")
    assert [re.sub(r"until .*", "until T", text) for text in real] == [
        re.sub(r"until .*", "until T", text) for text in unknown
    ]
    assert real[-1].startswith("operator NAME is locked after 5 wrong PINs until ")
