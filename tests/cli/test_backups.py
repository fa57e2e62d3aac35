"""Backups and restore on both backends: checked copies, the day's automatic backup, restores
that refuse to lose work, and kills in the middle of either."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import signal
import sqlite3
import stat
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from devtools.pg_server import PgServer
from station.db import pg_dump
from station.folders import Folders
from station.services.records import backups, chain_key
from station.settings import Settings
from tests.helpers.station import LICENSE, PACKAGE_PREFIX, Station, uid

STATION = [sys.executable, "-m", "station"]


def suffix(station: Station) -> str:
    return ".sqlite" if station.url.startswith("sqlite") else ".dump"


def fresh_url(station: Station, request: pytest.FixtureRequest, name: str) -> str:
    """Another, new database on the same backend."""
    if station.url.startswith("sqlite"):
        return f"sqlite:///{station.path.parent / name}"
    server: PgServer = request.getfixturevalue("pg")
    return server.new_database()


def counts_of(station: Station, url: str) -> dict[str, int]:
    """Tag states and audit events of the database at ``url``."""
    other = Station(station.path, url, station._capsys)
    tags = json.loads(other.ok("tags", "--format", "json").out)
    events = json.loads(other.ok("audit", "--format", "json").out)
    return {**Counter(tag["status"] for tag in tags), "events": len(events)}


# --- station backup ---------------------------------------------------------------------


def test_a_backup_is_a_checked_private_copy_that_never_replaces_a_file(
    received: Station, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    target = tmp_path / f"copy{suffix(received)}"
    result = received.ok("backup", str(target))
    assert result.out.strip() == str(target)
    assert "backed up 600 tags" in result.err and "checked" in result.err
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".part")] == []
    if received.url.startswith("sqlite"):
        with contextlib.closing(sqlite3.connect(target)) as copy:
            assert copy.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
            assert copy.execute("SELECT COUNT(*) FROM tag").fetchone()[0] == 600
    else:
        assert pg_dump.check_dump(target)["tag"] == 600

    # Never over a file, a link, or into a folder that is not there; nothing recorded then.
    before_bytes = target.read_bytes()
    assert "exists: a backup never replaces a file" in received.refused("backup", str(target))
    assert target.read_bytes() == before_bytes
    link = tmp_path / f"link{suffix(received)}"
    link.symlink_to(tmp_path / "elsewhere")
    assert "exists" in received.refused("backup", str(link))
    assert not (tmp_path / "elsewhere").exists()
    assert "there is no folder" in received.refused("backup", str(tmp_path / "no" / "x"))

    # The copy restores to the same tags and trail.
    other = fresh_url(received, request, "restored.db")
    Station(received.path, other, received._capsys).ok("restore", str(target))
    original = counts_of(received, received.url)
    # The same tags and trail, and the restore recorded on top.
    assert counts_of(received, other) == {**original, "events": original["events"] + 1}


@pytest.mark.postgresql_only
def test_without_pg_dump_a_postgresql_backup_says_what_to_install(
    received: Station, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    monkeypatch.setattr(pg_dump, "VERSIONED_TOOLS", str(tmp_path / "none"))
    message = received.failed("backup", str(tmp_path / "x.dump"))
    assert message == (
        "pg_dump is not installed: a PostgreSQL backup needs PostgreSQL's client tools "
        "(Debian: apt-get install postgresql-client)"
    )
    assert not (tmp_path / "x.dump").exists()
    status = backups.status(received.context())
    assert status.failure is not None and "pg_dump is not installed" in status.failure


# --- the day's backup -------------------------------------------------------------------


def test_the_first_command_of_the_day_writes_the_days_backup(
    stocked: Station, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("STATION_BACKUPS", "3")
    folder = tmp_path / "data" / "tag-station" / "backups"
    stocked.ok("facility", "list")
    [written] = list(folder.iterdir())
    assert written.suffix == suffix(stocked) and stat.S_IMODE(written.stat().st_mode) == 0o600
    stocked.ok("facility", "list")
    assert list(folder.iterdir()) == [written]
    status = backups.status(stocked.context())
    assert status.last_path == str(written) and status.failure is None


def at_day(ctx_station: Station, folders: Folders, day: int, keep: int) -> backups.Daily:
    ctx = ctx_station.context()
    ctx.settings = Settings(backups=keep)
    ctx.folders = folders
    moment = dt.datetime(2026, 11, day, 9, 30).astimezone()
    ctx.clock = lambda: moment
    return backups.daily(ctx)


def test_daily_backups_keep_the_newest_and_nothing_else_is_touched(
    stocked: Station, tmp_path: Path
) -> None:
    folders = Folders(tmp_path / "d", tmp_path / "c", tmp_path / "k")
    folders.backups.mkdir(parents=True)
    mine = folders.backups / "notes.txt"
    mine.write_text("keep me")
    made = [at_day(stocked, folders, day, keep=2) for day in (1, 2, 3, 4)]
    assert all(result.made is not None and result.error is None for result in made)
    assert at_day(stocked, folders, 4, keep=2).made is None  # the day's is written
    names = sorted(path.name for path in folders.backups.iterdir())
    assert names == [
        "notes.txt",
        f"station-20261103-093000{suffix(stocked)}",
        f"station-20261104-093000{suffix(stocked)}",
    ]
    assert made[3].pruned and made[3].pruned[0].name.startswith("station-20261102")
    # STATION_BACKUPS=0 writes none.
    assert at_day(stocked, folders, 5, keep=0).made is None


def test_a_failed_daily_backup_is_recorded_and_the_command_goes_on(
    stocked: Station, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("STATION_BACKUPS", "3")
    data = tmp_path / "data" / "tag-station"
    data.mkdir(parents=True, exist_ok=True)
    (data / "backups").write_text("a file where the folder should be")
    result = stocked("facility", "list")
    assert result.code == 0 and "C11-0000001-LIC" in result.out
    assert result.err.startswith("warning: today's backup failed: ")
    warning = backups.status(stocked.context()).warning(
        dt.datetime.now(dt.UTC).replace(tzinfo=None), True
    )
    assert warning is not None and warning.startswith("the last backup failed")


def test_the_home_screen_warning_after_two_days() -> None:
    done = dt.datetime(2026, 11, 1, 12, 0)
    status = backups.BackupStatus(done, "/b", None, None)
    assert status.warning(done + dt.timedelta(days=2), True) is None
    assert status.warning(done + dt.timedelta(days=2, seconds=1), True) == (
        "the last backup is 2 days old"
    )
    never = backups.BackupStatus(None, None, None, None)
    assert never.warning(done, True) == "no backup yet"
    assert "STATION_BACKUPS=0" in (never.warning(done, False) or "")


# --- station restore --------------------------------------------------------------------


def test_restore_refuses_to_lose_later_work_unless_forced(
    received: Station, tmp_path: Path
) -> None:
    target = tmp_path / f"b{suffix(received)}"
    received.ok("backup", str(target))
    received.ok("void", uid(PACKAGE_PREFIX, 7), "--reason", "torn")
    message = received.refused("restore", str(target))
    assert message == (
        "this database holds 1 audit event the backup lacks: restoring would lose that "
        "work; back it up first, or add --force to restore anyway"
    )
    done = received.ok("restore", str(target), "--force")
    assert "1 later audit event dropped" in done.err
    tag = json.loads(received.ok("tag", uid(PACKAGE_PREFIX, 7), "--format", "json").out)
    assert tag["status"] == "received"
    [event] = [
        e
        for e in json.loads(received.ok("audit", "--format", "json").out)
        if e["action"] == "restore"
    ]
    assert event["operator"] == "tester" and event["details"]["lost_events"] == 1
    aside = Path(event["details"]["kept_aside"])
    assert aside.exists() and stat.S_IMODE(aside.stat().st_mode) == 0o600
    # The old database, kept aside, still holds the void.
    old = Station(received.path, _url_of(received, aside), received._capsys)
    if received.url.startswith("sqlite"):
        voided = json.loads(old.ok("tag", uid(PACKAGE_PREFIX, 7), "--format", "json").out)
        assert voided["status"] == "voided"
    else:
        assert pg_dump.check_dump(aside)["audit_event"] == 6  # the void's event too


def _url_of(station: Station, path: Path) -> str:
    return f"sqlite:///{path}" if station.url.startswith("sqlite") else station.url


@pytest.mark.parametrize(
    "content, expected",
    [
        (b"", "is not"),
        (b"junk" * 100, "is not"),
    ],
)
def test_restore_refuses_what_is_not_a_station_backup(
    received: Station, tmp_path: Path, content: bytes, expected: str
) -> None:
    bad = tmp_path / f"bad{suffix(received)}"
    bad.write_bytes(content)
    assert expected in received.refused("restore", str(bad))
    assert received.refused("restore", str(tmp_path / "absent")) == (
        f"no backup file {tmp_path / 'absent'}"
    )


@pytest.mark.sqlite_only
def test_restore_refuses_a_foreign_or_tampered_sqlite_file(
    received: Station, tmp_path: Path
) -> None:
    foreign = tmp_path / "foreign.sqlite"
    with contextlib.closing(sqlite3.connect(foreign)) as db:
        db.execute("CREATE TABLE t (x)")
        db.commit()
    assert "is not a Tag Station database" in received.refused("restore", str(foreign))

    # A real backup with a trigger added behind the station's back is refused whole.
    tampered = tmp_path / "tampered.sqlite"
    received.ok("backup", str(tampered))
    with contextlib.closing(sqlite3.connect(tampered)) as db:
        db.execute(
            "CREATE TRIGGER sneaky AFTER INSERT ON tag BEGIN "
            "UPDATE tag SET status = 'received'; END"
        )
        db.commit()
    message = received.refused("restore", str(tampered))
    assert "is not a Tag Station backup" in message and "trigger sneaky" in message
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".part")] == []


@pytest.mark.sqlite_only
def test_restore_is_refused_while_another_station_has_the_file_open(
    received: Station, tmp_path: Path
) -> None:
    target = tmp_path / "b.sqlite"
    received.ok("backup", str(target))
    with contextlib.closing(sqlite3.connect(received.path)) as other:
        other.execute("SELECT COUNT(*) FROM tag").fetchone()
        message = received.refused("restore", str(target))
    assert message.startswith("other stations have the database open")


# --- killed half way --------------------------------------------------------------------


def _stopped_midway(command: list[str], partial: Iterator[Path]) -> tuple[bool, int]:
    """Run ``command``; once its partial file shows, stop it, and kill it if the partial file
    is still there (it was half way). Returns (killed half way, exit status)."""
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    midway = False
    while process.poll() is None:
        if next(partial, None) is not None:
            process.send_signal(signal.SIGSTOP)
            midway = next(partial, None) is not None
            process.kill()
            break
    process.wait()
    return midway, process.returncode


def _parts(folder: Path, stem: str) -> Iterator[Path]:
    while True:
        found = [
            p
            for p in folder.iterdir()
            if p.name.startswith(f".{stem}") and p.name.endswith(".part")
        ]
        yield found[0] if found else None  # type: ignore[misc]


@pytest.fixture
def big(received: Station) -> Station:
    """A database large enough that a copy takes a moment (20,000 more tags)."""
    received.ok(
        "order", "add", "--license", LICENSE, "--type", "package", "--first",
        uid(PACKAGE_PREFIX, 1001), "--count", "20000", "--order-date", "2026-11-21",
    )  # fmt: skip
    received.ok("receive", uid(PACKAGE_PREFIX, 1001), uid(PACKAGE_PREFIX, 21000))
    return received


def test_a_backup_killed_half_way_leaves_nothing_under_its_name(
    big: Station, tmp_path: Path
) -> None:
    before = big.dump(without=("backup_run",))
    env_db = ["--db", big.url]
    for attempt in range(20):
        target = tmp_path / f"k{attempt}{suffix(big)}"
        midway, code = _stopped_midway(
            [*STATION, *env_db, "backup", str(target)], _parts(tmp_path, target.name)
        )
        if midway:
            assert code == -signal.SIGKILL
            assert not target.exists()
            break
        # It finished before it could be stopped: then the copy must be whole.
        assert code == 0 and target.exists()
    else:
        pytest.fail("the backup always finished before it could be stopped")
    # Only the note that a backup was started is new.
    assert big.dump(without=("backup_run",)) == before
    # The killed copy's hidden file stays until the next backup in that folder removes it.
    left = [p.name for p in tmp_path.iterdir() if p.name.endswith((".part", "-journal"))]
    assert left, "the kill left nothing to clean up"
    big.ok("backup", str(tmp_path / f"next{suffix(big)}"))
    assert [p for p in tmp_path.iterdir() if ".part" in p.name] == []


@pytest.mark.postgresql_only
def test_a_postgresql_restore_killed_half_way_changes_nothing(big: Station, tmp_path: Path) -> None:
    import psycopg2

    target = tmp_path / "b.dump"
    big.ok("backup", str(target))
    big.ok("void", uid(PACKAGE_PREFIX, 9), "--reason", "torn")
    before = big.dump()
    command = [*STATION, "--db", big.url, "restore", "--force", str(target)]
    process = subprocess.Popen(
        command, start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    restoring = (
        "SELECT state FROM pg_stat_activity WHERE application_name = 'pg_restore' "
        "AND xact_start IS NOT NULL"
    )
    midway = False
    with contextlib.closing(psycopg2.connect(big.url)) as watch:
        watch.autocommit = True
        cursor = watch.cursor()
        while process.poll() is None and not midway:
            cursor.execute(restoring)
            if not cursor.fetchall():
                continue
            # Stopped, pg_restore cannot send its COMMIT; the server waiting on it in the
            # open transaction proves nothing is committed yet.
            os.killpg(process.pid, signal.SIGSTOP)
            cursor.execute(restoring)
            if [state for (state,) in cursor.fetchall()] == ["idle in transaction"]:
                os.killpg(process.pid, signal.SIGKILL)
                midway = True
            else:
                os.killpg(process.pid, signal.SIGCONT)
        process.wait()
        assert midway, "the restore finished before it could be stopped half way"
        # The server rolls the transaction back once it sees the connection gone.
        cursor.execute("SELECT 1 FROM pg_stat_activity WHERE application_name = 'pg_restore'")
        while cursor.fetchall():
            cursor.execute("SELECT 1 FROM pg_stat_activity WHERE application_name = 'pg_restore'")
    assert big.dump() == before
    big.ok("restore", "--force", str(target))
    tag = json.loads(big.ok("tag", uid(PACKAGE_PREFIX, 9), "--format", "json").out)
    assert tag["status"] == "received"


def test_two_restores_in_one_second_keep_both_databases_aside(
    received: Station, tmp_path: Path
) -> None:
    """The aside is named for the second it was made; a second restore that same second (after
    one killed half way, say) takes the next free name instead of failing."""
    from station.services.records import restore as restoring

    target = tmp_path / f"b{suffix(received)}"
    received.ok("backup", str(target))
    moment = dt.datetime(2026, 11, 27, 9, 30, 15).astimezone()
    asides = []
    for _ in range(2):
        ctx = received.context()
        ctx.clock = lambda: moment
        asides.append(restoring.restore(ctx, target, force=True).aside)
        ctx.db.close()
    first, second = asides
    assert first != second and first.exists() and second.exists()
    assert second.name == first.name.replace("093015", "093015-2")


# --- restore: whose history, and who may ------------------------------------------------

SUE_PIN = "90817263"
ANN_PIN = "46820135"


def _tamper(station: Station, *statements: str) -> None:
    """Edit the audit trail as someone holding the database could, triggers out of the way."""
    from tests.helpers.station import without_triggers

    without_triggers(station, *statements)


def _rearm(station: Station, good: Path) -> None:
    """Put back the triggers :func:`_tamper` took away, as a careful forger would."""
    if station.url.startswith("sqlite"):
        with contextlib.closing(sqlite3.connect(good)) as backup:
            made = [
                sql
                for (sql,) in backup.execute(
                    "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name IN "
                    "('audit_event', 'audit_uid')"
                )
            ]
        station.execute(*made)
    else:
        station.execute(
            *(f"ALTER TABLE {table} ENABLE TRIGGER ALL" for table in ("audit_event", "audit_uid"))
        )


def _rechain(station: Station, first: int, summary: str) -> None:
    """Give event ``first`` another ``summary`` and recompute every hash from it on, as a
    forger who knows the serialisation (docs/security.md gives it) and holds the chain key (this
    user's config folder) would: a chain that verifies, but is not the station's."""
    from station.db.connection import open_database
    from station.domain import chain

    database = open_database(station.url)
    try:
        rows = database.execute_sql(  # type: ignore[no-untyped-call]
            "SELECT id, at, operator, approved_by, action, summary, details, tag_count, "
            "prev_hash, hash, key_id FROM audit_event ORDER BY id"
        ).fetchall()
        links = database.execute_sql(  # type: ignore[no-untyped-call]
            "SELECT event_id, uid FROM audit_uid ORDER BY event_id, uid"
        ).fetchall()
    finally:
        database.close()
    digests = chain.uids_digests(links)
    keys = chain_key.load(Folders.for_user()).keys
    updates, previous = [], chain.GENESIS
    for row in rows:
        row = (*row[:8], previous, *row[9:])
        if row[0] == first:
            row = (*row[:5], summary, *row[6:])
        if row[0] >= first:
            new = chain.stored_hashes([row], digests, keys)[0]
            updates.append(
                f"UPDATE audit_event SET prev_hash = '{previous}', hash = '{new}', "
                f"summary = '{row[5]}' WHERE id = {row[0]}"
            )
            previous = new
        else:
            previous = row[9]
    # Every hash first made unique-free (the column is UNIQUE), then set.
    _tamper(station, *(f"UPDATE audit_event SET hash = 'x{n}' WHERE id = {n}" for n in
                       range(first, rows[-1][0] + 1)), *updates)  # fmt: skip


def test_restore_refuses_a_history_edited_or_re_chained_unless_forced(
    received: Station, tmp_path: Path
) -> None:
    received.ok("void", uid(PACKAGE_PREFIX, 7), "--reason", "torn")
    good = tmp_path / f"good{suffix(received)}"
    received.ok("backup", str(good))
    edit = "UPDATE audit_event SET summary = 'voided nothing' WHERE id = 3"

    # Edited, chain broken: the live one is put right from the good backup first (its
    # hashes are the live chain's own), then the edited copy is refused.
    _tamper(received, edit)
    broken = tmp_path / f"broken{suffix(received)}"
    received.ok("backup", str(broken))
    received.ok("restore", str(good))
    assert received.ok("audit", "verify").err.startswith("audit chain intact")
    message = received.refused("restore", str(broken))
    assert message.startswith(
        "the backup cannot be trusted as this station's history: its audit chain does not "
        "verify (event 3 was altered: its content no longer matches its hash)"
    ), message
    assert message.endswith(
        "a supervisor can add --force to restore it anyway (the restore records why)"
    )

    # Edited and re-chained: its chain verifies, but it is not this station's history.
    _rechain(received, 3, "voided nothing")
    _rearm(received, good)
    # The chain verifies link by link, but the head noted outside the database when the
    # good backup was made is no longer in it.
    said = received.failed("audit", "verify")
    assert said.startswith("audit chain broken: event ") and "noted outside the database" in said
    assert f"(backup {good})" in said
    rechained = tmp_path / f"rechained{suffix(received)}"
    received.ok("backup", str(rechained))
    # The live database (itself re-chained) is put back by force: its history differs.
    assert "they differ from event 3 on" in received.refused("restore", str(good))
    received.ok("restore", str(good), "--force")
    message = received.refused("restore", str(rechained))
    assert "its history is not this database's: they differ from event 3 on" in message
    assert "does not verify" not in message

    done = received.ok("restore", str(rechained), "--force")
    assert "forced past: its history is not this database's" in done.err
    event = [
        e for e in json.loads(received.ok("audit", "--format", "json").out)
        if e["action"] == "restore"
    ][-1]  # fmt: skip
    assert event["details"]["forced"] == [
        "its history is not this database's: they differ from event 3 on (an edited or "
        "re-chained trail, or another station's)"
    ]
    assert "(forced: its history is not" in event["summary"]


def test_restoring_a_backup_with_fewer_operators_needs_a_supervisors_force(
    received: Station, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = tmp_path / f"before{suffix(received)}"
    received.ok("backup", str(before))
    received.ok("operator", "add", "Sue", "--role", "supervisor", "--pin-stdin", stdin=SUE_PIN)
    monkeypatch.setenv("STATION_PIN", SUE_PIN)
    received.ok("operator", "add", "Ann", "--role", "operator", "--pin-stdin", stdin=ANN_PIN,
                operator="Sue")  # fmt: skip
    one = tmp_path / f"one{suffix(received)}"

    # An operator may not restore at all, forced or not.
    monkeypatch.setenv("STATION_PIN", ANN_PIN)
    for force in ((), ("--force",)):
        assert received.refused("restore", str(before), *force, operator="Ann").startswith(
            "restoring a backup needs a supervisor: Ann is an operator"
        )
    monkeypatch.setenv("STATION_PIN", SUE_PIN)
    # A backup from before any operator: restoring it would open the station to anyone.
    message = received.refused("restore", str(before), operator="Sue")
    assert (
        "it has no operators (this database has 2): anyone could then use the station and "
        "add a supervisor without a PIN"
    ) in message
    # One with fewer operators names who would lose sign-in.
    received.ok("operator", "disable", "Ann", operator="Sue")
    received.ok("backup", str(one), operator="Sue")
    received.ok("operator", "enable", "Ann", operator="Sue")
    message = received.refused("restore", str(one), operator="Sue")
    assert "it has 1 enabled operator to this database's 2 (Ann would lose sign-in" in message
    # A supervisor forces it; it is recorded, and the station still asks for a PIN.
    received.ok("restore", str(one), "--force", operator="Sue")
    monkeypatch.setenv("STATION_PIN", ANN_PIN)
    assert received.refused("tags", operator="Ann") == (
        "operator Ann is disabled: a supervisor can enable them"
    )


def test_rotation_removes_only_this_stations_own_backups_of_this_database(
    stocked: Station, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    """Two databases' daily backups share a folder; a 5-byte text file is named like a
    backup; a junk file claims the year 2999. Each rotation removes only its own database's
    older backups, verified as the files it wrote."""
    folders = Folders(tmp_path / "d", tmp_path / "c", tmp_path / "k")
    folders.backups.mkdir(parents=True)
    kind = suffix(stocked)
    planted = folders.backups / f"station-20261101-000000{kind}"
    planted.write_text("notes")
    junk = folders.backups / f"station-29991231-000000{kind}"
    junk.write_bytes(b"junk" * 10)
    other = Station(stocked.path, fresh_url(stocked, request, "other.db"), stocked._capsys)
    other.ok("facility", "add", "C11-0000009-LIC", "Other Farm")
    for day in (2, 3, 4, 5):
        at_day(stocked, folders, day, keep=2)
        # The other database's daily backup a second later, into the same folder.
        ctx = other.context()
        ctx.settings, ctx.folders = Settings(backups=2), folders
        moment = dt.datetime(2026, 11, day, 9, 30, 1).astimezone()
        ctx.clock = lambda moment=moment: moment  # type: ignore[misc]
        assert backups.daily(ctx).made is not None
        ctx.db.close()
    names = sorted(path.name for path in folders.backups.iterdir())
    assert names == sorted([
        planted.name, junk.name,
        f"station-20261104-093000{kind}", f"station-20261105-093000{kind}",
        f"station-20261104-093001{kind}", f"station-20261105-093001{kind}",
    ])  # fmt: skip
    assert planted.read_text() == "notes"


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 256 KiB file system (tmpfs; mounting one needs root, as CI runs)."""
    folder = tmp_path / "small"
    folder.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=256k,mode=0700", "tmpfs", str(folder)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    if done.returncode:
        pytest.skip(f"cannot mount a small file system here: {done.stderr.strip()}")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False)


def test_a_full_disk_says_not_enough_space_and_leaves_nothing(
    big: Station, small_disk: Path
) -> None:
    target = small_disk / f"b{suffix(big)}"
    message = big.failed("backup", str(target))
    assert message.startswith(f"not enough space in {small_disk} ("), message
    assert message.endswith("nothing was written")
    assert list(small_disk.iterdir()) == []
