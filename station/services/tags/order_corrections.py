"""Correcting an order recorded wrong (the other tag type, a mistyped order date or number),
or deleting one that should never have been recorded, while none of its tags has been
received, used or voided: until then nothing else rests on what the order says. The order's
tags change (or go) with it, in one audited transaction; the audit trail names tags by UID,
so a deleted tag's history stays."""

from __future__ import annotations

from collections import Counter
from typing import Any

from station.db.locking import lock_rows
from station.db.models import OrderRange, PrintItem, Tag, TagOrder, TagTally
from station.db.rows import tuples
from station.domain import fields
from station.domain.changes import Changes, described, differences
from station.domain.dates import parse_past_date
from station.domain.errors import StationError, give_one
from station.domain.states import TagStatus
from station.domain.text import plural
from station.services.context import Context
from station.services.people import roles
from station.services.records import audit
from station.services.tags import tally
from station.services.tags.orders import clean_order_number, get_order, parse_tag_type


def edit_order(
    ctx: Context,
    order_id: int,
    reason: str,
    tag_type: str | None = None,
    order_date: str | None = None,
    order_number: str | None = None,
) -> Changes:
    """Change what is given (an empty ``order_number`` clears it); returns each change as
    ``{"from": ..., "to": ...}``."""
    why = fields.required_text(reason, "reason", 500)
    if tag_type is None and order_date is None and order_number is None:
        raise StationError(
            "nothing to change: ", give_one("type", "order-date", "order-number", verb="give")
        )
    wanted: dict[str, Any] = {}
    if tag_type is not None:
        wanted["tag_type"] = parse_tag_type(tag_type).value
    if order_date is not None:
        wanted["order_date"] = parse_past_date(order_date, "order date", ctx.today())
    if order_number is not None:
        wanted["order_number"] = clean_order_number(order_number)
    with ctx.db.atomic():
        roles.require_supervisor(ctx, "correcting an order")
        order = get_order(ctx, order_id)
        lock_rows(Tag.select(Tag.id).where(Tag.order == order.id).order_by(Tag.uid))
        count = _refuse_unless_all_ordered(order)
        changed = differences(order, wanted)
        if not changed:
            raise StationError(f"order {order.id} already says that; nothing to change")
        TagOrder.update(**wanted).where(TagOrder.id == order.id).execute()
        if "tag_type" in wanted:
            Tag.update(tag_type=wanted["tag_type"]).where(Tag.order == order.id).execute()
        audit.record(
            ctx,
            "order.edit",
            f"corrected order {order.id}: {described(changed)}: {why}",
            {"order_id": order.id, "reason": why, "changed": changed},
            tags=Tag.select().where(Tag.order == order.id),
            tag_count=count,
        )
    return changed


def delete_order(ctx: Context, order_id: int, reason: str) -> int:
    """Delete the order, its ranges and its tags; returns how many tags went."""
    why = fields.required_text(reason, "reason", 500)
    with ctx.db.atomic():
        roles.require_supervisor(ctx, "deleting an order")
        order = get_order(ctx, order_id)
        lock_rows(Tag.select(Tag.id).where(Tag.order == order.id).order_by(Tag.uid))
        count = _refuse_unless_all_ordered(order, "deleted")
        # A tag received, labelled and then taken back is ordered again, but its labels exist.
        labelled = PrintItem.select().join(Tag).where(Tag.order == order.id).count()
        if labelled:
            raise StationError(
                f"order {order.id} cannot be deleted: its tags have "
                f"{plural(labelled, 'printed label')}"
            )
        ranges = [
            f"{first}..{last}"
            for first, last in tuples(
                OrderRange.select(OrderRange.first_uid, OrderRange.last_uid)
                .where(OrderRange.order == order.id)
                .order_by(OrderRange.id)
            )
        ]
        # The event is written first: it names the tags by UID, read before they go.
        audit.record(
            ctx,
            "order.delete",
            f"deleted order {order.id} ({plural(count, order.tag_type + ' tag')} "
            f"{', '.join(ranges)}): {why}",
            {
                "order_id": order.id,
                "reason": why,
                "license_number": order.facility.license_number,
                "tag_type": order.tag_type,
                "order_date": order.order_date,
                "order_number": order.order_number,
                "ranges": ranges,
            },
            tags=Tag.select().where(Tag.order == order.id),
            tag_count=count,
        )
        Tag.delete().where(Tag.order == order.id).execute()
        TagTally.delete().where(TagTally.order == order.id).execute()
        OrderRange.delete().where(OrderRange.order == order.id).execute()
        TagOrder.delete().where(TagOrder.id == order.id).execute()
    return count


def _refuse_unless_all_ordered(order: TagOrder, done: str = "corrected") -> int:
    """Refuse an order with tags received, used or voided; else how many tags it has."""
    counts = tally.by_order([order.id]).get(order.id, Counter())
    moved = {status: n for status, n in counts.items() if status != TagStatus.ORDERED and n}
    if moved:
        parts = ", ".join(f"{n:,} {status}" for status, n in sorted(moved.items()))
        raise StationError(
            f"order {order.id} has {parts} of its {plural(sum(counts.values()), 'tag')}; only "
            f"an order whose tags are all still ordered can be {done}"
        )
    return sum(counts.values())
