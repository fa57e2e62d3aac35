"""``station restore FILE``: put a backup back in place of the database.

Only a supervisor restores (``station.services.people.roles``). Refused, unless that supervisor
forces it, when the database holds audit events the backup lacks (the work since the backup
would be lost), and when the backup's history cannot be trusted as this station's (its chain
does not verify, its events are not the live chain's first ones, or it has fewer operators:
``station.services.records.restore_checks``). The backup is proved whole and a station's own before
anything changes; the database as it was is kept aside; the restore is audited in the
restored record, with what was forced.

- SQLite: the backup is copied beside the database file, migrated, checked against the
  schema this station builds, given its ``restore`` audit event, and only then takes the
  database file's name (one rename). The old file keeps a second name beside it.
- PostgreSQL: the current database is dumped aside first, then ``pg_restore`` replaces the
  tables in one transaction, so a restore stopped half way changes nothing.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from peewee import Database, OperationalError, PostgresqlDatabase, SqliteDatabase

from safefiles import leftovers_removed, new_path, private_folder_made
from station.db import pg_dump, snapshots
from station.db.connection import bound, migrate, open_database
from station.db.models import AuditEvent
from station.domain.errors import StationError, give
from station.domain.text import plural
from station.services.context import Context
from station.services.records import audit, audit_chain, backups, chain_key, restore_checks
from station.services.records.restore_checks import History

# How long a restore waits for other connections to let go of an SQLite file.
QUIET_WAIT_MS = 2000
OTHERS_OPEN = "other stations have the database open: close them (and any station UI), then restore"


@dataclass(frozen=True)
class Restored:
    source: Path
    aside: Path
    events: int
    lost: int
    forced: list[str]


def restore(ctx: Context, source: Path, force: bool = False) -> Restored:
    source = source.expanduser().absolute()
    if not source.is_file():
        raise StationError(f"no backup file {source}")
    if isinstance(ctx.db, SqliteDatabase):
        return _restore_sqlite(ctx, source, force)
    if isinstance(ctx.db, PostgresqlDatabase):
        return _restore_postgresql(ctx, source, force)
    raise StationError("restore knows SQLite files and PostgreSQL databases only")


def _refuse(history: History, force: bool) -> None:
    """Refuse what only a supervisor's --force restores: a history that does not verify or
    is not this one's, operators taken away, or later work lost."""
    if history.reasons and not force:
        raise StationError(
            "the backup cannot be trusted as this station's history: "
            f"{'; '.join(history.reasons)}; a supervisor can ",
            give("force", verb="add"),
            " to restore it anyway (the restore records why)",
        )
    if history.lost and not force:
        raise StationError(
            f"this database holds {plural(history.lost, 'audit event')} the backup lacks: "
            "restoring would lose that work; back it up first, or ",
            give("force", verb="add"),
            " to restore anyway",
        )


def _record(ctx: Context, source: Path, aside: Path, history: History) -> None:
    lost = history.lost
    with ctx.db.atomic():
        audit.record(
            ctx,
            "restore",
            f"restored the database from {source.name}"
            + (f", losing {plural(lost, 'later audit event')}" if lost else "")
            + (" (forced: " + "; ".join(history.reasons) + ")" if history.reasons else ""),
            {
                "file": str(source),
                "kept_aside": str(aside),
                "lost_events": lost,
                "forced": history.reasons,
            },
        )


def _forget_later_anchors(ctx: Context) -> None:
    """Heads noted for events the restore took away (or replaced with its own event) no
    longer apply: the restore, audited, is what changed them."""
    found = audit_chain.head(ctx)
    if found is not None:
        chain_key.forget_anchors_after(ctx.folders, ctx.db, found[0] - 1)


def _aside(ctx: Context, named: Callable[[str], Path]) -> Path:
    """Where the database is kept aside: ``named`` the moment, or the moment and -2, -3...
    when a restore in the same second (one killed half way, say) left that name."""
    stamp = f"{ctx.clock().astimezone():%Y%m%d-%H%M%S}"
    path, count = named(stamp), 1
    while os.path.lexists(path):
        count += 1
        path = named(f"{stamp}-{count}")
    return path


# --- SQLite ---------------------------------------------------------------------------------


