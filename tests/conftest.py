"""Shared fixtures: a real database per test and the real command line run in-process.

``pytest`` runs on SQLite files; ``pytest --backend postgresql`` runs every test that touches
the database against a private PostgreSQL server started for the run (see helpers/pg_server).
"""

from __future__ import annotations

import functools
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from devtools.fakes.metrc import FakeMetrc
from devtools.pg_server import PgServer, find_bindir
from devtools.pg_server import running as pg_running
from station.db.connection import open_database
from tests.helpers.station import (
    CHILD,
    FACILITY,
    LICENSE,
    OTHER_LICENSE,
    PACKAGE_PREFIX,
    PARENT,
    PLANT_PREFIX,
    USER,
    VENDOR,
    Station,
    uid,
)

BACKENDS = ("sqlite", "postgresql")
# The fixtures that give a test a station database: only those tests run on PostgreSQL.
DATABASE_FIXTURES = {"station", "database_url", "empty_database_url", "pg"}


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


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An SQLite station database migrated once for the run (in folders of its own), which
    each test copies, as the PostgreSQL pass copies its template database: migrating a new
    file takes 50 ms, a copy 1."""
    folder = tmp_path_factory.mktemp("template")
    with pytest.MonkeyPatch.context() as patch:
        for name in ("XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME"):
            patch.setenv(name, str(folder / name))
        path = folder / "station.db"
        database = open_database(f"sqlite:///{path}")
        database.execute_sql("PRAGMA wal_checkpoint(TRUNCATE)")  # type: ignore[no-untyped-call]
        database.close()
    return path


@pytest.fixture
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.config.getoption("--backend") == "postgresql":
        server: PgServer = request.getfixturevalue("pg")
        return server.new_database()
    template: Path = request.getfixturevalue("sqlite_template")
    path = tmp_path / "station.db"
    shutil.copyfile(template, path)
    path.chmod(0o600)
    return f"sqlite:///{path}"


@pytest.fixture
def empty_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A database with no tables at all yet."""
    if request.config.getoption("--backend") == "postgresql":
        server: PgServer = request.getfixturevalue("pg")
        return server.new_database(template="template0")
    return f"sqlite:///{tmp_path / 'shared.db'}"


@pytest.fixture(autouse=True, scope="session")
def pin_hashes_computed_once() -> Iterator[None]:
    """scrypt is a pure function of the PIN and its salt: each distinct pair is still
    computed for real, once a run, instead of 64 ms at every sign-in of every command (a
    third of the fast lane's time). Subprocesses compute theirs as a station does."""
    from station.domain import pins

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(pins, "_scrypt", functools.lru_cache(maxsize=4096)(pins._scrypt))
        yield


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
