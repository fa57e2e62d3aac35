"""The tag tally (``tag_tally``): how many of each order's tags are in each state.

Every service that adds tags or changes their state changes the tally in the same
transaction, so it always agrees with the tags, and the first screen and the order list read
a few rows instead of counting every tag. :func:`differences` compares it with a full count
(``station check``, and the tests after every test's changes).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import Any

from peewee import fn

from station.db.locking import lock_audit_chain
from station.db.models import Tag, TagOrder, TagTally
from station.db.rows import tuples
from station.domain.text import plural

# Changes to the tally: tags more (or fewer) per (order id, state).
Changes = Counter[tuple[int, str]]


def added(order_id: int, status: str, count: int) -> Changes:
    return Counter({(order_id, status): count})


def moved(counts: Iterable[tuple[int, str, int]], to_status: str) -> Changes:
    """What moving tags counted as (order id, state, tags) to ``to_status`` changes."""
    changes: Changes = Counter()
    for order_id, status, count in counts:
        if status != to_status:
            changes[(order_id, status)] -= count
            changes[(order_id, to_status)] += count
    return changes


def counted(where: Any) -> list[tuple[int, str, int]]:
    """The tags that match ``where``, counted as (order id, state, tags)."""
    query = (
        Tag.select(Tag.order, Tag.status, fn.COUNT(Tag.id))
        .where(where)
        .group_by(Tag.order, Tag.status)
    )
    found: list[tuple[int, str, int]] = list(tuples(query))
    return found


def moving(where: Any, to_status: str) -> Changes:
    """What moving the tags that match ``where`` to ``to_status`` will change: read before
    the tags themselves change (so, on the same locked rows)."""
    return moved(counted(where), to_status)


def apply(changes: Changes) -> None:
    """Add ``changes`` to the tally, inside the caller's transaction. Rows are written in key
    order, so stations sharing PostgreSQL lock them in one order and never deadlock here.

    The audit chain's lock comes first: every change takes it before the tally rows (its
    event follows, in the same transaction), so no station can hold a tally row while
    waiting for the chain, with the chain's holder waiting for that row."""
    lock_audit_chain()
    for (order_id, status), count in sorted(changes.items()):
        if count:
            TagTally.insert(order=order_id, status=status, tags=count).on_conflict(
                conflict_target=[TagTally.order, TagTally.status],
                update={TagTally.tags: TagTally.tags + count},
            ).execute()


def by_order(only: Iterable[int] | None = None) -> dict[int, Counter[str]]:
    """Each order's tags per state (only the orders in ``only``, if given)."""
    query = TagTally.select(TagTally.order, TagTally.status, TagTally.tags).where(
        TagTally.tags != 0
    )
    if only is not None:
        query = query.where(TagTally.order.in_(list(only)))
    found: dict[int, Counter[str]] = {}
    for order_id, status, count in tuples(query):
        found.setdefault(order_id, Counter())[status] = count
    return found


def by_facility() -> dict[tuple[int, str], Counter[str]]:
    """Each facility's tags of each type per state, keyed by (facility id, tag type), for
    the facilities and types that have tags."""
    query = (
        TagTally.select(
            TagOrder.facility, TagOrder.tag_type, TagTally.status, fn.SUM(TagTally.tags)
        )
        .join(TagOrder, on=(TagTally.order == TagOrder.id))
        .where(TagTally.tags != 0)
        .group_by(TagOrder.facility, TagOrder.tag_type, TagTally.status)
    )
    found: dict[tuple[int, str], Counter[str]] = {}
    for facility_id, tag_type, status, count in tuples(query):
        found.setdefault((facility_id, tag_type), Counter())[status] = int(count)
    return found


def recount() -> None:
    """The tally rebuilt from the tags themselves, in the caller's transaction."""
    TagTally.delete().execute()
    TagTally.insert_from(
        Tag.select(Tag.order, Tag.status, fn.COUNT(Tag.id)).group_by(Tag.order, Tag.status),
        fields=[TagTally.order, TagTally.status, TagTally.tags],
    ).execute()


def differences() -> list[str]:
    """Where the tally disagrees with a count of the tags themselves (none, normally)."""
    query = Tag.select(Tag.order, Tag.status, fn.COUNT(Tag.id)).group_by(Tag.order, Tag.status)
    counted = {(order_id, status): count for order_id, status, count in tuples(query)}
    kept = {
        (order_id, status): count
        for order_id, status, count in tuples(
            TagTally.select(TagTally.order, TagTally.status, TagTally.tags)
        )
        if count
    }
    return [
        f"order {order_id}: the tally says {plural(kept.get(key, 0), status + ' tag')}, "
        f"the tags {counted.get(key, 0):,}"
        for key in sorted(set(counted) | set(kept))
        if counted.get(key, 0) != kept.get(key, 0)
        for order_id, status in [key]
    ]
