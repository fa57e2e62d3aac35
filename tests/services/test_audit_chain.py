"""The audit trail's hash chain: `audit verify` and `audit head`, and tampering through the
database's own driver with the append-only triggers out of the way (anyone holding the file
can do that): a changed field, a middle event removed, the newest ones removed, an event put
in, two swapped. Both backends."""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import sqlite3
import stat
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from peewee import DatabaseError

from station.db import integrity
from station.db.connection import open_database
from station.domain import chain
from station.services.context import Context
from station.services.records import audit, audit_chain
from station.services.records.audit_chain import Verdict
from tests.helpers.station import PACKAGE_PREFIX, Station, uid, without_triggers


def verified(station: Station, *options: str) -> dict[str, object]:
    result = station("audit", "verify", "--format", "json", *options)
    verdict: dict[str, object] = json.loads(result.out)
    assert result.code == (0 if verdict["intact"] else 1)
    return verdict


@pytest.fixture
def busy(received: Station) -> Station:
    """A station with a dozen events of every size: receipts, assignments, voids."""
    received.ok("assign", "package", "--count", "3", "--item", "Gelato", "--quantity", "1",
                "--unit", "Each")  # fmt: skip
    received.ok("void", uid(PACKAGE_PREFIX, 480), "--reason", "torn")
    received.ok("facility", "rename", "C11-0000001-LIC", "Green Leaf Farms Inc.")
    received.ok("void", uid(PACKAGE_PREFIX, 481), "--reason", "smudged")
    return received


def test_an_untouched_trail_verifies_and_names_its_head(busy: Station) -> None:
    said = busy.ok("audit", "verify").err
    head = busy.ok("audit", "head").out.strip()
    events = json.loads(busy.ok("audit", "--format", "json").out)
    assert said == (
        f"audit chain intact: {len(events)} events, head {head} ({len(events)} keyed; 0 "
        "anchors outside the database hold)\n"
    )
    assert verified(busy) == {
        "intact": True, "events": len(events), "head": head, "problem": None, "event_id": None,
        "keyed": len(events), "anchors": 0,
    }  # fmt: skip
    assert verified(busy, "--head", head)["intact"]
    assert len(head) == 64 and head != chain.GENESIS


def test_the_hash_is_the_documented_serialisation(busy: Station, tmp_path: Path) -> None:
    """What docs/security.md tells an inspector, recomputed from the rows with json, hashlib and
    hmac alone and the key exported from the station: the first event's hash."""
    [first] = [e for e in json.loads(busy.ok("audit", "--format", "json").out) if e["id"] == 1]
    ctx = busy.context()
    row = ctx.db.execute_sql(  # type: ignore[no-untyped-call]
        "SELECT at, details, hash, prev_hash FROM audit_event WHERE id = 1"
    ).fetchone()
    at = row[0] if isinstance(row[0], str) else row[0].isoformat(" ")
    serialised = json.dumps(
        {
            "id": 1,
            "at": at.replace(" ", "T") + ("" if "." in at else ".000000") + "Z",
            "operator": first["operator"],
            "approved_by": None,
            "action": first["action"],
            "message": first["summary"],
            "details": row[1],
            "tag_count": first["tag_count"],
            "uids": hashlib.sha256("\n".join(sorted(first["uids"])).encode()).hexdigest(),
            "prev_hash": "0" * 64,
        },
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    )
    assert row[3] == "0" * 64
    busy.ok("audit", "key", "export", str(tmp_path / "key.json"))
    [key] = json.loads((tmp_path / "key.json").read_text())["keys"]
    assert hmac.new(bytes.fromhex(key), serialised.encode(), "sha256").hexdigest() == row[2]
    assert hashlib.sha256(serialised.encode()).hexdigest() != row[2]


