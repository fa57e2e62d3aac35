"""PostgreSQL for several stations: a dropped connection fails one operation cleanly and the
next operation connects again.

peewee keeps a connection the server has closed (a restart, a network cut) and fails every
later statement with it. Here, a statement outside a transaction that finds its connection
gone reconnects and runs again: nothing had happened yet. Inside a transaction nothing is
retried: the server has already rolled the transaction back, the operation fails with one
clear error, and the next one reconnects.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from peewee import (  # type: ignore[attr-defined]
    InterfaceError,
    OperationalError,
    PostgresqlDatabase,
    Psycopg2Adapter,
    __exception_wrapper__,
)
from playhouse.shortcuts import ReconnectMixin

from station.domain.errors import StationError

# Fragments of psycopg2's messages when the connection itself is gone.
_LOST = (
    "server closed the connection",
    "terminating connection",
    "connection already closed",
    "could not receive data",
    "could not send data",
    "connection not open",
    "ssl connection has been closed",
    "cannot rollback, database connection not open",
)


# ... and when a new connection cannot be made.
_UNREACHABLE = ("connection refused", "could not connect", "connection to server at")


class ConnectionLost(StationError):
    """The database connection went away in the middle of an operation."""


def is_lost(exc: BaseException) -> bool:
    return isinstance(exc, OperationalError | InterfaceError) and any(
        fragment in str(exc).lower() for fragment in _LOST
    )


class _Psycopg2(Psycopg2Adapter):
    """peewee's psycopg2 adapter, with psycopg2 loaded here rather than by peewee's own
    import (see :mod:`station`): everything in the base class that reads peewee's
    module-level ``psycopg2`` is given the module loaded here instead."""

    def __init__(self) -> None:
        import psycopg2
        import psycopg2.extensions
        import psycopg2.extras

        super().__init__()
        self.driver = psycopg2
        extensions = psycopg2.extensions
        self.extensions = extensions
        self.txn_idle = extensions.TRANSACTION_STATUS_IDLE
        self.txn_inerror = extensions.TRANSACTION_STATUS_INERROR
        self.txn_unknown = extensions.TRANSACTION_STATUS_UNKNOWN
        self.json_type = self.jsonb_type = psycopg2.extras.Json

    def check_driver(self) -> None:
        """The driver loaded in ``__init__``."""

    def get_binary_type(self) -> Any:
        return self.driver.Binary

    def connect(self, db: Any, **params: Any) -> Any:
        if db.database.startswith("postgresql://"):
            params.setdefault("dsn", db.database)
        else:
            params.setdefault("dbname", db.database)
        conn = self.driver.connect(**params)
        if db._register_unicode:
            self.extensions.register_type(self.extensions.UNICODE, conn)
            self.extensions.register_type(self.extensions.UNICODEARRAY, conn)
        if db._encoding:
            conn.set_client_encoding(db._encoding)
        return conn


class StationPostgresqlDatabase(ReconnectMixin, PostgresqlDatabase):  # type: ignore[misc]
    # Both: peewee would pick its psycopg3 adapter were psycopg (3) installed.
    psycopg2_adapter = psycopg3_adapter = _Psycopg2
    reconnect_errors = tuple(
        (kind, fragment) for kind in (OperationalError, InterfaceError) for fragment in _LOST
    )

    def execute_sql(self, sql: str, params: Any = None) -> Any:
        try:
            return super().execute_sql(sql, params)  # type: ignore[no-untyped-call]
        except (OperationalError, InterfaceError) as exc:
            raise self._explain(exc) from exc

    def insert_values(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        """``INSERT ... VALUES %s`` for many rows, a page of rows per statement: psycopg2's
        ``executemany`` sends one statement per row, 20 times slower at 100,000 rows."""
        from psycopg2.extras import execute_values

        try:
            with __exception_wrapper__:
                cursor = self.cursor()  # type: ignore[no-untyped-call]
                execute_values(cursor, sql, rows, page_size=2000)
        except (OperationalError, InterfaceError) as exc:
            raise self._explain(exc) from exc

    def begin(self, *args: Any, **kwargs: Any) -> Any:
        try:
            return super().begin(*args, **kwargs)
        except (OperationalError, InterfaceError) as exc:
            raise self._explain(exc) from exc

    def rollback(self) -> None:
        # With the connection gone the server has rolled back already; raising here would
        # hide the error that says so.
        conn = self._state.conn
        if conn is None or conn.closed:
            return
        super().rollback()

    def _explain(self, exc: Exception) -> Exception:
        message = str(exc).lower()
        if any(fragment in message for fragment in _UNREACHABLE):
            return ConnectionLost(f"cannot reach the database server: {_first_line(exc)}")
        if not is_lost(exc):
            return exc
        if not self.in_transaction():
            # Reconnecting was tried and failed too: the server is not there.
            return ConnectionLost(f"cannot reach the database server: {_first_line(exc)}")
        return ConnectionLost(
            f"lost the connection to the database ({_first_line(exc)}); "
            "nothing from this operation was saved"
        )


def _first_line(exc: BaseException) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
