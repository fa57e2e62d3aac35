"""Opening databases: migrations on start, concurrent first starts, the append-only audit."""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from peewee import DatabaseError, IntegrityError

from station.db.connection import MIGRATIONS, migrate, open_database
from station.domain.errors import StationError
from tests.helpers.station import PACKAGE_PREFIX, Station, uid

STEPS = sorted(path.stem for path in MIGRATIONS.glob("0*.py"))


def test_a_new_file_gets_the_schema_in_wal_mode(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "folder" / "station.db"
    database = open_database(f"sqlite:///{path}")
    assert {
        "facility",
        "tag_order",
        "order_range",
        "tag",
        "assignment",
        "audit_event",
        "audit_uid",
        "schema_migration",
    } <= set(database.get_tables())
    with sqlite3.connect(path) as connection:
        assert connection.execute("PRAGMA journal_mode").fetchone() == ("wal",)
        assert connection.execute("SELECT name FROM schema_migration").fetchall() == [
            (name,) for name in STEPS
        ]
    assert STEPS[:5] == [
        "0001_initial",
        "0002_printers",
        "0003_print_jobs",
        "0004_job_lease",
        "0005_metrc",
    ]
    assert migrate(database) == [], "a second start applies nothing"


def test_a_bare_path_is_an_sqlite_file(tmp_path: Path) -> None:
    open_database(str(tmp_path / "plain.db"))
    assert (tmp_path / "plain.db").exists()


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("mysql://x/y", "unsupported database URL mysql://x/y"),
        ("sqlite:///:memory:", "an in-memory SQLite database cannot be shared"),
    ],
)
def test_unusable_urls(url: str, expected: str) -> None:
    with pytest.raises(StationError, match=expected):
        open_database(url)


def test_several_stations_starting_at_once_on_a_new_database(empty_database_url: str) -> None:
    url = empty_database_url
    command = [sys.executable, "-m", "station", "--db", url, "facility", "list", "--format", "json"]
    starts = [
        subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(4)
    ]
    results = [(start.wait(timeout=60), *start.communicate()) for start in starts]
    assert all(code == 0 for code, _, _ in results), results
    database = open_database(url)
    try:
        count = database.execute_sql("SELECT COUNT(*) FROM schema_migration")  # type: ignore[no-untyped-call]
        assert count.fetchone() == (len(STEPS),)
        names = database.execute_sql("SELECT name FROM printer")  # type: ignore[no-untyped-call]
        assert names.fetchall() == [("spool",)]
    finally:
        database.close()


def test_the_audit_trail_refuses_updates_and_deletes(received: Station) -> None:
    database = received.context().db
    before = received.dump()
    for statement in (
        "UPDATE audit_event SET operator = 'someone else'",
        "DELETE FROM audit_event",
        "DELETE FROM audit_uid",
        "UPDATE audit_uid SET event_id = 1",
    ):
        with pytest.raises(DatabaseError, match="append-only"), database.atomic():
            database.execute_sql(statement)  # type: ignore[no-untyped-call]
    assert received.dump() == before


def test_a_tag_uid_is_unique_in_the_database(received: Station) -> None:
    from station.db.models import Tag

    received.context()
    tag = Tag.get(Tag.id == 1)
    with pytest.raises(IntegrityError):
        Tag.create(**{**tag.__data__, "id": None})