@settings(max_examples=200, deadline=None)
@given(
    texts=st.lists(st.text(), min_size=5, max_size=5),
    approver=st.none() | st.text(),
    number=st.integers(min_value=0, max_value=2**40),
)
def test_the_fast_serialisation_is_canonical_json(
    texts: list[str], approver: str | None, number: int
) -> None:
    import datetime as dt

    operator, action, message, details, uids = texts
    at = dt.datetime(2026, 11, 28, 3, 4, 5, number % 1_000_000)
    when = chain.at_text(at)
    made = chain.canonical(number, when, operator, approver, action, message, details, number,
                           uids, chain.GENESIS)  # fmt: skip
    assert made.decode() == json.dumps(
        {
            "id": number, "at": at.strftime("%Y-%m-%dT%H:%M:%S.%fZ"), "operator": operator,
            "approved_by": approver, "action": action, "message": message, "details": details,
            "tag_count": number, "uids": uids, "prev_hash": chain.GENESIS,
        },
        sort_keys=True, separators=(",", ":"), ensure_ascii=False,
    )  # fmt: skip


FAR = 2**31 - 1  # the largest id PostgreSQL's integer column holds
TAMPERING: dict[str, tuple[Callable[[int], list[str]], str]] = {
    "a field changed": (
        lambda last: ["UPDATE audit_event SET summary = 'voided nothing' WHERE id = 4"],
        "event 4 was altered: its content no longer matches its hash",
    ),
    "an operator changed": (
        lambda last: ["UPDATE audit_event SET operator = 'someone else' WHERE id = 2"],
        "event 2 was altered: its content no longer matches its hash",
    ),
    "a tag taken out of an event": (
        lambda last: [
            "DELETE FROM audit_uid WHERE event_id = 3 AND uid = (SELECT MAX(uid) FROM "
            "audit_uid WHERE event_id = 3)"
        ],
        "event 3 was altered: its content no longer matches its hash",
    ),
    "a middle event deleted": (
        lambda last: [
            "DELETE FROM audit_uid WHERE event_id = 4",
            "DELETE FROM audit_event WHERE id = 4",
        ],
        "event 5 does not follow event 3: an event was removed, inserted or reordered",
    ),
    "an event inserted": (
        lambda last: [
            "INSERT INTO audit_event (id, at, operator, action, summary, details, tag_count, "
            f"prev_hash, hash) SELECT {last + 1}, at, operator, 'void', 'voided 0 tags', '{{}}', "
            f"0, hash, '{'f' * 64}' FROM audit_event WHERE id = {last}"
        ],
        "was altered: its content no longer matches its hash",
    ),
    # Ids this far apart are cut into spans by stepping through the index, not by arithmetic.
    "the newest event's id changed": (
        lambda last: [
            f"UPDATE audit_uid SET event_id = {FAR} WHERE event_id = {last}",
            f"UPDATE audit_event SET id = {FAR} WHERE id = {last}",
        ],
        f"event {FAR} was altered: its content no longer matches its hash",
    ),
    "two events swapped": (
        lambda last: [
            "UPDATE audit_event SET id = -1 WHERE id = 5",
            "UPDATE audit_event SET id = 5 WHERE id = 6",
            "UPDATE audit_event SET id = 6 WHERE id = -1",
        ],
        "event 5 does not follow event 4: an event was removed, inserted or reordered",
    ),
}


@pytest.mark.parametrize("how", TAMPERING)
def test_tampering_is_caught_naming_the_first_bad_event(busy: Station, how: str) -> None:
    statements, problem = TAMPERING[how]
    last = len(json.loads(busy.ok("audit", "--format", "json").out))
    without_triggers(busy, *statements(last))
    verdict = verified(busy)
    assert verdict["intact"] is False
    assert problem in str(verdict["problem"])
    said = busy.failed("audit", "verify")
    assert said.startswith("audit chain broken: ") and problem in said


def verdicts_by_span(station: Station, known_head: str | None = None) -> list[Verdict]:
    """The verdict walked in one span, and in spans of 1 to 4 events in one and in two
    processes: the spans' seams must not hide or move a fault."""
    ctx = Context(open_database(station.url), operator="verifier")
    try:
        return [
            audit_chain.verify(ctx, known_head, page=page, workers=workers)
            for page, workers in ((10_000, 1), (1, 1), (2, 2), (3, 2), (4, 2))
        ]
    finally:
        ctx.db.close()


