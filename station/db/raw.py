"""A plain DB-API connection to the station's database for another process (the audit
chain's parallel verification): what it needs to connect, picklable, without peewee, the
migrations or the integrity check the main process already ran."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import apsw
from peewee import Database, SqliteDatabase


@dataclass(frozen=True)
class Reader:
    """How to open the database again read-only: an SQLite file, or PostgreSQL's
    connection parameters (the password travels to the child process in a pipe)."""

    sqlite_path: str | None
    postgres: dict[str, Any] = field(default_factory=dict, repr=False)
    param: str = "?"

    def connect(self) -> Any:
        if self.sqlite_path is not None:
            # apsw rather than sqlite3: Python 3.11's sqlite3 lets go of the interpreter lock
            # around every column it reads, and takes it back, which made a third of
            # reading a million audit events. Read-only: it cannot write even by mistake.
            # Only ever in a process without the station's own connection: apsw is a second
            # copy of SQLite, and two copies in one process break each other's locks.
            return apsw.Connection(
                self.sqlite_path, flags=apsw.SQLITE_OPEN_READONLY | apsw.SQLITE_OPEN_NOMUTEX
            )
        import psycopg2

        return psycopg2.connect(**self.postgres)

    @property
    def errors(self) -> tuple[type[Exception], ...]:
        """What the driver raises (not peewee's errors, which the command line and the UI
        report in one line: the caller turns these into those)."""
        if self.sqlite_path is not None:
            return (apsw.Error,)
        import psycopg2

        return (psycopg2.Error,)


def reader_for(db: Database) -> Reader:
    if isinstance(db, SqliteDatabase):
        return Reader(str(db.database))
    return Reader(None, {"dbname": db.database, **db.connect_params}, db.param)
