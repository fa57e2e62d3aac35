"""Opening the station database from a URL and bringing its schema up to date."""

from __future__ import annotations

import contextlib
import os
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from peewee import Database, DatabaseError, PostgresqlDatabase, SqliteDatabase

from safefiles import private_folder_made
from station import __version__
from station.db.integrity import damage_message, damaged, refuse_damaged
from station.db.models import database_proxy
from station.db.postgres import StationPostgresqlDatabase
from station.db.quiet_log import hide_operator_secrets
from station.db.snapshots import MIGRATION_TABLE
from station.domain.errors import StationError

if TYPE_CHECKING:
    from playhouse.migrations import Runner

MIGRATIONS = Path(__file__).parent / "migrations"
# How long a writer waits for another station process to finish its transaction.
BUSY_TIMEOUT_S = 15.0

SQLITE_PRAGMAS = {
    "journal_mode": "wal",
    "foreign_keys": 1,
    "cache_size": -64000,
    # WAL with NORMAL sync is still durable against application crashes; the default FULL
    # also survives power loss, which is what a compliance record wants.
    "synchronous": 2,
}


def open_database(url: str, check_stamp: Path | None = None, damaged_ok: bool = False) -> Database:
    """Connect to ``url`` (``sqlite:///...``, ``postgresql://...`` or a file path), check an
    SQLite file is not damaged (see :mod:`station.db.integrity`; ``check_stamp`` notes when a
    large one was last checked; ``damaged_ok`` skips it, for the restore that replaces a
    damaged file), migrate it, and bind the models to it."""
    hide_operator_secrets()
    database = _connect(url)
    database_proxy.initialize(database)
    try:
        database.connect(reuse_if_open=True)
        if not damaged_ok:
            refuse_damaged(database, check_stamp)
    except DatabaseError as exc:
        database.close()
        if damaged(exc):
            raise StationError(damage_message(exc)) from exc
        raise StationError(f"cannot open database {_safe_url(url)}: {exc}") from exc
    except StationError:
        # Refused (a damaged file): let go of it now, so that a restore can replace it.
        database.close()
        raise
    migrate(database)
    return database


def binding(database: Database) -> contextlib.AbstractContextManager[Database]:
    """``database`` for the models' queries in this thread, for the block."""
    return database_proxy.binding(database)


@contextlib.contextmanager
def bound(database: Database) -> Iterator[Database]:
    """The models bound to ``database`` for the block (a restore prepares the copy it will put
    in place), then to whichever database they were bound to before."""
    before = database_proxy.obj
    database_proxy.initialize(database)
    try:
        yield database
    finally:
        database_proxy.initialize(before)


def sqlite_path(url: str) -> Path | None:
    """The file an SQLite URL (or a bare path) names; None for another kind of database."""
    if "://" not in url:
        return Path(url).expanduser().absolute()
    if urlsplit(url).scheme != "sqlite":
        return None
    path = url.split("://", 1)[1][1:]
    return Path(path).absolute() if path and path != ":memory:" else None


def _connect(url: str) -> Database:
    scheme = urlsplit(url).scheme if "://" in url else "sqlite"
    if scheme == "sqlite":
        path = sqlite_path(url)
        if path is None:
            # Each thread would get its own empty database; the station needs one shared file.
            raise StationError("an in-memory SQLite database cannot be shared; give a file path")
        try:
            private_folder_made(path.parent)
            _create_private(path)
            if not stat.S_ISREG(os.stat(path).st_mode):
                # /dev/null or a pipe opens, then fails at the first write ("cannot rollback").
                raise StationError(f"the database {path} is not a regular file")
        except OSError as exc:
            raise StationError(f"cannot create {path}: {exc.strerror}") from exc
        # Built directly: playhouse.db_url would load every database kind peewee knows.
        return SqliteDatabase(
            str(path), pragmas=SQLITE_PRAGMAS, timeout=BUSY_TIMEOUT_S, lock_type="IMMEDIATE"
        )
    if scheme in ("postgres", "postgresql"):
        try:
            import psycopg2  # noqa: F401
        except ImportError as exc:
            raise StationError(
                "PostgreSQL needs psycopg2: pip install 'tag-station[postgres]'"
            ) from exc
        from playhouse.db_url import parse

        settings = parse(url, unquote_password=True, unquote_user=True)
        database = StationPostgresqlDatabase(**settings)
        return database
    raise StationError(
        f"unsupported database URL {_safe_url(url)}: use sqlite:///PATH or postgresql://..."
    )


def _create_private(path: Path) -> None:
    """A new database file readable by this user alone (SQLite gives its WAL and shared
    memory files the same mode); an existing one is left as it is."""
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except FileExistsError:
        pass


def _safe_url(url: str) -> str:
    """The URL without its password, for messages."""
    parts = urlsplit(url)
    if parts.password:
        netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
        return parts._replace(netloc=netloc).geturl()
    return url


def migrate(database: Database) -> list[str]:
    """Apply pending migrations; safe when several stations start at the same moment.

    A database already changed by a migration this program does not have was upgraded by a
    newer Tag Station: it is refused rather than used with a schema this one does not know.
    """
    if _up_to_date(database):
        return []
    # The migration runner loads only when there is something for it to do.
    from playhouse.migrations import MigrationError, Runner

    runner = Runner(database, str(MIGRATIONS))
    status = runner.status()
    newer = sorted(m.name for m in status if m.path is None)
    if newer:
        raise StationError(
            f"this database was upgraded by a newer Tag Station (its schema has {newer[-1]}, "
            f"which version {__version__} does not know); use that newer version"
        )
    if not any(m.applied is None for m in status):
        return []
    refuse_damaged(database, always=True)  # never change the schema of a damaged file
    if isinstance(database, PostgresqlDatabase):
        # One station migrates; the others wait on the lock and then find nothing to do.
        database.execute_sql("SELECT pg_advisory_lock(7370001)")  # type: ignore[no-untyped-call]
        try:
            applied: list[str] = runner.up()
            return applied
        finally:
            database.execute_sql("SELECT pg_advisory_unlock(7370001)")  # type: ignore[no-untyped-call]
    try:
        # BEGIN IMMEDIATE takes the file's write lock: one station migrates, the others wait
        # (busy timeout), then find nothing left to do. Each step runs in a savepoint.
        with database.atomic():
            if not _pending(runner):
                return []
            applied = runner.up()
        return applied
    except (DatabaseError, MigrationError) as exc:
        # Had another process finished the work all the same, there is nothing to report;
        # anything still pending is a real failure.
        if isinstance(database, SqliteDatabase) and not _pending(runner):
            return []
        raise StationError(f"cannot update the database schema: {exc}") from exc


def _up_to_date(database: Database) -> bool:
    """Whether the migrations applied are exactly the ones this program has: one query, and
    the migration runner left unloaded, on every start but the first after an upgrade."""
    if not database.table_exists(MIGRATION_TABLE):
        return False
    cursor = database.execute_sql(f"SELECT name FROM {MIGRATION_TABLE}")  # type: ignore[no-untyped-call]
    applied = {name for (name,) in cursor.fetchall()}
    return applied == {path.stem for path in MIGRATIONS.glob("[0-9]*.py")}


def _pending(runner: Runner) -> bool:
    return any(m.applied is None and m.path is not None for m in runner.status())