@pytest.mark.parametrize("how", [None, *TAMPERING])
def test_spans_checked_apart_give_the_verdict_of_one_walk(busy: Station, how: str | None) -> None:
    last = len(json.loads(busy.ok("audit", "--format", "json").out))
    if how is not None:
        without_triggers(busy, *TAMPERING[how][0](last))
    found = verdicts_by_span(busy)
    assert found[0].intact == (how is None)
    assert found == [found[0]] * len(found)


def test_deleting_the_newest_events_is_caught_by_a_head_noted_before(busy: Station) -> None:
    noted = busy.ok("audit", "head").out.strip()
    last = len(json.loads(busy.ok("audit", "--format", "json").out))
    without_triggers(
        busy,
        f"DELETE FROM audit_uid WHERE event_id >= {last - 1}",
        f"DELETE FROM audit_event WHERE id >= {last - 1}",
    )
    assert verified(busy)["intact"], "what is left is still a valid, shorter chain"
    verdict = verified(busy, "--head", noted)
    assert verdict["intact"] is False
    assert verdict["problem"] == (
        f"no event has the hash {noted}: the events from it on were removed or rewritten"
    )
    found = verdicts_by_span(busy, noted)
    assert found == [found[0]] * len(found) and found[0].problem == verdict["problem"]


def test_a_malformed_head_is_refused(busy: Station) -> None:
    assert busy.refused("audit", "verify", "--head", "abc") == (
        "--head must be a hash of 64 hexadecimal digits, as audit head prints"
    )


def test_an_empty_trail_has_no_head(station: Station) -> None:
    station.ok("templates")  # opens (and creates) the database; no event yet
    assert station.failed("audit", "head") == "the audit trail has no events yet"
    assert station.ok("audit", "verify").err.startswith("audit chain intact: 0 events")


def test_an_older_trail_is_chained_when_the_database_is_upgraded(
    busy: Station, tmp_path: Path
) -> None:
    """A database from before the chain (and before its key), on a station that never had
    a key: its events are chained with plain SHA-256 and verify as they are; the next event
    is the first keyed one, with a key made then."""
    events = len(json.loads(busy.ok("audit", "--format", "json").out))
    hashes = "hash, prev_hash, approved_by, key_id"
    indexes = (
        "DROP INDEX audit_uid_event_uid",
        "CREATE INDEX audit_uid_event_id ON audit_uid (event_id)",
    )
    forget = ("DELETE FROM schema_migration WHERE name IN ('0011_audit_chain', '0016_chain_key')",)
    if busy.url.startswith("sqlite"):
        busy.execute(
            "DROP INDEX audit_event_hash",
            *indexes,
            *(f"ALTER TABLE audit_event DROP COLUMN {c}" for c in hashes.split(", ")),
            *forget,
        )
    else:
        busy.execute(
            *indexes,
            f"ALTER TABLE audit_event DROP COLUMN {hashes.replace(', ', ', DROP COLUMN ')}",
            *forget,
        )
    (tmp_path / "config" / "tag-station" / "chain-key").unlink()
    verdict = verified(busy)
    assert (verdict["intact"], verdict["events"], verdict["keyed"]) == (True, events, 0)
    busy.ok("void", uid(PACKAGE_PREFIX, 479), "--reason", "torn")
    verdict = verified(busy)
    assert (verdict["intact"], verdict["events"], verdict["keyed"]) == (True, events + 1, 1)


@given(
    st.lists(
        st.tuples(st.integers(-3, 3), st.text(alphabet="AB1", min_size=1, max_size=3)),
        max_size=30,
    )
)
def test_uids_are_digested_per_event_as_one_sorted_list(links: list[tuple[int, str]]) -> None:
    ordered = sorted(set(links))
    expected = {
        event: chain.uids_digest(sorted(uid for e, uid in ordered if e == event))
        for event in {e for e, _ in ordered}
    }
    assert chain.uids_digests(ordered) == expected


