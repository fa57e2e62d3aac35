"""Backups of the station's record: ``station backup FILE`` on demand, and one a day written
by the first command or UI start of the day into the data folder, the last
``STATION_BACKUPS`` kept. Every backup is checked before it takes its name, and every run
(or failure) is recorded, so the home screen can say how old the last good one is.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import os
import shutil
import sqlite3
import stat
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from peewee import DatabaseError, IntegrityError, PostgresqlDatabase, SqliteDatabase

from safefiles import leftovers_removed, new_path, open_private, private_folder_made
from station.db import pg_dump, snapshots
from station.db.models import BackupRun
from station.db.rows import tuples
from station.domain.errors import StationError
from station.domain.states import BackupKind
from station.folders import DAILY_BACKUP
from station.services.context import Context
from station.services.records import audit_chain, chain_key
from station.services.records.backup_due import claim_of, daily_due

# A backup older than this is worth a warning on the home screen.
STALE_AFTER = dt.timedelta(days=2)
# A file system with less free than this, when a write fails, is taken to be full.
FULL_BELOW = 1024 * 1024
# What can go wrong while writing one (a daily failure is recorded, not raised).
BACKUP_FAILURES = (
    StationError,
    OSError,
    DatabaseError,
    sqlite3.Error,
    subprocess.SubprocessError,
)


@dataclass(frozen=True)
class Backup:
    path: Path
    bytes: int
    counts: dict[str, int]
    seconds: float

    @property
    def tags(self) -> int:
        return self.counts.get("tag", 0)

    @property
    def events(self) -> int:
        return self.counts.get("audit_event", 0)


def suffix(ctx: Context) -> str:
    """What a backup file of this database is: an SQLite file, or a pg_dump archive."""
    return ".sqlite" if isinstance(ctx.db, SqliteDatabase) else ".dump"


def write(ctx: Context, path: Path) -> Backup:
    """Write a consistent copy of the database to the new file ``path``, check it, and only
    then give it that name (a copy stopped half way leaves nothing under it, and what a
    killed one left is removed here first)."""
    started = time.monotonic()
    _refuse_taken(path)
    leftovers_removed(path.parent)
    # The head now is in the copy (taken after it): noted outside the database once the
    # copy is whole, it anchors the trail up to here.
    head = audit_chain.head(ctx)
    try:
        with new_path(path) as temporary:
            if isinstance(ctx.db, SqliteDatabase):
                counts = snapshots.copy_into(ctx.db, temporary)
                snapshots.check_copy(temporary, counts)
            elif isinstance(ctx.db, PostgresqlDatabase):
                with open_private(temporary) as out:
                    counts = pg_dump.dump_into(ctx.db, out)
                pg_dump.check_dump(temporary, counts)
            else:
                raise StationError("backups know SQLite files and PostgreSQL databases only")
    except FileExistsError:
        raise StationError(_taken(path)) from None
    except PermissionError as exc:
        raise StationError(f"cannot write {path}: {exc.strerror}") from None
    except (OSError, DatabaseError, sqlite3.Error, StationError) as exc:
        if _out_of_space(exc, path.parent):
            raise StationError(_no_space(ctx, path.parent)) from None
        raise
    if head is not None:
        chain_key.add_anchor(ctx.folders, ctx.db, head[0], head[1], f"backup {path}")
    return Backup(path, path.stat().st_size, counts, time.monotonic() - started)


def _out_of_space(error: Exception, folder: Path) -> bool:
    """Whether ``error`` came from a full disk: ENOSPC itself, SQLite's "full", or a write
    error (SQLite reports some as "disk I/O error", pg_dump as its own text) while the
    folder's file system has next to nothing free."""
    if isinstance(error, OSError) and error.errno in (errno.ENOSPC, errno.EDQUOT):
        return True
    text = str(error).lower()
    if "disk is full" in text or "no space left" in text:
        return True
    if "disk i/o error" in text or "could not write" in text:
        try:
            return shutil.disk_usage(folder).free < FULL_BELOW
        except OSError:
            return False
    return False


def _no_space(ctx: Context, folder: Path) -> str:
    try:
        free = f"{shutil.disk_usage(folder).free / 1e6:,.1f} MB free"
    except OSError:
        free = "free space unknown"
    size = ""
    if isinstance(ctx.db, SqliteDatabase):
        with contextlib.suppress(OSError):
            size = f"; the database is {Path(ctx.db.database).stat().st_size / 1e6:,.1f} MB"
    return f"not enough space in {folder} ({free}{size}); nothing was written"


def backup(ctx: Context, path: Path) -> Backup:
    """``station backup FILE``: a checked copy at ``path``, recorded."""
    path = path.expanduser().absolute()
    _refuse_taken(path)  # before anything is recorded: a refusal changes nothing
    run = _started(ctx, BackupKind.MANUAL)
    try:
        made = write(ctx, path)
    except BACKUP_FAILURES as exc:
        _finished(ctx, run, error=str(exc))
        raise
    _finished(ctx, run, made)
    return made


@dataclass(frozen=True)
class Daily:
    made: Backup | None = None
    error: str | None = None
    pruned: tuple[Path, ...] = ()


