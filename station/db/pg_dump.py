"""Copies of a PostgreSQL station database through PostgreSQL's own tools: ``pg_dump`` in
custom format from one exported snapshot (its row counts taken in that same snapshot),
``pg_restore`` to read a dump back and to put one in place in a single transaction.

The password reaches the tools in their environment, never on a command line others can
read in the process list.
"""

from __future__ import annotations

import contextlib
import glob
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from peewee import PostgresqlDatabase

from station.domain.errors import StationError
from station.settings import child_environment

# Long enough for a dump of millions of tags on a slow disk; a hung tool is not waited on
# forever.
TOOL_TIMEOUT_S = 3600
# Where Debian keeps each installed version's tools, when none is on the PATH.
VERSIONED_TOOLS = "/usr/lib/postgresql/*/bin"
MISSING = (
    "{tool} is not installed: a PostgreSQL backup needs PostgreSQL's client tools "
    "(Debian: apt-get install postgresql-client)"
)
# What a station's dump may hold: its tables and what belongs to them, and the functions
# behind its triggers. Anything else in a file given to restore is refused.
ALLOWED_ENTRIES = {
    "TABLE",
    "TABLE DATA",
    "SEQUENCE",
    "SEQUENCE OWNED BY",
    "SEQUENCE SET",
    "DEFAULT",
    "CONSTRAINT",
    "FK CONSTRAINT",
    "INDEX",
    "TRIGGER",
    "FUNCTION",
    "SCHEMA",
    "COMMENT",
    "ENCODING",
    "STDSTRINGS",
    "SEARCHPATH",
    "DATABASE",
}
_COPY = re.compile(r"^COPY (?:public\.)?\"?([a-z_0-9]+)\"? \(")
# "243; 1255 16497 FUNCTION public tag_transition() station": kind, schema, name.
_ENTRY = re.compile(r"^\d+; \d+ \d+ ((?:[A-Z]+ )+)(\S+) (\S+)")


def tool(name: str) -> str:
    """The path of PostgreSQL's ``name`` tool: on the PATH, else the newest of Debian's
    versioned folders (a newer pg_dump reads older servers; an older one refuses newer)."""
    found = shutil.which(name)
    if found:
        return found
    candidates = glob.glob(f"{VERSIONED_TOOLS}/{name}")
    if candidates:
        return max(candidates, key=_version)
    raise StationError(MISSING.format(tool=name))


def _version(path: str) -> tuple[int, ...]:
    digits = re.findall(r"\d+", path)
    return tuple(int(part) for part in digits)


def environment(database: PostgresqlDatabase) -> dict[str, str]:
    """libpq's variables for ``database``'s connection (password included)."""
    params: dict[str, Any] = dict(database.connect_params)
    names = {"host": "PGHOST", "port": "PGPORT", "user": "PGUSER", "password": "PGPASSWORD"}
    extra = {names[key]: str(value) for key, value in params.items() if key in names and value}
    extra["PGDATABASE"] = str(database.database)
    return child_environment(extra)


def row_counts(cursor: Any) -> dict[str, int]:
    cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename")
    names = [name for (name,) in cursor.fetchall()]
    counts: dict[str, int] = {}
    for name in names:
        cursor.execute(f'SELECT COUNT(*) FROM "{name}"')
        counts[name] = cursor.fetchone()[0]
    return counts


def dump_into(database: PostgresqlDatabase, out: IO[bytes]) -> dict[str, int]:
    """Write a custom-format dump of ``database`` to ``out`` as of one snapshot, and return
    each table's row count in that same snapshot."""
    import psycopg2

    command = tool("pg_dump")
    env = environment(database)
    connection = psycopg2.connect(dbname=database.database, **database.connect_params)
    try:
        connection.set_session(isolation_level="REPEATABLE READ", readonly=True)
        cursor = connection.cursor()
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot = cursor.fetchone()[0]
        counts = row_counts(cursor)
        done = subprocess.run(
            [command, "--format=custom", f"--snapshot={snapshot}", "--no-password"],
            stdout=out,
            stderr=subprocess.PIPE,
            env=env,
            timeout=TOOL_TIMEOUT_S,
            check=False,
        )
        if done.returncode:
            raise StationError(f"pg_dump failed: {_first_line(done.stderr)}")
    finally:
        connection.close()
    return counts


