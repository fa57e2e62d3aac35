"""A plain DB-API connection to the station's database for another process (the audit
chain's parallel verification): what it needs to connect, picklable, without peewee, the
migrations or the integrity check the main process already ran."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

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
            # mode=ro: a reader that cannot write even by mistake.
            return sqlite3.connect(f"file:{quote(self.sqlite_path)}?mode=ro", uri=True)
        import psycopg2

        return psycopg2.connect(**self.postgres)


def reader_for(db: Database) -> Reader:
    if isinstance(db, SqliteDatabase):
        return Reader(str(db.database))
    return Reader(None, {"dbname": db.database, **db.connect_params}, db.param)
