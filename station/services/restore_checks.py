"""What a restore checks of a backup's history before it replaces the live one: that the
backup's audit chain verifies, that its events are, hash for hash, the live chain's first
events, and that it would not take sign-in away (fewer operators than the live database, or
none). Each failure is a reason only a supervisor's ``--force`` gets past, and the forced
restore records which.

Both databases are read with plain SQL on their own connections: during a restore the
models are bound to the copy being prepared, not to the live database.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass, field

from peewee import Database, DatabaseError

from station.db import integrity
from station.domain.text import plural
from station.services import audit_chain
from station.services.context import Context

# (id, hash) pairs read at a time from each side: bounded memory on a million events.
_PAGE = 20_000


@dataclass(frozen=True)
class History:
    """The backup's history against the live database's."""

    events: int
    lost: int
    """Live events the backup lacks: after its newest, or from where the two differ."""
    reasons: list[str] = field(default_factory=list)
    """Why restoring it needs ``--force``, each said in a few words."""


def compare(ctx: Context, backup: Context) -> History:
    """``backup`` (a context on the copy to restore) against ``ctx``'s live database."""
    reasons: list[str] = []
    verdict = audit_chain.verify(backup)
    if not verdict.intact:
        reasons.append(f"its audit chain does not verify ({verdict.problem})")
    try:
        differs, backup_events, live_events = _first_difference(backup.db, ctx.db)
        live = _operators(ctx.db)
    except DatabaseError as exc:
        if not integrity.damaged(exc):
            raise
        # The file being replaced is damaged: what it held cannot be weighed.
        reasons.append("this database is damaged, so what the backup lacks cannot be known")
        return History(_count_all(backup.db), 0, reasons)
    if differs is not None:
        reasons.append(
            f"its history is not this database's: they differ from event {differs} on "
            "(an edited or re-chained trail, or another station's)"
        )
        lost = _count(ctx.db, "SELECT COUNT(*) FROM audit_event WHERE id >= {p}", differs)
    else:
        lost = max(live_events - backup_events, 0)
    reasons.extend(_operators_taken_away(live, _operators(backup.db)))
    return History(backup_events, lost, reasons)


def operators_of(database: Database) -> list[str]:
    """The names of the enabled operators in ``database``."""
    return sorted(_operators(database))


def _operators(database: Database) -> set[str]:
    cursor = database.execute_sql(  # type: ignore[no-untyped-call]
        "SELECT name FROM operator WHERE enabled"
    )
    return {str(name) for (name,) in cursor.fetchall()}


def _operators_taken_away(live: set[str], backup: set[str]) -> list[str]:
    """What restoring a backup with ``backup``'s operators would open, if anything."""
    if live and not backup:
        return [
            f"it has no operators (this database has {len(live)}): anyone could then use "
            "the station and add a supervisor without a PIN"
        ]
    if len(backup) < len(live):
        gone = sorted(live - backup)
        return [
            f"it has {plural(len(backup), 'enabled operator')} to this database's {len(live)} "
            f"({', '.join(gone[:5])}{' ...' if len(gone) > 5 else ''} would lose sign-in, and "
            "PINs and roles would be the backup's)"
        ]
    return []


def _first_difference(backup: Database, live: Database) -> tuple[int | None, int, int]:
    """The first event id where the two chains differ (an event of one missing from the
    other, or another hash), None when one is the other's start; and each one's count."""
    backup_count = live_count = 0
    for mine, theirs in itertools.zip_longest(_hashes(backup), _hashes(live)):
        if mine is None or theirs is None:
            # One chain ended: the other goes on from there, which is no difference.
            rest = mine or theirs
            assert rest is not None
            if mine is None:
                live_count += 1 + sum(1 for _ in _hashes(live, after=rest[0]))
            else:
                backup_count += 1 + sum(1 for _ in _hashes(backup, after=rest[0]))
            return None, backup_count, live_count
        if mine != theirs:
            return min(mine[0], theirs[0]), backup_count, live_count
        backup_count += 1
        live_count += 1
    return None, backup_count, live_count


def _hashes(database: Database, after: int | None = None) -> Iterator[tuple[int, str]]:
    """(id, hash) of every event after ``after``, in id order, a page at a time."""
    mark = database.param
    last = -(2**63) if after is None else after
    while True:
        cursor = database.execute_sql(  # type: ignore[no-untyped-call]
            f"SELECT id, hash FROM audit_event WHERE id > {mark} ORDER BY id LIMIT {_PAGE}",
            (last,),
        )
        rows = cursor.fetchall()
        if not rows:
            return
        for event_id, event_hash in rows:
            yield int(event_id), str(event_hash)
        last = int(rows[-1][0])


def _count_all(database: Database) -> int:
    cursor = database.execute_sql("SELECT COUNT(*) FROM audit_event")  # type: ignore[no-untyped-call]
    return int(cursor.fetchone()[0])


def _count(database: Database, sql: str, value: int) -> int:
    cursor = database.execute_sql(sql.format(p=database.param), (value,))  # type: ignore[no-untyped-call]
    return int(cursor.fetchone()[0])