def entries(path: Path) -> list[tuple[str, str]]:
    """The dump's table of contents as (kind, name); raises if it is not a readable dump."""
    done = subprocess.run(
        [tool("pg_restore"), "--list", str(path)],
        capture_output=True,
        timeout=TOOL_TIMEOUT_S,
        check=False,
        env=child_environment({}),
    )
    if done.returncode:
        raise StationError(f"{path} is not a readable PostgreSQL dump: {_first_line(done.stderr)}")
    found: list[tuple[str, str]] = []
    for line in done.stdout.decode("utf-8", "replace").splitlines():
        if not line.strip() or line.startswith(";"):
            continue
        match = _ENTRY.match(line)
        # Anything outside the public schema is not a station's.
        if match is None or match.group(2) not in ("public", "-"):
            raise StationError(f"{path} holds more than a station database ({line[:60]})")
        found.append((match.group(1).strip(), match.group(3)))
    return found


@contextlib.contextmanager
def _data(path: Path) -> Iterator[IO[bytes]]:
    process = subprocess.Popen(
        [tool("pg_restore"), "--data-only", "--file=-", str(path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=child_environment({}),
    )
    assert process.stdout is not None
    try:
        yield process.stdout
    finally:
        process.stdout.close()
        process.kill()
        process.wait()


def check_dump(path: Path, expected: dict[str, int] | None = None) -> dict[str, int]:
    """Prove ``path`` a whole station dump: a readable table of contents holding nothing but
    a station's kinds of entries, and every table's rows read back and counted (against
    ``expected``, the snapshot's counts, when given)."""
    odd = sorted({kind for kind, _ in entries(path)} - ALLOWED_ENTRIES)
    if odd:
        raise StationError(f"{path} holds more than a station database ({odd[0]})")
    counts: dict[str, int] = {}
    table: str | None = None
    with _data(path) as lines:
        for line in lines:
            if table is None:
                match = _COPY.match(line.decode("utf-8", "replace"))
                if match:
                    table = match.group(1)
                    counts[table] = 0
            elif line == b"\\.\n":
                table = None
            else:
                counts[table] += 1
    if "audit_event" not in counts:
        raise StationError(f"{path} is not a Tag Station database (it has no audit trail)")
    if expected is not None:
        for name, rows in expected.items():
            if counts.get(name, 0) != rows:
                raise StationError(
                    f"the dump in {path} does not match the database: {name} has "
                    f"{counts.get(name, 0):,} rows, not {rows:,}"
                )
    return counts


def newest_event(path: Path) -> tuple[int, str, str] | None:
    """The dump's newest audit event as (id, at, action), or None when it has none."""
    newest: tuple[int, str, str] | None = None
    inside = False
    with _data(path) as lines:
        for raw in lines:
            line = raw.decode("utf-8", "replace")
            if not inside:
                match = _COPY.match(line)
                inside = bool(match and match.group(1) == "audit_event")
                columns = _columns(line) if inside else []
                continue
            if line == "\\.\n":
                break
            values = dict(zip(columns, line.rstrip("\n").split("\t"), strict=False))
            event = (int(values["id"]), values["at"], values["action"])
            if newest is None or event[0] > newest[0]:
                newest = event
    return newest


# The tables a restore weighs a dump's history by
# (station.services.records.restore_checks), with the columns it reads of each, copied into
# a scratch SQLite file.
_HISTORY = {
    "audit_event": (
        "id", "at", "operator", "approved_by", "action", "summary", "details", "tag_count",
        "prev_hash", "hash", "key_id",
    ),
    "audit_uid": ("uid", "event_id"),
    "operator": ("name", "enabled"),
}  # fmt: skip
_HISTORY_SCHEMA = (
    "CREATE TABLE audit_event (id INTEGER PRIMARY KEY, at TEXT, operator TEXT, approved_by "
    "TEXT, action TEXT, summary TEXT, details TEXT, tag_count INTEGER, prev_hash TEXT, hash "
    "TEXT, key_id TEXT)",
    "CREATE TABLE audit_uid (uid TEXT, event_id INTEGER)",
    "CREATE INDEX audit_uid_event ON audit_uid (event_id, uid)",
    "CREATE TABLE operator (name TEXT, enabled INTEGER)",
)
_ESCAPES = {"b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v", "\\": "\\"}
_ESCAPED = re.compile(r"\\(?:([0-7]{1,3})|x([0-9a-fA-F]{1,2})|(.))")


@contextlib.contextmanager
def history_of(path: Path) -> Iterator[Path]:
    """A scratch SQLite file (private, removed afterwards) holding the dump's audit trail
    and operators as the database would give them back, for the restore to verify and
    compare before anything changes."""
    import datetime as dt
    import sqlite3
    import tempfile

    with tempfile.TemporaryDirectory(prefix="station-history-") as folder:
        target = Path(folder) / "history.sqlite"
        with contextlib.closing(sqlite3.connect(target)) as scratch:
            for statement in _HISTORY_SCHEMA:
                scratch.execute(statement)
            for table, columns, values in _rows(path, _HISTORY):
                row = dict(zip(columns, values, strict=False))
                wanted: list[object] = [row.get(name) for name in _HISTORY[table]]
                if table == "audit_event" and wanted[1] is not None:
                    # As the station stores times in SQLite (str of the datetime), which the
                    # chain's serialisation reads; a time that does not parse stays as it is
                    # and fails verification.
                    with contextlib.suppress(ValueError):
                        wanted[1] = str(dt.datetime.fromisoformat(str(wanted[1])))
                if table == "operator":
                    wanted[1] = 1 if wanted[1] == "t" else 0
                marks = ", ".join("?" * len(wanted))
                scratch.execute(f"INSERT INTO {table} VALUES ({marks})", wanted)
            scratch.commit()
        yield target


def _rows(
    path: Path, tables: dict[str, tuple[str, ...]]
) -> Iterator[tuple[str, list[str], list[str | None]]]:
    """Each row of ``tables`` in the dump as (table, its columns, its values: COPY's text
    format read back, NULL as None)."""
    table: str | None = None
    columns: list[str] = []
    with _data(path) as lines:
        for raw in lines:
            line = raw.decode("utf-8", "replace")
            if table is None:
                match = _COPY.match(line)
                if match and match.group(1) in tables:
                    table, columns = match.group(1), _columns(line)
                continue
            if line == "\\.\n":
                table = None
                continue
            yield table, columns, [_copy_value(v) for v in line.rstrip("\n").split("\t")]


def _copy_value(text: str) -> str | None:
    """One field of COPY's text format: ``\\N`` is NULL; backslash escapes as PostgreSQL's
    documentation of COPY lists them."""
    if text == "\\N":
        return None
    if "\\" not in text:
        return text
    return _ESCAPED.sub(_unescaped, text)


def _unescaped(match: re.Match[str]) -> str:
    octal, hexadecimal, other = match.groups()
    if octal is not None:
        return chr(int(octal, 8))
    if hexadecimal is not None:
        return chr(int(hexadecimal, 16))
    return _ESCAPES.get(other, other)


def restore_from(database: PostgresqlDatabase, path: Path) -> None:
    """Replace ``database``'s tables with the dump's, all in one transaction: stopped half
    way, nothing has changed."""
    done = subprocess.run(
        [
            tool("pg_restore"),
            "--clean",
            "--if-exists",
            "--single-transaction",
            "--exit-on-error",
            "--no-owner",
            "--no-privileges",
            "--no-password",
            f"--dbname={database.database}",
            str(path),
        ],
        capture_output=True,
        env=environment(database),
        timeout=TOOL_TIMEOUT_S,
        check=False,
    )
    if done.returncode:
        raise StationError(f"pg_restore failed, nothing changed: {_first_line(done.stderr)}")


def _columns(copy_line: str) -> list[str]:
    inside = copy_line[copy_line.index("(") + 1 : copy_line.index(")")]
    return [name.strip().strip('"') for name in inside.split(",")]


def _first_line(stderr: bytes) -> str:
    text = stderr.decode("utf-8", "replace").strip()
    return text.splitlines()[0] if text else "no message"
