"""What a restore checks of a backup's history before it replaces the live one: that the
backup's audit chain verifies, that its events are, hash for hash, the live chain's first
events, and that it would not take sign-in away (fewer operators than the live database, or
none). Each failure is a reason only a supervisor's ``--force`` gets past, and the forced
restore records which.

Both databases are read with plain SQL on their own connections: during a restore the
models are bound to the copy being prepared, not to the live database.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from peewee import Database, DatabaseError

from station.db import integrity
from station.domain.text import plural
from station.services.context import Context
from station.services.records import audit_chain

# (id, hash) pairs read at a time from each side: bounded memory on a million events.
_PAGE = 20_000
_BELOW_ANY = -(2**63)  # an id below any, even one put in by hand


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
    with backup.bound():
        verdict = audit_chain.verify(backup)
    if not verdict.intact:
        reasons.append(f"its audit chain does not verify ({verdict.problem})")
    backup_events = _events_from(backup.db, _BELOW_ANY)
    try:
        differs = _first_difference(backup.db, ctx.db)
        live = _operators(ctx.db)
        # The live events the backup lacks: from where the two differ, or after its newest.
        lost = _events_from(ctx.db, differs) if differs is not None else max(
            _events_from(ctx.db, _BELOW_ANY) - backup_events, 0
        )  # fmt: skip
    except DatabaseError as exc:
        if not integrity.damaged(exc):
            raise
        # The file being replaced is damaged: what it held cannot be weighed.
        reasons.append("this database is damaged, so what the backup lacks cannot be known")
        return History(backup_events, 0, reasons)
    if differs is not None:
        reasons.append(
            f"its history is not this database's: they differ from event {differs} on "
            "(an edited or re-chained trail, or another station's)"
        )
    reasons.extend(_operators_taken_away(live, _operators(backup.db)))
    return History(backup_events, lost, reasons)


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


def _first_difference(backup: Database, live: Database) -> int | None:
    """The first event id where the two chains differ (an event of one missing from the
    other, or another hash); None when one is the other's start (the shorter one ends
    there, which is no difference)."""
    for mine, theirs in zip(_hashes(backup), _hashes(live), strict=False):
        if mine != theirs:
            return min(mine[0], theirs[0])
    return None


def _hashes(database: Database) -> Iterator[tuple[int, str]]:
    """(id, hash) of every event, in id order, a page at a time."""
    mark = database.param
    last = _BELOW_ANY
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


def _events_from(database: Database, first: int) -> int:
    """How many events have ids from ``first`` on."""
    cursor = database.execute_sql(  # type: ignore[no-untyped-call]
        f"SELECT COUNT(*) FROM audit_event WHERE id >= {database.param}", (first,)
    )
    return int(cursor.fetchone()[0])
