"""Row locks for the writes that stations race for.

On PostgreSQL several stations write at once, so a service locks the tag rows it is about to
change (``SELECT ... FOR UPDATE``) before it reads their state. On SQLite every write
transaction starts ``IMMEDIATE`` and holds the whole file, so there is nothing more to lock
and SQLite would reject the clause.
"""

from __future__ import annotations

from typing import Any, TypeVar

from station.db.models import database_proxy

Query = TypeVar("Query")


def has_row_locks() -> bool:
    return bool(getattr(database_proxy.obj, "for_update", False))


def locked(query: Query, skip_locked: bool = False, of: Any = None) -> Query:
    """``query`` taking row locks where the database has them.

    ``skip_locked`` passes over rows another transaction holds instead of waiting for them:
    for "any free tags", never for named ones. Order the query by UID so two stations that
    want overlapping tags take their locks in the same order and cannot deadlock.
    """
    if not has_row_locks():
        return query
    result: Query = query.for_update(of=of, skip_locked=skip_locked or None)  # type: ignore[attr-defined]
    return result


def lock_rows(query: Any) -> None:
    """Take the row locks of ``query`` now (its rows are not needed)."""
    if has_row_locks():
        for _ in locked(query).tuples().iterator():
            pass


# One number for the audit chain's advisory lock (any constant no other lock uses).
_CHAIN_LOCK = 7370002


def lock_audit_chain() -> None:
    """Hold the right to append to the audit chain until this transaction ends, so stations
    sharing PostgreSQL append one after another to one linear chain. SQLite's transactions
    already hold the whole file from their start."""
    if has_row_locks():
        database_proxy.execute_sql("SELECT pg_advisory_xact_lock(%s)", (_CHAIN_LOCK,))
