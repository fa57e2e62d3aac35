"""The station as a user runs it, for the tests: ``station ARGS`` run in-process against
one database (``Station``), the facility and tags the fixtures make, and the Metrc keys the
fake Metrc knows."""

from __future__ import annotations

import contextlib
import io
import sqlite3
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from station.cli.main import run
from station.db.connection import open_database
from station.services.context import Context

LICENSE = "C11-0000001-LIC"
FACILITY = "Green Leaf Farms"
PACKAGE_PREFIX = "1A4060300002EE10"
PLANT_PREFIX = "1A4060300002EE20"


def uid(prefix: str, serial: int) -> str:
    return f"{prefix}{serial:08d}"


@dataclass
class Result:
    code: int
    out: str
    err: str

    @property
    def lines(self) -> list[str]:
        return self.out.splitlines()


class Station:
    """Runs ``station ARGS`` against one database file, as a user would type it."""

    def __init__(self, path: Path, url: str, capsys: pytest.CaptureFixture[str]) -> None:
        self.path = path  # the SQLite file; on PostgreSQL only its folder is used, for files
        self.url = url
        # Set by a test that damages the file on purpose: what a damaged file still gives
        # may or may not read as an error, so its counts prove nothing.
        self.damaged = False
        self._capsys = capsys

    def __call__(self, *args: str, stdin: str = "", operator: str | None = "tester") -> Result:
        self._capsys.readouterr()
        saved = sys.stdin
        sys.stdin = io.StringIO(stdin)
        try:
            who = ["--operator", operator] if operator else []
            code = run(["--db", self.url, *who, *args])
        finally:
            sys.stdin = saved
        captured = self._capsys.readouterr()
        return Result(code, captured.out, captured.err)

    def ok(self, *args: str, stdin: str = "", operator: str | None = "tester") -> Result:
        result = self(*args, stdin=stdin, operator=operator)
        assert result.code == 0, result.err
        return result

    def refused(self, *args: str, stdin: str = "", operator: str | None = "tester") -> str:
        """Run a command that must be refused without changing the database; its message."""
        before = self.dump()
        message = self.failed(*args, stdin=stdin, operator=operator)
        assert self.dump() == before, "a refused command changed the database"
        return message

    def failed(self, *args: str, stdin: str = "", operator: str | None = "tester") -> str:
        """Run a command that must fail with one clear line (it may have done part of its
        work, as a push cut off half-way has); its message."""
        result = self(*args, stdin=stdin, operator=operator)
        assert result.code == 1, (result.code, result.out, result.err)
        assert result.err.startswith("error: "), result.err
        assert result.err.count("\n") == 1, f"not one line: {result.err!r}"
        assert "Traceback" not in result.err
        return result.err.removeprefix("error: ").strip()

    def dump(self, without: tuple[str, ...] = ()) -> list[str]:
        """Every row of every table, to compare before and after a refused command; with
        ``without``, leaving out the lines of those tables (records a command keeps of
        itself, such as when a reconciliation ran)."""
        rows = self._dump()
        return [row for row in rows if not any(t in row.split("(")[0] for t in without)]

    def _dump(self) -> list[str]:
        if self.url.startswith("sqlite"):
            # The schema, then every row of every table (iterdump's content, without the
            # INSERT statements it writes out in Python: a third of the time).
            with contextlib.closing(sqlite3.connect(self.path)) as connection:
                schema = connection.execute(
                    "SELECT type, name, sql FROM sqlite_master ORDER BY type, name"
                ).fetchall()
                lines = [f"schema: {entry!r}" for entry in schema]
                for kind, table, _ in schema:
                    if kind == "table":
                        found = connection.execute(f'SELECT * FROM "{table}"').fetchall()
                        lines.extend(f"{table}: {row!r}" for row in found)
                return lines
        import psycopg2

        rows: list[str] = []
        with contextlib.closing(psycopg2.connect(self.url)) as connection:
            cursor = connection.cursor()
            cursor.execute(
                "SELECT table_name FROM information_schema.tables "
                "WHERE table_schema = 'public' ORDER BY table_name"
            )
            for (table,) in cursor.fetchall():
                # Every column in the order: rows equal in the first (a UID's audit links)
                # would otherwise come in any order.
                cursor.execute(f'SELECT * FROM "{table}" LIMIT 0')
                columns = ", ".join(str(n + 1) for n in range(len(cursor.description or ())))
                cursor.execute(f'SELECT * FROM "{table}" ORDER BY {columns}')
                rows.extend(f"{table}: {row!r}" for row in cursor.fetchall())
        return rows

    def context(self) -> Context:
        return Context(open_database(self.url), operator="tester")

    def execute(self, *statements: str) -> None:
        """Change the database behind the station's back, as someone with the file could:
        with the database's own driver, in one transaction."""
        if self.url.startswith("sqlite"):
            with contextlib.closing(sqlite3.connect(self.path)) as connection:
                for sql in statements:
                    connection.execute(sql)
                connection.commit()
            return
        import psycopg2

        with contextlib.closing(psycopg2.connect(self.url)) as connection:
            cursor = connection.cursor()
            for sql in statements:
                cursor.execute(sql)
            connection.commit()

    def tally_differences(self) -> list[str]:
        """Where the tag tally kept by the services disagrees with a count of the tags, read
        with the database's own driver (nothing when there is no database or tally, or the
        test damaged the file on purpose)."""
        if self.damaged:
            return []
        counted = "SELECT order_id, status, COUNT(*) FROM tag GROUP BY order_id, status"
        kept = "SELECT order_id, status, tags FROM tag_tally WHERE tags <> 0"
        try:
            if self.url.startswith("sqlite"):
                if not self.path.exists():
                    return []
                with contextlib.closing(sqlite3.connect(self.path)) as connection:
                    tags = set(connection.execute(counted).fetchall())
                    tally = set(connection.execute(kept).fetchall())
            else:
                import psycopg2

                with contextlib.closing(psycopg2.connect(self.url)) as connection:
                    cursor = connection.cursor()
                    cursor.execute(counted)
                    tags = set(cursor.fetchall())
                    cursor.execute(kept)
                    tally = set(cursor.fetchall())
        except (sqlite3.Error, ImportError) as exc:
            unreadable = ("no such table", "malformed", "not a database", "unable to open")
            return [] if any(words in str(exc) for words in unreadable) else [str(exc)]
        except Exception as exc:  # psycopg2's errors: a test without the tables
            return [] if "does not exist" in str(exc) else [str(exc)]
        return sorted(f"tags {row}" for row in tags - tally) + sorted(
            f"tally {row}" for row in tally - tags
        )


