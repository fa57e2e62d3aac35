"""Tag orders: recording the ranges Metrc ships, and what has arrived of them."""

from __future__ import annotations

import datetime as dt
import itertools
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from peewee import Field

from station.db.bulk import db_datetime, insert_rows
from station.db.models import Facility, OrderRange, Tag, TagOrder
from station.db.rows import tuples
from station.domain import fields
from station.domain.dates import parse_past_date
from station.domain.errors import StationError
from station.domain.states import TagStatus, TagType
from station.domain.text import plural, show
from station.domain.uid import SERIAL_DIGITS, Run, UidRange, hex_warning, normalize, serial_of
from station.services import state_rules
from station.services.context import Context
from station.services.records import audit
from station.services.tags import facilities, tally
from station.services.tags.facilities import FacilityView

# The most tags one order (or one import file) records in one transaction; 100,000 take about
# a second, and the database is locked for other stations while it runs.
MAX_ORDER_TAGS = 1_000_000
# Metrc's TagInventoryTypeName values and the plain words staff use.
_TYPE_NAMES = {
    "plant": TagType.PLANT,
    "package": TagType.PACKAGE,
    "cannabisplant": TagType.PLANT,
    "cannabispackage": TagType.PACKAGE,
    "medicalplant": TagType.PLANT,
    "medicalpackage": TagType.PACKAGE,
}


def parse_tag_type(value: str) -> TagType:
    key = "".join(value.split()).lower()
    try:
        return _TYPE_NAMES[key]
    except KeyError:
        raise StationError(f"unknown tag type {show(value)}: expected plant or package") from None


@dataclass
class OrderDraft:
    """An order as read from the command line or a file, before it is checked and stored."""

    facility: FacilityView
    tag_type: TagType
    order_date: dt.date
    order_number: str | None
    runs: list[Run]
    status: TagStatus = TagStatus.ORDERED

    @property
    def quantity(self) -> int:
        return sum(run.count for run in self.runs)


@dataclass
class OrderSummary:
    id: int
    license_number: str
    facility_name: str
    type: str
    order_date: dt.date
    order_number: str | None
    ranges: list[str]
    counts: Counter[str] = field(default_factory=Counter)

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def days_open(self, today: dt.date) -> int | None:
        """Days since the order date while tags are still to be received, else None."""
        return (today - self.order_date).days if self.counts[TagStatus.ORDERED] else None


def create_order(ctx: Context, draft: OrderDraft, source: str) -> tuple[TagOrder, list[str]]:
    """Store one order and its tags in the caller's transaction; returns it and any warnings."""
    if draft.quantity > MAX_ORDER_TAGS:
        raise StationError(
            f"an order of {draft.quantity:,} tags is over the {MAX_ORDER_TAGS:,} the station "
            "records at once (recording it would hold every other station for minutes); "
            "check the range, or record it in parts"
        )
    _refuse_overlaps(draft.runs)
    for run in draft.runs:
        _refuse_recorded(run)
    _check_state_rules(ctx, draft)
    now = ctx.now()
    order: TagOrder = TagOrder.create(
        facility=draft.facility.id,
        tag_type=draft.tag_type,
        order_date=draft.order_date,
        order_number=draft.order_number,
        source=source,
        created_at=now,
        created_by=ctx.operator,
    )
    OrderRange.insert_many(
        [(order.id, run.first_uid, run.last_uid, run.count) for run in draft.runs],
        fields=[OrderRange.order, OrderRange.first_uid, OrderRange.last_uid, OrderRange.quantity],
    ).execute()
    received_at = db_datetime(now) if draft.status == TagStatus.RECEIVED else None
    columns: list[Field[Any]] = [
        Tag.uid,
        Tag.serial,
        Tag.tag_type,
        Tag.status,
        Tag.facility,
        Tag.order,
        Tag.received_at,
    ]
    facility_id = draft.facility.id
    # Plain strings: sqlite3 binds exact str at once but sends subclasses (the enums) through
    # its adapter lookup, which costs a third more over 100,000 rows.
    kind, status = draft.tag_type.value, draft.status.value
    rows = (
        (uid, serial_of(uid), kind, status, facility_id, order.id, received_at)
        for run in draft.runs
        for uid in run.uids()
    )
    insert_rows(ctx.db, Tag, columns, rows)
    tally.apply(tally.added(order.id, status, draft.quantity))
    warnings = [
        w for run in draft.runs if (w := hex_warning(run.first_uid) or hex_warning(run.last_uid))
    ]
    ranges = [str(run) for run in draft.runs]
    audit.record(
        ctx,
        "order.import" if source != "manual" else "order.add",
        f"recorded {draft.tag_type} order {order.id} for {draft.facility.license_number}: "
        f"{plural(draft.quantity, 'tag')} {draft.status}",
        {
            "order_id": order.id,
            "license_number": draft.facility.license_number,
            "type": draft.tag_type,
            "order_date": draft.order_date.isoformat(),
            "order_number": draft.order_number,
            "ranges": ranges,
            "status": draft.status,
            "source": source,
        },
        tags=Tag.select().where(Tag.order == order.id),
        tag_count=draft.quantity,
    )
    return order, warnings


