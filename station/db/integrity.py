"""Noticing a damaged SQLite file before anything more is recorded in it.

``PRAGMA quick_check`` reads every page (about 3 ms a MiB here): a small file is checked at
every start, a large one once a day (a stamp file says when), and any file before its schema
is changed. ``station check`` runs the full ``integrity_check``, indexes included. PostgreSQL
checks its own pages.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from peewee import Database, SqliteDatabase

from safefiles import private_folder_made, write_new
from station.domain.errors import StationError
from station.domain.text import printable
from station.folders import Folders, newest_daily_backup

# Files up to this size are checked at every start (about 25 ms at most): scripts and scanner
# loops start the station once a tag, so a larger file is checked once a day instead.
EVERY_START_BYTES = 8 * 2**20


def damage_message(first: object) -> str:
    """One line for a damaged file: what SQLite said, and how to get the record back (the
    newest daily backup in the station's backups folder, and the command that restores it)."""
    folder = Folders.for_user().backups
    newest = newest_daily_backup(folder)
    if newest is not None:
        how = f"restore the last backup: station restore --force {newest}"
    else:
        how = f"no daily backup in {folder}: restore one with station restore --force FILE"
    return (
        f"the database file is damaged ({printable(str(first), 120)}); record nothing more in "
        f"it: {how} (or save what can be read with sqlite3's .recover), then run station check"
    )


def damaged(error: Exception) -> bool:
    """Whether SQLite's error says the file itself is damaged."""
    text = str(error)
    return "malformed" in text or "file is not a database" in text


def checks_pages(database: Database) -> bool:
    return isinstance(database, SqliteDatabase)


def problems(database: Database, full: bool = False) -> list[str]:
    """What SQLite finds wrong with the file (nothing when it is sound, or not SQLite)."""
    if not isinstance(database, SqliteDatabase):
        return []
    pragma = "integrity_check" if full else "quick_check"
    rows = database.execute_sql(f"PRAGMA {pragma}").fetchall()  # type: ignore[no-untyped-call]
    found = [line for (text,) in rows for line in str(text).splitlines()]
    # "*** in database main ***" heads SQLite's list: the first problem is the next line.
    return [] if found == ["ok"] else [line for line in found if not line.startswith("***")]


def refuse_damaged(database: Database, stamp: Path | None = None, always: bool = False) -> None:
    """Raise when the file is damaged: checked when small, when ``always`` (before a schema
    change), or when the ``stamp`` file says it was last checked before today."""
    if not isinstance(database, SqliteDatabase):
        return
    pages = database.execute_sql("PRAGMA page_count").fetchone()[0]  # type: ignore[no-untyped-call]
    size = pages * database.execute_sql("PRAGMA page_size").fetchone()[0]  # type: ignore[no-untyped-call]
    today = dt.date.today()
    due = always or size <= EVERY_START_BYTES or (stamp is not None and _checked_on(stamp) != today)
    if not due:
        return
    found = problems(database)
    if found:
        raise StationError(damage_message(found[0]))
    if stamp is not None:
        try:
            private_folder_made(stamp.parent)
            write_new(stamp, today.isoformat().encode(), replace=True)
        except OSError:
            pass  # the check ran; not being able to note it only means it runs again


def _checked_on(stamp: Path) -> dt.date | None:
    try:
        return dt.date.fromisoformat(stamp.read_text().strip())
    except (OSError, ValueError):
        return None