def daily(ctx: Context) -> Daily:
    """Today's backup, if no station has written (or started) it yet: written to the data
    folder, then all but the newest ``STATION_BACKUPS`` daily files removed. A failure is
    recorded and returned, never raised: the command the operator asked for goes on."""
    if not daily_due(ctx):
        return Daily()
    today = ctx.today()
    claim = claim_of(today)
    try:
        with ctx.db.atomic():
            run = _started(ctx, BackupKind.DAILY, claim)
    except IntegrityError:
        return Daily()  # another station claimed today's a moment ago
    folder = ctx.folders.backups
    name = f"station-{today:%Y%m%d}-{ctx.clock().astimezone():%H%M%S}{suffix(ctx)}"
    try:
        private_folder_made(folder)
        made = write(ctx, folder / name)
    except BACKUP_FAILURES as exc:
        _finished(ctx, run, error=str(exc))
        return Daily(error=f"today's backup failed: {exc}")
    _finished(ctx, run, made)
    return Daily(made, pruned=prune(ctx, folder, ctx.settings.backups))


def prune(ctx: Context, folder: Path, keep: int) -> tuple[Path, ...]:
    """Remove all but the newest ``keep`` daily backups this station wrote of this database
    into ``folder``: the ones its own record names, each still the very file written (a
    regular file of the recorded size, named as daily backups are). Anything else there (a
    file named like a backup, another database's backups, links) is left alone."""
    runs = (
        BackupRun.select(BackupRun.path, BackupRun.bytes)
        .where(
            (BackupRun.kind == BackupKind.DAILY)
            & BackupRun.error.is_null()
            & BackupRun.path.is_null(False)
            & (BackupRun.station == ctx.settings.station_name)
        )
        .order_by(BackupRun.finished_at.desc(), BackupRun.id.desc())
    )
    recorded: list[tuple[str, int | None]] = [(str(p), b) for p, b in tuples(runs)]
    ours = [
        Path(path)
        for path, size in recorded
        if Path(path).parent == folder and _still_written(Path(path), size)
    ]
    removed = tuple(ours[keep:])
    for path in removed:
        path.unlink(missing_ok=True)
    return removed


def _still_written(path: Path, size: int | None) -> bool:
    try:
        found = os.lstat(path)
    except OSError:
        return False
    return (
        DAILY_BACKUP.match(path.name) is not None
        and stat.S_ISREG(found.st_mode)
        and found.st_size == size
    )


@dataclass(frozen=True)
class BackupStatus:
    """The newest good backup, and the newest failure when it came after it."""

    last_at: dt.datetime | None
    last_path: str | None
    failed_at: dt.datetime | None
    failure: str | None

    def age(self, now: dt.datetime) -> dt.timedelta | None:
        return None if self.last_at is None else now - self.last_at

    def warning(self, now: dt.datetime, daily: bool) -> str | None:
        """What the home screen says when backups need attention (``daily``: whether daily
        backups are on); None when they do not."""
        if self.failure is not None:
            return f"the last backup failed: {self.failure}"
        age = self.age(now)
        if age is None:
            if daily:
                return "no backup yet"
            return "no backup yet, and daily backups are off (STATION_BACKUPS=0)"
        if age > STALE_AFTER:
            return f"the last backup is {describe_age(age)} old"
        return None


def status(ctx: Context) -> BackupStatus:
    kinds = (BackupKind.DAILY, BackupKind.MANUAL)
    good = (
        BackupRun.select()
        .where(
            BackupRun.kind.in_(kinds)
            & BackupRun.finished_at.is_null(False)
            & BackupRun.error.is_null()
        )
        .order_by(BackupRun.finished_at.desc())
        .first()
    )
    failed_query = BackupRun.select().where(
        BackupRun.kind.in_(kinds) & BackupRun.error.is_null(False)
    )
    if good is not None:
        failed_query = failed_query.where(BackupRun.finished_at > good.finished_at)
    failed = failed_query.order_by(BackupRun.finished_at.desc()).first()
    return BackupStatus(
        good.finished_at if good else None,
        good.path if good else None,
        failed.finished_at if failed else None,
        failed.error if failed else None,
    )


def describe_age(age: dt.timedelta) -> str:
    if age < dt.timedelta(hours=1):
        return f"{max(int(age.total_seconds() // 60), 0)} min"
    if age < dt.timedelta(days=2):
        return f"{int(age.total_seconds() // 3600)} h"
    return f"{age.days} days"


def _taken(path: Path) -> str:
    return f"{path} exists: a backup never replaces a file; choose a new name"


def _refuse_taken(path: Path) -> None:
    if os.path.lexists(path):
        raise StationError(_taken(path))
    if not path.parent.is_dir():
        raise StationError(f"cannot write {path}: there is no folder {path.parent}")


def _started(ctx: Context, kind: BackupKind, claim: str | None = None) -> BackupRun:
    run: BackupRun = BackupRun.create(
        kind=kind, claim=claim, station=ctx.settings.station_name, started_at=ctx.now()
    )
    return run


def _finished(
    ctx: Context, run: BackupRun, made: Backup | None = None, error: str | None = None
) -> None:
    BackupRun.update(
        finished_at=ctx.now(),
        path=str(made.path) if made else None,
        bytes=made.bytes if made else None,
        error=" ".join(error.split())[:500] if error else None,
    ).where(BackupRun.id == run.id).execute()
