"""What every service call needs: the open database, who is acting, the clock, the settings
and the user's folders; and opening all that for a command or a UI session."""

from __future__ import annotations

import datetime as dt
import getpass
import os
import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from peewee import Database, DatabaseError, InterfaceError

from printers.errors import PrinterError
from station import settings as station_settings
from station.db import integrity
from station.db.connection import binding, open_database, sqlite_path
from station.domain import fields
from station.domain.errors import StationError, run
from station.folders import (
    Folders,
    known_database,
    newest_daily_backup,
    refuse_unsafe_folder,
    remember_database,
)
from station.settings import Settings

# What a refused or failed operation can raise, for the command line and the UI to show as
# one line: the station's own refusals, printer problems, and database failures.
FAILURES: tuple[type[Exception], ...] = (StationError, PrinterError)
# sqlite3's own: rows read while output streams, and raw connections (copies, checks), are
# not wrapped by peewee.
DATABASE_ERRORS: tuple[type[Exception], ...] = (DatabaseError, InterfaceError, sqlite3.Error)


def database_failure(error: Exception) -> str:
    """One line for a database error that reached the command line or the UI."""
    if integrity.damaged(error):
        return integrity.damage_message(error)
    return f"database: {error}"


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def login_name() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


@dataclass
class Context:
    db: Database
    # Empty: STATION_OPERATOR, else the login name, so every change names a person.
    operator: str = ""
    clock: Callable[[], dt.datetime] = utc_now
    settings: Settings = field(default_factory=station_settings.load)
    folders: Folders = field(default_factory=Folders.for_user)
    # The supervisor who approved what this context does (recorded with each event), or None.
    # Set only by station.services.people.operators, once that supervisor's PIN or badge checked.
    approver: str | None = None
    # The signed-in operator's role (station.domain.states.Role); None while the station has
    # no operators, or before anyone signed in.
    role: str | None = None
    # One approval for one action in one thread (the UI's approval dialog), leaving the
    # context's other threads (a print job running) unapproved.
    _approval: threading.local = field(
        default_factory=threading.local, init=False, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        # Every audit event and message names the operator: only a plain name gets in.
        self.operator = fields.person_name(self.operator or self.settings.operator or login_name())

    def approved_by(self) -> str | None:
        """The supervisor who approved what this thread is doing now, if one had to."""
        approver: str | None = getattr(self._approval, "name", None)
        return approver or self.approver

    @contextmanager
    def approving(self, supervisor: str) -> Iterator[None]:
        """What runs inside is approved by ``supervisor`` (already checked), in this thread."""
        self._approval.name = supervisor
        try:
            yield
        finally:
            self._approval.name = None

    def now(self) -> dt.datetime:
        """Now in UTC, as stored (naive UTC, the same on SQLite and PostgreSQL)."""
        return self.clock().astimezone(dt.UTC).replace(tzinfo=None)

    def today(self) -> dt.date:
        """The station's local calendar date (order dates and receipt deadlines use it)."""
        return self.clock().astimezone().date()

    @contextmanager
    def bound(self) -> Iterator[Context]:
        """This thread's service calls reach this context's database (and no other the
        process has open) in the block: a command's run, a UI worker's call."""
        with binding(self.db):
            yield self

    def defer_checkpoints(self) -> bool:
        """For a long-lived session (the terminal UI): commits stop checkpointing the WAL,
        which ``checkpoint_when_due`` does off the scan path instead (station.db.checkpoints);
        whether there is anything to defer (SQLite)."""
        from station.db import checkpoints  # the UI's alone: commands never load it

        return checkpoints.defer(self.db)

    def checkpoint_when_due(self, idle_s: float, since_last_s: float) -> bool:
        """A deferred checkpoint, if input has paused ``idle_s`` or the last one was
        ``since_last_s`` ago; whether it was due."""
        from station.db import checkpoints

        if not checkpoints.due(idle_s, since_last_s):
            return False
        checkpoints.checkpoint(self.db)
        return True


def open_context(
    settings: Settings,
    folders: Folders,
    db_url: str | None = None,
    operator: str | None = None,
    damaged_ok: bool = False,
    new_ok: bool = False,
) -> Context:
    """Open (and migrate) the database named by ``db_url``, else ``STATION_DB``, else the
    file in the user data folder; ``operator`` overrides ``STATION_OPERATOR``; with
    ``damaged_ok`` a damaged file is opened all the same (to be restored), and with
    ``new_ok`` a missing file this station used before is made anew (else refused). Folders
    that are not the user's own, or that others may write to, are refused."""
    for folder, what in (
        (folders.data, "data"),
        (folders.config, "config"),
        (folders.backups, "backups"),
    ):
        refuse_unsafe_folder(folder, what)
    station_settings.keep_escpos_cache_in(folders.escpos_cache())
    url = db_url or settings.db_url or f"sqlite:///{folders.database}"
    path = sqlite_path(url)
    if path is not None:
        _refuse_missing(folders, path, new_ok)
    database = open_database(url, damaged_ok=damaged_ok)
    if path is not None:
        remember_database(folders, path)
    return Context(database, operator=operator or "", settings=settings, folders=folders)


def _refuse_missing(folders: Folders, path: Path, new_ok: bool) -> None:
    """A database file this station opened before, now missing (moved away, deleted) is
    never silently made anew: an empty database has no operators, so it asks no PIN."""
    if path.parent.exists():
        refuse_unsafe_folder(path.parent, "database")
    if new_ok or os.path.lexists(path) or not known_database(folders, path):
        return
    newest = newest_daily_backup(folders.backups)
    raise StationError(
        f"the database {path} is missing, though this station has used it: restore it (",
        run("restore", "force", after=str(newest) if newest else "FILE"),
        "), or start a new empty one there with ",
        run("", "new-database"),
    )