@pytest.mark.sqlite_only
def test_a_damaged_page_found_by_a_checking_process_is_reported_as_damage(
    station: Station,
) -> None:
    """The checking processes read with a driver of their own: what it raises must come back
    as the database error the command line and the UI say in one line, not as an unexpected
    one."""
    ctx = Context(open_database(station.url), operator="tester")
    for number in range(600):
        audit.record(ctx, "note", f"note {number:04d} " + "x" * 300)
    ctx.db.close()
    with contextlib.closing(sqlite3.connect(station.path)) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        size = connection.execute("PRAGMA page_size").fetchone()[0]
    content = station.path.read_bytes()
    # A leaf of the events' table in the middle: the ends, which the first query reads in
    # this process, stay sound.
    page = content.index(b"note 0300 ") // size
    ctx = Context(open_database(station.url), operator="verifier")  # checked sound here
    station.damaged = True
    try:
        with station.path.open("r+b") as damaged:
            damaged.seek(page * size)
            damaged.write(b"\xff" * size)
        with pytest.raises(DatabaseError) as raised:
            audit_chain.verify(ctx, page=50, workers=2)
    finally:
        ctx.db.close()
    assert integrity.damaged(raised.value), raised.value


@pytest.mark.parametrize("planted", ["NULL", "'None'", "'" + "A" * 64 + "'", "'\x1b[2J'"])
def test_nothing_is_chained_to_a_head_that_is_not_a_hash(busy: Station, planted: str) -> None:
    """An event put in by hand with no valid hash: the chain stops there, in one line that
    names the event, instead of growing from it."""
    last = len(json.loads(busy.ok("audit", "--format", "json").out))
    busy.execute(
        "INSERT INTO audit_event (id, at, operator, action, summary, details, tag_count, "
        f"prev_hash, hash) VALUES ({last + 1}, '2026-12-01 10:00:00', 'x', 'void', 'v', '{{}}', "
        f"0, {planted}, {planted})"
    )
    said = busy.failed("audit", "head")
    assert said.startswith(f"the audit chain's newest event {last + 1} has no valid hash ("), said
    assert "\x1b" not in said
    assert said.endswith("restore the last good backup (station restore)")
    assert busy.refused("void", uid(PACKAGE_PREFIX, 482), "--reason", "torn") == said
    assert verified(busy)["intact"] is False


def _forged(station: Station, first: int, summary: str, unkey: bool) -> list[str]:
    """Statements that give event ``first`` another summary and recompute every hash from
    ``first`` on with plain SHA-256, as someone who can write the database but does not hold
    the chain key would (with ``unkey``, also claiming the events were never keyed)."""
    ctx = station.context()
    try:
        rows = ctx.db.execute_sql(  # type: ignore[no-untyped-call]
            "SELECT id, at, operator, approved_by, action, summary, details, tag_count, "
            "prev_hash, hash FROM audit_event ORDER BY id"
        ).fetchall()
        links = ctx.db.execute_sql(  # type: ignore[no-untyped-call]
            "SELECT event_id, uid FROM audit_uid ORDER BY event_id, uid"
        ).fetchall()
    finally:
        ctx.db.close()
    digests = chain.uids_digests(links)
    # Every hash from ``first`` on made unique-free first (the column is UNIQUE), then set.
    statements = [
        f"UPDATE audit_event SET hash = 'x{row[0]}' WHERE id = {row[0]}"
        for row in rows
        if row[0] >= first
    ]
    previous = chain.GENESIS
    for row in rows:
        row = (*row[:8], previous, row[9])
        if row[0] == first:
            row = (*row[:5], summary, *row[6:])
        if row[0] >= first:
            new = chain.stored_hashes([row], digests)[0]
            keyed = ", key_id = NULL" if unkey else ""
            statements.append(
                f"UPDATE audit_event SET prev_hash = '{previous}', hash = '{new}', summary = "
                f"'{row[5]}'{keyed} WHERE id = {row[0]}"
            )
            previous = new
        else:
            previous = row[9]
    return statements


