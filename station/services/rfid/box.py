"""Receiving a box of tags by RFID: the tags read are sorted against the orders (counts
against what each expects, strays, what is still missing), shown, and only on the worker's
confirmation received, in one audited step, exactly the ordered tags read and nothing else.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from station.db.models import Facility, Tag, TagOrder
from station.db.rows import tuples
from station.domain.errors import StationError, give_one
from station.domain.reads import NOT_METRC, ReadSet, classify
from station.domain.states import TagStatus
from station.domain.uid import runs_text
from station.services.context import Context
from station.services.rfid import known
from station.services.rfid.counts import Entry
from station.services.tags import facilities, receipt
from station.services.tags.orders import list_orders
from station.services.tags.receipt import ReceiveResult


@dataclass
class OrderRead:
    """One order some of the tags read are on."""

    id: int
    type: str
    order_date: str
    total: int
    waiting: int
    """Its tags not received before this box."""
    read: int = 0
    """Of those, the ones read now."""
    missing_runs: str = ""


@dataclass
class Box:
    license_number: str
    order_id: int | None
    reads: int = 0
    distinct: int = 0
    to_receive: list[str] = field(default_factory=list)
    orders: list[OrderRead] = field(default_factory=list)
    already: list[Entry] = field(default_factory=list)
    strays: list[Entry] = field(default_factory=list)

    @property
    def missing(self) -> int:
        return sum(order.waiting - order.read for order in self.orders)


def sort_box(
    ctx: Context,
    reads: ReadSet,
    order_id: int | None = None,
    license_number: str | None = None,
) -> Box:
    """Sort a box's reads: which ordered tags of this facility (of ``order_id`` only, when
    given) are in it, and everything else, each with why it is not received."""
    facility = _facility(ctx, order_id, license_number)
    box = Box(facility.license_number, order_id, reads.reads, len(reads.by_epc))
    kinds = [classify(epc, known.pairs(ctx, facility.id)) for epc in reads.by_epc]
    facts = known.tags(ctx, [kind.uid for kind in kinds if kind.uid is not None])
    by_order: Counter[int] = Counter()
    read_of: defaultdict[int, list[str]] = defaultdict(list)
    taken: set[str] = set()
    for kind in kinds:
        if kind.uid in taken:
            continue  # one tag read under two EPCs (its own and a learned one)
        if kind.uid is None:
            box.strays.append(Entry(None, kind.epc, kind.reason))
            continue
        tag = facts.get(kind.uid)
        if tag is None:
            box.strays.append(Entry(kind.uid, None, "on no order"))
        elif tag.facility_id != facility.id:
            box.strays.append(
                Entry(kind.uid, None, f"another facility's tag ({tag.license_number})")
            )
        elif order_id is not None and tag.order_id != order_id:
            box.strays.append(Entry(kind.uid, None, f"on order {tag.order_id}, not this order"))
        elif tag.status != TagStatus.ORDERED:
            box.already.append(Entry(kind.uid, None, f"already {tag.status}"))
        else:
            box.to_receive.append(kind.uid)
            taken.add(kind.uid)
            by_order[tag.order_id] += 1
            read_of[tag.order_id].append(kind.uid)
    box.to_receive.sort()
    box.orders = _orders(ctx, sorted(by_order), by_order, read_of)
    for part in (box.already, box.strays):
        part.sort(key=lambda entry: (entry.uid or "", entry.epc or ""))
    return box


def nothing_to_receive(box: Box) -> str:
    """Why a box read gives nothing to receive, in one line."""
    reasons = Counter(
        entry.reason if not entry.reason.startswith(NOT_METRC) else NOT_METRC
        for entry in box.already + box.strays
    )
    why = ", ".join(f"{count:,} {reason}" for reason, count in reasons.most_common(4))
    if len(reasons) > 4:
        why += ", and more"
    read = f"none of the {box.distinct:,} tags read" if box.distinct else "no tag was read; none"
    return f"{read} is an ordered tag to receive at {box.license_number}" + (
        f": {why}" if why else ""
    )


def receive_box(ctx: Context, box: Box, source: str) -> ReceiveResult:
    """Receive the box's ordered tags read, and only those, as one audited step."""
    if not box.to_receive:
        raise StationError(nothing_to_receive(box))
    return receipt.receive_uids(ctx, box.to_receive, rfid=source)


def _orders(
    ctx: Context, order_ids: list[int], by_order: Counter[int], read_of: dict[int, list[str]]
) -> list[OrderRead]:
    """Each order's counts from the tally the services keep (not a count of its tags), and
    the runs still missing once the tags read are received."""
    found: list[OrderRead] = []
    for order in list_orders(ctx, order_ids):
        waiting = order.counts[TagStatus.ORDERED]
        read = set(read_of[order.id])
        missing_query = (
            Tag.select(Tag.uid)
            .where((Tag.order == order.id) & (Tag.status == TagStatus.ORDERED))
            .order_by(Tag.uid)
        )
        missing = (uid for (uid,) in tuples(missing_query) if uid not in read)
        found.append(
            OrderRead(
                order.id,
                order.type,
                order.order_date.isoformat(),
                order.total,
                waiting,
                by_order[order.id],
                runs_text(missing, shown=3) if waiting > by_order[order.id] else "",
            )
        )
    return found


def _facility(ctx: Context, order_id: int | None, license_number: str | None) -> Facility:
    if order_id is not None:
        order: TagOrder | None = TagOrder.get_or_none(TagOrder.id == order_id)
        if order is None:
            raise StationError(f"there is no order {order_id}")
        facility: Facility = Facility.get_by_id(order.facility_id)
        if (
            license_number is not None
            and facilities.normalize_license(license_number) != facility.license_number.upper()
        ):
            raise StationError(f"order {order_id} is {facility.license_number}'s")
        return facility
    return known.facility(ctx, license_number, give_one("license", "order"))