def _check_state_rules(ctx: Context, draft: OrderDraft) -> None:
    """Refuse an order over its state's size cap (Massachusetts: 5,000 an order) or that
    would take the facility's unused and ordered tags past its holding cap (Missouri's
    cultivators), saying the rule and its source."""
    facility = draft.facility
    profile = state_rules.profile(ctx, facility.state)
    largest = profile.rule("order_max_tags")
    if largest is not None:
        if draft.quantity > largest.value:
            raise StationError(
                f"{facility.license_number} is in {profile.code}, where one tag order holds "
                f"at most {largest.value:,} tags ({largest.cited()}); this one has "
                f"{draft.quantity:,}: record Metrc's orders one by one"
            )
        state_rules.record_use(
            ctx, largest, profile.code, facility.license_number, "an order's size was allowed"
        )
    cap = profile.rule("holding_cap")
    if cap is not None:
        most = getattr(cap.value, draft.tag_type.value)
        mine = tally.by_facility().get((facility.id, draft.tag_type))
        # The rule also counts tags in transit, which the station cannot see: what it holds
        # is a floor of what Metrc counts.
        held = mine[TagStatus.RECEIVED] + mine[TagStatus.ORDERED] if mine else 0
        if held + draft.quantity > most:
            raise StationError(
                f"{facility.license_number} is in {profile.code}, where a facility holds at "
                f"most {most:,} unused and ordered {draft.tag_type} tags ({cap.cited()}); it "
                f"holds {held:,} and this order adds {draft.quantity:,}"
            )
        state_rules.record_use(
            ctx, cap, profile.code, facility.license_number, "an order under the cap was allowed"
        )


def draft_order(
    ctx: Context,
    license_number: str,
    tag_type: str | None,
    first: str,
    order_date: str,
    order_number: str | None = None,
    last: str | None = None,
    count: int | None = None,
) -> OrderDraft:
    """One range as typed: ``first`` and ``last`` UIDs, or ``first`` and a ``count``."""
    if tag_type is None:
        raise StationError("choose the tag type")
    kind = parse_tag_type(tag_type)
    first_uid = normalize(first)
    if (last is None) == (count is None):
        raise StationError("give the range's last UID or a count, not both")
    rng = (
        UidRange.between(first_uid, normalize(last))
        if last is not None
        else UidRange.counted(first_uid, count or 0)
    )
    return OrderDraft(
        facility=FacilityView.of(facilities.get_facility(ctx, license_number)),
        tag_type=kind,
        order_date=parse_past_date(order_date, "order date", ctx.today()),
        order_number=clean_order_number(order_number),
        runs=[rng.run()],
    )


def last_or_count(text: str) -> tuple[str | None, int | None]:
    """A range's end typed in one field: a count (digits, as many as a serial has at most)
    or the last UID."""
    value = text.strip()
    if value.isdigit() and len(value) <= SERIAL_DIGITS:
        return None, int(value)
    return value, None


def add_order(ctx: Context, draft: OrderDraft) -> tuple[OrderSummary, list[str]]:
    """Record ``draft`` typed by staff; the order as listed, and warnings about it."""
    with ctx.db.atomic():
        order, warnings = create_order(ctx, draft, "manual")
    [summary] = list_orders(ctx, [order.id])
    return summary, warnings


def clean_order_number(value: str | None) -> str | None:
    return fields.text(value, "order number", 64, required=False)


def _refuse_overlaps(runs: Sequence[Run]) -> None:
    ordered = sorted(runs, key=lambda run: run.first_uid)
    for before, after in itertools.pairwise(ordered):
        if after.first_uid <= before.last_uid:
            raise StationError(f"ranges {before} and {after} overlap")


def _refuse_recorded(run: Run) -> None:
    """Refuse a run that touches any tag already on record (of any facility or order)."""
    # UIDs sharing a prefix with an 8-digit decimal tail sort like their serials, so the
    # unique index on uid answers this with one range seek.
    candidates = (
        Tag.select(Tag.uid, Tag.order, Tag.status)
        .where(Tag.uid.between(run.first_uid, run.last_uid))
        .order_by(Tag.uid)
        .limit(100)
    )
    for tag in candidates:
        if tag.uid in run:
            raise StationError(
                f"{tag.uid} is already on record (order {tag.order_id}, {tag.status}); "
                f"an order cannot overlap tags on record"
            )


def get_order(ctx: Context, order_id: int) -> TagOrder:
    order: TagOrder | None = TagOrder.get_or_none(TagOrder.id == order_id)
    if order is None:
        raise StationError(f"no order {order_id}")
    return order


def list_orders(ctx: Context, only: Sequence[int] | None = None) -> list[OrderSummary]:
    """Every order (or just ``only``) with its ranges and its tag counts per state."""
    orders = TagOrder.select(TagOrder, Facility).join(Facility).order_by(TagOrder.id)
    ranges = OrderRange.select(
        OrderRange.order, OrderRange.first_uid, OrderRange.last_uid, OrderRange.quantity
    ).order_by(OrderRange.id)
    if only is not None:
        orders = orders.where(TagOrder.id.in_(list(only)))
        ranges = ranges.where(OrderRange.order.in_(list(only)))
    summaries: dict[int, OrderSummary] = {}
    for order in orders:
        summaries[order.id] = OrderSummary(
            id=order.id,
            license_number=order.facility.license_number,
            facility_name=order.facility.name,
            type=order.tag_type,
            order_date=order.order_date,
            order_number=order.order_number,
            ranges=[],
        )
    for order_id, first_uid, last_uid, quantity in tuples(ranges):
        summaries[order_id].ranges.append(str(Run(first_uid, last_uid, quantity)))
    for order_id, counts in tally.by_order(only).items():
        if order_id in summaries:
            summaries[order_id].counts = counts
    return list(summaries.values())