def test_the_installed_command_prints_no_traceback(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    result = subprocess.run(
        [sys.executable, "-m", "station", "--db", url, "receive", "not-a-uid"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert result.stderr == (
        "error: 'not-a-uid' is not a UID: '-' at position 4 is not 0-9 or A-Z\n"
    )
    assert result.stdout == ""


def test_a_database_upgraded_by_a_newer_version_is_refused(received: Station) -> None:
    database = received.context().db
    with database.atomic():
        database.execute_sql(  # type: ignore[no-untyped-call]
            "INSERT INTO schema_migration (name, applied) VALUES ('0099_from_the_future', "
            "CURRENT_TIMESTAMP)"
        )
    database.close()
    for command in (["facility", "list"], ["receive", "1A4060300002EE1000000001"]):
        assert received.refused(*command) == (
            "this database was upgraded by a newer Tag Station (its schema has "
            "0099_from_the_future, which version 0.1.0 does not know); use that newer version"
        )


def test_used_and_voided_tags_are_guarded_in_the_database(received: Station) -> None:
    """Editing the file by hand cannot make a used tag unused (to assign it twice), move it
    to another assignment, bring a voided tag back, or delete either."""
    received.ok("assign", "package", "--count", "2", "--item", "Rosin", "--quantity", "1",
                "--unit", "Each")  # fmt: skip
    received.ok("assign", "package", "--count", "1", "--item", "Wax", "--quantity", "1",
                "--unit", "Each")  # fmt: skip
    received.ok("void", "1A4060300002EE1000000010", "--reason", "torn")
    database = received.context().db
    before = received.dump()
    for statement in (
        "UPDATE tag SET status = 'received', assignment_id = NULL, used_at = NULL "
        "WHERE uid = '1A4060300002EE1000000001'",
        "UPDATE tag SET assignment_id = 2 WHERE uid = '1A4060300002EE1000000001'",
        "UPDATE tag SET status = 'voided' WHERE uid = '1A4060300002EE1000000002'",
        "UPDATE tag SET status = 'received', voided_at = NULL WHERE uid = "
        "'1A4060300002EE1000000010'",
        "DELETE FROM tag WHERE uid = '1A4060300002EE1000000001'",
        "DELETE FROM tag WHERE uid = '1A4060300002EE1000000010'",
    ):
        with (
            pytest.raises(DatabaseError, match=r"used tag|voided tag|never deleted"),
            database.atomic(),
        ):
            database.execute_sql(statement)  # type: ignore[no-untyped-call]
    assert received.dump() == before
    # What the station itself does still works: voiding a received tag, replacing a plant's.
    received.ok("void", "1A4060300002EE1000000011", "--reason", "smudged")


@pytest.mark.sqlite_only
@pytest.mark.parametrize("size", ["small", "large"])
def test_a_damaged_file_is_noticed_and_named_with_the_backup_that_restores_it(
    received: Station, monkeypatch: pytest.MonkeyPatch, size: str
) -> None:
    """Every command, ``check`` and streamed output included, says the file is damaged in one
    line naming the last daily backup and the command that restores it; that command works.
    A large file (checked at start once a day) meets the damage while working instead."""
    monkeypatch.setenv("STATION_BACKUPS", "3")
    assert received.ok("check").err.startswith("the database file is sound")  # and the backup
    [backup] = (received.path.parent / "data" / "tag-station" / "backups").iterdir()
    if size == "large":
        monkeypatch.setattr("station.db.integrity.EVERY_START_BYTES", 0)
        received.ok("tags")  # the day's check, noted: not run again at start today
    with contextlib.closing(sqlite3.connect(received.path)) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        pages = connection.execute("PRAGMA page_count").fetchone()[0]
    received.damaged = True
    with received.path.open("r+b") as damaged:
        for page in range(pages // 3, pages - 1, 7):  # the middle of the tag table's b-tree
            damaged.seek(page * 4096 + 64)
            damaged.write(b"\xff" * 2000)
    commands = (
        ["tags", "--format", "csv"],
        ["receive", uid(PACKAGE_PREFIX, 1)],
        ["assign", "package", "--count", "1", "--item", "X", "--quantity", "1", "--unit", "Each"],
        ["check"],
    )
    # A large file meets the damage only where a command reads it: every tag, or the check.
    for command in commands if size == "small" else (commands[0], commands[-1]):
        result = received(*command)
        assert result.code == 1, command
        [message] = result.err.splitlines()
        assert message.startswith("error: the database file is damaged ("), message
        assert message.endswith(
            f"record nothing more in it: restore the last backup: station restore --force "
            f"{backup} (or save what can be read with sqlite3's .recover), then run station check"
        ), message
        assert "***" not in message
    received.ok("restore", "--force", str(backup))
    received.damaged = False
    assert received.ok("check").err.startswith("the database file is sound")


def test_an_older_database_keeps_its_tag_history_when_upgraded(received: Station) -> None:
    """Before 0010 the audit named tags by a link to the tag row; the upgrade carries every
    link over as the tag's UID."""
    received.ok("void", uid(PACKAGE_PREFIX, 7), "--reason", "torn")
    before = received.ok("audit", "--format", "json").out
    received.execute(
        "CREATE TABLE audit_tag (tag_id INTEGER NOT NULL REFERENCES tag (id), "
        "event_id INTEGER NOT NULL REFERENCES audit_event (id), PRIMARY KEY (tag_id, event_id))",
        "INSERT INTO audit_tag SELECT tag.id, audit_uid.event_id FROM audit_uid "
        "JOIN tag ON tag.uid = audit_uid.uid",
        "DROP TABLE audit_uid",
        "DELETE FROM schema_migration WHERE name = '0010_audit_uids'",
    )
    assert received.ok("audit", "--format", "json").out == before  # opened, so migrated
    history = json.loads(received.ok("audit", "--uid", uid(PACKAGE_PREFIX, 7), "--format",
                                     "json").out)  # fmt: skip
    assert [event["action"] for event in history] == ["order.add", "receive", "void"]
    database = received.context().db
    with pytest.raises(DatabaseError, match="append-only"), database.atomic():
        database.execute_sql("DELETE FROM audit_uid")  # type: ignore[no-untyped-call]


@pytest.mark.sqlite_only
def test_folders_others_can_write_to_or_someone_elses_are_refused(
    stocked: Station, tmp_path: Path
) -> None:
    data = tmp_path / "data" / "tag-station"
    data.mkdir(mode=0o700, parents=True, exist_ok=True)
    for folder, what in ((data, "data"), (tmp_path, "database")):
        before = stocked.dump()
        folder.chmod(0o777)
        try:
            assert stocked.failed("tags") == (
                f"others may write to the {what} folder {folder} (mode 0777): make it yours "
                f"alone (chmod go-w {folder})"
            )
        finally:
            folder.chmod(0o700)
        assert stocked.dump() == before
    os.chown(data, 65534, 65534)  # nobody's (the tests run as root, as CI does)
    try:
        assert stocked.failed("tags") == (
            f"the data folder {data} belongs to another user: the station keeps its files only "
            "in folders of the user it runs as"
        )
    finally:
        os.chown(data, os.getuid(), os.getgid())
    stocked.ok("tags")


@pytest.mark.sqlite_only
def test_a_database_moved_away_is_not_made_anew_without_being_asked(
    received: Station, tmp_path: Path
) -> None:
    """Someone moves the database away: the next command must not make an empty one (no
    operators, so no PIN) in its place. A new path still makes a new database."""
    received.ok("operator", "add", "Sue", "--role", "supervisor", "--pin-stdin", stdin="90817263")
    away = tmp_path / "moved.db"
    received.path.rename(away)
    for suffix in ("-wal", "-shm"):
        Path(f"{received.path}{suffix}").unlink(missing_ok=True)
    message = received.failed("operator", "add", "evil", "--role", "supervisor", "--pin-stdin",
                              stdin="11112222")  # fmt: skip
    assert message == (
        f"the database {received.path} is missing, though this station has used it: restore "
        "it (station restore --force FILE), or start a new empty one there with station "
        "--new-database"
    )
    assert not received.path.exists()
    # Restoring it puts it back (the file moved away serves as the backup here).
    received.ok("restore", "--force", str(away), operator=None)
    assert (
        received.failed("tags")
        == "no PIN: set STATION_PIN, or run at a terminal to be asked for it"
    )
    # Starting anew is said explicitly.
    received.path.unlink()
    received.ok("--new-database", "facility", "list")
    other = Station(tmp_path / "elsewhere.db", f"sqlite:///{tmp_path / 'elsewhere.db'}",
                    received._capsys)  # fmt: skip
    other.ok("facility", "list")
