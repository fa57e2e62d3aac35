"""Shared fixtures: a real database per test and the real command line run in-process.

``pytest`` runs on SQLite files; ``pytest --backend postgresql`` runs every test that touches
the database against a private PostgreSQL server started for the run (see helpers/pg_server).
"""

from __future__ import annotations

import contextlib
import io
import os
import sqlite3
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from devtools.pg_server import PgServer, find_bindir
from devtools.pg_server import running as pg_running
from station.cli.main import run
from station.db.connection import open_database
from station.services.context import Context
from tests.helpers.fake_metrc import FakeMetrc

BACKENDS = ("sqlite", "postgresql")
# The fixtures that give a test a station database: only those tests run on PostgreSQL.
DATABASE_FIXTURES = {"station", "database_url", "empty_database_url", "pg"}

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
            with sqlite3.connect(self.path) as connection:
                return list(connection.iterdump())
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


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--backend",
        choices=BACKENDS,
        default=os.environ.get("STATION_TEST_BACKEND", "sqlite"),
        help="the database the station tests run on",
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "sqlite_only: about SQLite files themselves, or UI behaviour no backend changes"
    )
    config.addinivalue_line("markers", "postgresql_only: needs the PostgreSQL server")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """On PostgreSQL keep the tests that use a station database; on SQLite drop the ones
    that need the server. The rest (printers, templates, UIDs) have no backend to vary."""
    backend = config.getoption("--backend")
    keep: list[pytest.Item] = []
    drop: list[pytest.Item] = []
    for item in items:
        names = set(getattr(item, "fixturenames", ()))
        if backend == "postgresql":
            wanted = (
                bool(names & DATABASE_FIXTURES) or item.get_closest_marker("postgresql_only")
            ) and not item.get_closest_marker("sqlite_only")
        else:
            wanted = not item.get_closest_marker("postgresql_only")
        (keep if wanted else drop).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


@pytest.fixture(scope="session")
def pg() -> Iterator[PgServer]:
    """The run's PostgreSQL server, with the schema migrated into the template database."""
    if find_bindir() is None:
        pytest.fail("--backend postgresql needs PostgreSQL's server (apt-get install postgresql)")
    with pg_running() as server:
        database = open_database(server.url("station_template"))
        database.close()
        yield server


@pytest.fixture
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.config.getoption("--backend") == "postgresql":
        server: PgServer = request.getfixturevalue("pg")
        return server.new_database()
    return f"sqlite:///{tmp_path / 'station.db'}"


@pytest.fixture
def empty_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A database with no tables at all yet."""
    if request.config.getoption("--backend") == "postgresql":
        server: PgServer = request.getfixturevalue("pg")
        return server.new_database(template="template0")
    return f"sqlite:///{tmp_path / 'shared.db'}"


@pytest.fixture(autouse=True)
def own_folders(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test gets its own user data, config and cache folders (spool, user templates,
    python-escpos's pickle)."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    # The day's automatic backup is tested on its own (test_backups.py); elsewhere it would
    # only add a copy of each test's database to every test.
    monkeypatch.setenv("STATION_BACKUPS", "0")


@pytest.fixture
def station(
    tmp_path: Path, database_url: str, capsys: pytest.CaptureFixture[str]
) -> Iterator[Station]:
    made = Station(tmp_path / "station.db", database_url, capsys)
    yield made
    # Every test that changed tags also checks the tally the services keep beside them.
    assert made.tally_differences() == []


@pytest.fixture
def stocked(station: Station) -> Station:
    """A facility with a 500-tag package order and a 100-tag plant order, nothing received."""
    station.ok("facility", "add", LICENSE, FACILITY)
    station.ok(
        "order",
        "add",
        "--license",
        LICENSE,
        "--type",
        "package",
        "--first",
        uid(PACKAGE_PREFIX, 1),
        "--count",
        "500",
        "--order-date",
        "2026-11-20",
        "--order-number",
        "4471",
    )
    station.ok(
        "order",
        "add",
        "--license",
        LICENSE,
        "--type",
        "plant",
        "--first",
        uid(PLANT_PREFIX, 1),
        "--last",
        uid(PLANT_PREFIX, 100),
        "--order-date",
        "2026-11-20",
    )
    return station


@pytest.fixture
def received(stocked: Station) -> Station:
    """``stocked`` with every tag received."""
    stocked.ok("receive", uid(PACKAGE_PREFIX, 1), uid(PACKAGE_PREFIX, 500))
    stocked.ok("receive", uid(PLANT_PREFIX, 1), uid(PLANT_PREFIX, 100))
    return stocked


# Metrc API keys for the fake Metrc: distinctive, so a test can look for them anywhere.
VENDOR = "vk-Zq81-VENDOR-secret-7731"
USER = "uk-Pp02-USER-secret-5509"
OTHER_LICENSE = "C12-0000002-LIC"


@pytest.fixture
def metrc(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeMetrc]:
    with FakeMetrc(VENDOR, USER, (LICENSE, OTHER_LICENSE)) as fake:
        monkeypatch.setenv("METRC_URL", fake.url)
        monkeypatch.setenv("METRC_VENDOR_KEY", VENDOR)
        monkeypatch.setenv("METRC_USER_KEY", USER)
        # Retries wait as Metrc asks; keep the tests' waits short.
        monkeypatch.setattr("station.metrc.client.BACKOFF_S", 0.01)
        # Metrc's 50 GETs a second would make a test of 500 look-ups take 10 s; the pace
        # itself has a test of its own.
        monkeypatch.setattr("station.metrc.client.GETS_PER_SECOND", 10_000.0)
        fake.retry_after = "0.2"
        yield fake


# Two packages made here that Metrc holds (Retail ID).
PARENT = uid(PACKAGE_PREFIX, 1)
CHILD = uid(PACKAGE_PREFIX, 2)


@pytest.fixture
def packaged(received: Station, metrc: FakeMetrc) -> Station:
    """Two packages made here (tags 1 and 2) that Metrc holds, and an allotment of 1,000."""
    received.ok(
        "assign", "package", "--count", "2", "--item", "Gummies 10pk", "--quantity", "1",
        "--unit", "Each",
    )  # fmt: skip
    for label in (PARENT, CHILD):
        metrc.add_package(label, LICENSE)
    metrc.retail.allotments[LICENSE] = 1000
    return received
