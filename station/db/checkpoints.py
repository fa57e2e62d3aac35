"""WAL checkpoints off the scan path, for the long-lived terminal UI.

SQLite copies the write-ahead log back into the database file (a checkpoint) from inside
whichever commit pushes the log past 1,000 pages. On a 1,000,000-tag file that is about
every 80th single-tag receipt, and that one commit then takes over half a second (hundreds
of scattered pages written into the file and flushed) instead of 3 ms: the scanner's
feedback would stall right at the bench. The UI turns that off for its own connections and
checkpoints from a background thread: a passive checkpoint takes no lock a writer needs, so a
commit meanwhile still takes milliseconds. It waits for a pause in input all the same (the
disk is shared), but not for ever. Command-line runs keep SQLite's default; PostgreSQL has
nothing to do here.
"""

from __future__ import annotations

from peewee import Database, DatabaseError, SqliteDatabase

# Input paused this long: a checkpoint now will not land between a scan and its feedback.
IDLE_S = 2.0
# Scans without a pause this long are checkpointed all the same, so a station kept busy for
# hours never grows the log without bound.
MOST_S = 30.0


def defer(database: Database) -> bool:
    """Stop commits on ``database``'s connections (this thread's and every one opened
    after) from checkpointing; whether there is anything to defer (SQLite)."""
    if not isinstance(database, SqliteDatabase):
        return False
    database.pragma("wal_autocheckpoint", 0, permanent=True)
    return True


def due(idle_s: float, since_last_s: float) -> bool:
    """Whether to checkpoint now, input having paused ``idle_s`` and the last checkpoint
    ``since_last_s`` ago."""
    return idle_s >= IDLE_S or since_last_s >= MOST_S


def checkpoint(database: Database) -> int | None:
    """Copy what the log holds into the file, without waiting for or blocking any reader or
    writer (PASSIVE); the pages still left in the log (a reader may hold some back), or None
    when the file could not be checkpointed (locked by a restore, damaged): the next
    commit's own checks say so, where someone sees it, and the next pause tries again."""
    if not isinstance(database, SqliteDatabase):
        return 0
    sql = "PRAGMA wal_checkpoint(PASSIVE)"
    try:
        # (busy, pages in the log, pages copied); -1 in both when not in WAL mode.
        _, pages, copied = database.execute_sql(sql).fetchone()  # type: ignore[no-untyped-call]
    except DatabaseError:
        return None
    return max(0, int(pages) - int(copied))