# Metrc API keys for the fake Metrc: distinctive, so a test can look for them anywhere.
VENDOR = "vk-Zq81-VENDOR-secret-7731"
USER = "uk-Pp02-USER-secret-5509"
OTHER_LICENSE = "C12-0000002-LIC"


# Two packages made here that Metrc holds (Retail ID).
PARENT = uid(PACKAGE_PREFIX, 1)
CHILD = uid(PACKAGE_PREFIX, 2)


def without_triggers(station: Station, *statements: str) -> None:
    """Run ``statements`` as someone editing the database by hand."""
    if station.url.startswith("sqlite"):
        lifted = [
            f"DROP TRIGGER {table}_no_{verb}"
            for table in ("audit_event", "audit_uid")
            for verb in ("update", "delete")
        ]
    else:
        # ALL: the foreign keys' own triggers too, as SQLite's driver has them off.
        lifted = [f"ALTER TABLE {t} DISABLE TRIGGER ALL" for t in ("audit_event", "audit_uid")]
    station.execute(*lifted, *statements)


def assign_packages(
    station: Station, count: int, location: str, license_number: str | None = None
) -> None:
    """``count`` received package tags assigned to one batch of gummies in ``location``."""
    facility = ("--license", license_number) if license_number else ()
    station.ok(
        "assign", "package", *facility, "--count", str(count), "--item", "Gummies",
        "--quantity", "1", "--unit", "Each", "--location", location,
    )  # fmt: skip