def _restore_sqlite(ctx: Context, source: Path, force: bool) -> Restored:
    assert isinstance(ctx.db, SqliteDatabase)
    current = Path(ctx.db.database).absolute()
    if source == current:
        raise StationError("that is the database itself, not a backup of it")
    snapshots.check_copy(source, full=True)
    leftovers_removed(current.parent)  # what a restore killed half way left beside it
    aside = _aside(ctx, lambda stamp: current.with_name(f"{current.name}.before-restore-{stamp}"))
    with new_path(current, replace=True) as temporary:
        with (
            snapshots.reading(source) as reader,
            contextlib.closing(sqlite3.connect(temporary)) as copy,
        ):
            reader.backup(copy)
        history = _prepare(ctx, temporary, source, aside, force)
        _quiet(ctx.db)
        try:
            os.link(current, aside)
        except FileExistsError:
            raise StationError(f"{aside} exists; wait a second and restore again") from None
    # The database file is now the restored one: this station's connection reopens on it.
    ctx.db.close()
    ctx.db.connect()
    _forget_later_anchors(ctx)
    return Restored(source, aside, AuditEvent.select().count(), history.lost, history.reasons)


def _prepare(ctx: Context, temporary: Path, source: Path, aside: Path, force: bool) -> History:
    """Bring the copy to this station's schema, weigh its history against the live one's,
    prove the schema the station's own, and record the restore in it; then make it one
    self-contained file."""
    with bound(ctx.db):
        copy = open_database(f"sqlite:///{temporary}")
        try:
            restored = Context(copy, ctx.operator, ctx.clock, ctx.settings, ctx.folders)
            history = restore_checks.compare(ctx, restored)
            _refuse(history, force)
            with restored.bound():
                _record(restored, source, aside, history)
        finally:
            copy.close()
        wanted = _station_schema()
    found = snapshots.schema(temporary)
    if found != wanted:
        odd = sorted(found ^ wanted)[0]
        raise StationError(
            f"{source} is not a Tag Station backup this version can restore "
            f"(its {odd[0]} {odd[1]} differs from the station's)"
        )
    with contextlib.closing(sqlite3.connect(temporary)) as copy_file:
        copy_file.execute("PRAGMA journal_mode=DELETE")
    return history


def _station_schema() -> set[tuple[str, str, str]]:
    """The schema this station builds in a new file."""
    with tempfile.TemporaryDirectory(prefix="station-schema-") as folder:
        fresh = Path(folder) / "fresh.db"
        open_database(f"sqlite:///{fresh}").close()
        return snapshots.schema(fresh)


def _quiet(database: Database) -> None:
    """Leave WAL mode, which SQLite allows only when no other connection has the file open:
    the proof that no other station would go on writing to the old file after the swap."""
    try:
        database.execute_sql(f"PRAGMA busy_timeout = {QUIET_WAIT_MS}")  # type: ignore[no-untyped-call]
        mode = database.execute_sql("PRAGMA journal_mode = DELETE").fetchone()[0]  # type: ignore[no-untyped-call]
    except OperationalError:
        raise StationError(OTHERS_OPEN) from None
    if str(mode).lower() != "delete":
        raise StationError(OTHERS_OPEN)


# --- PostgreSQL -----------------------------------------------------------------------------


def _restore_postgresql(ctx: Context, source: Path, force: bool) -> Restored:
    assert isinstance(ctx.db, PostgresqlDatabase)
    counts = pg_dump.check_dump(source)
    here = pg_dump.row_counts(ctx.db.cursor())  # type: ignore[no-untyped-call]
    if set(counts) != set(here):
        raise StationError(
            f"{source} holds a station database of another version (its tables differ from "
            "this one's): restore it into a new empty database and point STATION_DB at it"
        )
    with pg_dump.history_of(source) as history_file:
        copy = SqliteDatabase(str(history_file))
        try:
            history = restore_checks.compare(
                ctx, Context(copy, ctx.operator, ctx.clock, ctx.settings, ctx.folders)
            )
        finally:
            copy.close()
    _refuse(history, force)
    private_folder_made(ctx.folders.backups)
    aside = _aside(ctx, lambda stamp: ctx.folders.backups / f"before-restore-{stamp}.dump")
    backups.write(ctx, aside)
    ctx.db.close()  # no connection of this station's holds a lock pg_restore waits for
    pg_dump.restore_from(ctx.db, source)
    migrate(ctx.db)
    _record(ctx, source, aside, history)
    _forget_later_anchors(ctx)
    return Restored(source, aside, AuditEvent.select().count(), history.lost, history.reasons)