@pytest.mark.parametrize("unkey", [False, True], ids=["keyed", "claimed-unkeyed"])
def test_a_trail_rewritten_and_re_chained_without_the_key_is_caught(
    busy: Station, unkey: bool
) -> None:
    """Before the key, rewriting an event and recomputing every hash after it verified as
    intact; now the hashes are HMACs under a key the database does not hold."""
    without_triggers(busy, *_forged(busy, 1 if unkey else 3, "voided nothing", unkey))
    verdict = verified(busy)
    assert verdict["intact"] is False
    if unkey:
        assert verdict["problem"] == (
            "event 1 has a plain hash, but this station keys this database from event 1 on: "
            "it was written without the key (rewritten)"
        )
    else:
        assert verdict["problem"] == "event 3 was altered: its content no longer matches its hash"


def test_a_station_without_the_key_neither_extends_nor_verifies_the_chain_until_it_imports_it(
    busy: Station, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    export = tmp_path / "key-export.json"
    busy.ok("audit", "key", "export", str(export))
    assert stat.S_IMODE(export.stat().st_mode) == 0o600
    kid = chain.key_id(bytes.fromhex(json.loads(export.read_text())["keys"][0]))
    # Another station of the same database: its own config folder, no key.
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "other-station"))
    refusal = (
        f"this database's audit chain is keyed with key {kid}, which this station does not "
        "hold: import it (station audit key import FILE, from station audit key export FILE "
        "on a station that holds it)"
    )
    assert busy.refused("void", uid(PACKAGE_PREFIX, 482), "--reason", "torn") == refusal
    assert busy.failed("audit", "verify") == (
        f"audit chain broken: event 1 is keyed with key {kid}, which this station does not "
        "hold: import it (station audit key import FILE) to verify the chain"
    )
    assert busy.ok("audit", "key", "import", str(export)).err == f"imported chain key {kid}\n"
    busy.ok("void", uid(PACKAGE_PREFIX, 482), "--reason", "torn")
    assert verified(busy)["intact"]
    # A key file others can read is refused, not used.
    key_file = tmp_path / "other-station" / "tag-station" / "chain-key"
    key_file.chmod(0o644)
    assert busy.failed("audit", "verify").startswith(
        f"the chain key file {key_file} must be this user's"
    )
    key_file.chmod(0o600)


def test_heads_noted_at_backups_catch_the_newest_events_removed(
    busy: Station, tmp_path: Path
) -> None:
    last = len(json.loads(busy.ok("audit", "--format", "json").out))
    target = tmp_path / ("b.sqlite" if busy.url.startswith("sqlite") else "b.dump")
    busy.ok("backup", str(target))
    assert verified(busy)["anchors"] == 1
    without_triggers(
        busy,
        f"DELETE FROM audit_uid WHERE event_id >= {last - 1}",
        f"DELETE FROM audit_event WHERE id >= {last - 1}",
    )
    verdict = verified(busy)
    assert verdict["intact"] is False and verdict["event_id"] == last
    assert str(verdict["problem"]).startswith(
        f"event {last} is gone: it was noted outside the database at "
    )
    assert str(verdict["problem"]).endswith(f"(backup {target}); the trail was cut there")


@settings(max_examples=50, deadline=None)
@given(key=st.binary(min_size=32, max_size=32), summary=st.text())
def test_the_fast_keyed_hash_is_hmac_sha256(key: bytes, summary: str) -> None:
    """verify's HMAC (pads hashed once, copied per event) against the standard library's."""
    row = (7, "2026-11-28 03:04:44.123456", "maria", None, "void", summary, "{}", 1,
           chain.GENESIS, "", chain.key_id(key))  # fmt: skip
    [fast] = chain.stored_hashes([row], {}, {chain.key_id(key): key})
    data = chain.canonical(7, "2026-11-28T03:04:44.123456Z", "maria", None, "void", summary,
                           "{}", 1, chain.NO_UIDS, chain.GENESIS)  # fmt: skip
    assert fast == hmac.new(key, data, "sha256").hexdigest() == chain.event_hash(data, key)
