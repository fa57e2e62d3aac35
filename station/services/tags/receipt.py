"""Receiving: tags that physically arrived become ``received`` (Metrc's "available")."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from station.db.locking import lock_rows, locked
from station.db.models import Tag
from station.db.rows import slices, tuples
from station.domain.errors import StationError
from station.domain.states import TagStatus
from station.domain.text import plural, printable
from station.domain.uid import Run, UidRange, follows, on_no_order
from station.services.context import Context
from station.services.records import audit
from station.services.tags import tally
from station.services.tags.orders import OrderSummary, list_orders


@dataclass
class ReceiveResult:
    received: int
    skipped: Counter[str]
    orders: list[OrderSummary]
    order_ids: list[int]


def check_first(ctx: Context, uid: str) -> None:
    """Refuse a roll's first tag on no order as soon as it is scanned, not at its last."""
    if not Tag.select(Tag.id).where(Tag.uid == uid).exists():
        raise StationError(on_no_order(uid, "record the order first"))


def receive_range(
    ctx: Context, first_uid: str, last_uid: str | None = None, progress: bool = True
) -> ReceiveResult:
    """Receive every tag from ``first_uid`` to ``last_uid`` (or the one tag ``first_uid``);
    with ``progress``, also each order's counts afterwards (a count over the whole order)."""
    rng = UidRange.between(first_uid, last_uid or first_uid)
    in_range = Tag.uid.between(rng.first_uid, rng.last_uid) & Tag.serial.between(
        rng.first, rng.last
    )
    with ctx.db.atomic():
        lock_rows(Tag.select(Tag.id).where(in_range).order_by(Tag.uid))
        by_order = tally.counted(in_range)
        counts: Counter[str] = Counter()
        for _, status, count in by_order:
            counts[status] += count
        on_record = sum(counts.values())
        if on_record != rng.quantity:
            raise StationError(
                f"{rng.quantity - on_record:,} of the {rng.quantity:,} tags in {rng} are on no "
                f"order (first: {_first_missing(rng)}); record the order first"
            )
        _refuse_nothing(counts)
        ordered = in_range & (Tag.status == TagStatus.ORDERED)
        arriving = [row for row in by_order if row[1] == TagStatus.ORDERED]
        order_ids = sorted(order_id for order_id, _, _ in arriving)
        # The event's tag links come from the same selection as the update, before it runs.
        audit.record(
            ctx,
            "receive",
            f"received {plural(counts[TagStatus.ORDERED], 'tag')} in "
            f"{rng.first_uid}..{rng.last_uid}",
            {"range": str(rng), "skipped": _skipped(counts)},
            tags=Tag.select().where(ordered),
            tag_count=counts[TagStatus.ORDERED],
        )
        changed = (
            Tag.update(status=TagStatus.RECEIVED, received_at=ctx.now()).where(ordered).execute()
        )
        _check_all_received(changed, counts[TagStatus.ORDERED])
        tally.apply(tally.moved(arriving, TagStatus.RECEIVED))
        summaries = list_orders(ctx, order_ids) if progress else []
        return ReceiveResult(changed, _skipped(counts), summaries, order_ids)


def receive_uids(
    ctx: Context, uids: Sequence[str], progress: bool = True, rfid: str | None = None
) -> ReceiveResult:
    """Receive exactly the scanned ``uids`` (already normalized; repeats count once); ``rfid``
    names the reader when they were read by RFID rather than scanned."""
    wanted = sorted(set(uids))
    if not wanted:
        raise StationError("no UIDs to receive")
    with ctx.db.atomic():
        found: dict[str, tuple[int, str, int]] = {}
        for chunk in slices(wanted):
            query = Tag.select(Tag.uid, Tag.id, Tag.status, Tag.order).where(Tag.uid.in_(chunk))
            query = locked(query.order_by(Tag.uid))
            found.update(
                (uid, (tag_id, status, order)) for uid, tag_id, status, order in tuples(query)
            )
        unknown = [uid for uid in wanted if uid not in found]
        if unknown:
            raise StationError(
                on_no_order(unknown[0], "record the order first", more=len(unknown) - 1)
            )
        counts = Counter(status for _, status, _ in found.values())
        _refuse_nothing(counts)
        ids = [tag_id for tag_id, status, _ in found.values() if status == TagStatus.ORDERED]
        order_ids = sorted(
            {order for _, status, order in found.values() if status == TagStatus.ORDERED}
        )
        audit.record(
            ctx,
            "receive",
            f"received {plural(len(ids), 'scanned tag' if rfid is None else 'tag')}"
            + ("" if rfid is None else f" read by RFID ({printable(rfid, 100)})"),
            {"scanned": len(wanted), "skipped": _skipped(counts)}
            | ({} if rfid is None else {"rfid": printable(rfid, 190)}),
            tag_ids=ids,
            tag_count=len(ids),
        )
        now = ctx.now()
        changed = 0
        for part in slices(ids):
            changed += (
                Tag.update(status=TagStatus.RECEIVED, received_at=now)
                .where(Tag.id.in_(part) & (Tag.status == TagStatus.ORDERED))
                .execute()
            )
        _check_all_received(changed, len(ids))
        arriving = Counter(
            order for _, status, order in found.values() if status == TagStatus.ORDERED
        )
        tally.apply(
            tally.moved(
                ((order, TagStatus.ORDERED, count) for order, count in arriving.items()),
                TagStatus.RECEIVED,
            )
        )
        summaries = list_orders(ctx, order_ids) if progress else []
        return ReceiveResult(changed, _skipped(counts), summaries, order_ids)


def _check_all_received(changed: int, wanted: int) -> None:
    """The rows were locked (or the whole file was) before they were counted, so this holds;
    if it ever did not, raising rolls everything back rather than leave the audit wrong."""
    if changed != wanted:
        raise StationError(
            f"another station received {wanted - changed:,} of these tags at the same moment; "
            "nothing was changed; try again"
        )


def _refuse_nothing(counts: Counter[str]) -> None:
    if counts[TagStatus.ORDERED] == 0:
        parts = ", ".join(f"{count:,} {status}" for status, count in sorted(counts.items()))
        raise StationError(f"nothing to receive: the tags are {parts}")


def _skipped(counts: Counter[str]) -> Counter[str]:
    return Counter({status: n for status, n in counts.items() if status != TagStatus.ORDERED})


def _first_missing(rng: UidRange) -> str:
    query = Tag.select(Tag.uid).where(Tag.uid.between(rng.first_uid, rng.last_uid))
    present = {uid for (uid,) in tuples(query)}
    return next(uid for uid in rng if uid not in present)


def missing(ctx: Context, order_id: int, runs_wanted: int = 5, look: int = 2000) -> list[str]:
    """The first runs of an order's tags that have not arrived yet (for the receive screen),
    by their serials (the order is named beside them).

    Reads at most ``look`` tags, so a scan's feedback stays quick on a 100,000-tag order;
    a run that goes on past them ends in "...".
    """
    query = (
        Tag.select(Tag.uid)
        .where((Tag.order == order_id) & (Tag.status == TagStatus.ORDERED))
        .order_by(Tag.uid)
        .limit(look + 1)
    )
    found: list[Run] = []
    read = 0
    for (uid,) in tuples(query):
        read += 1
        if read > look:
            return [run.serials for run in found] + ["..."]
        if found and follows(found[-1], uid):
            found[-1] = Run(found[-1].first_uid, uid, found[-1].count + 1)
            continue
        if len(found) == runs_wanted:
            break
        found.append(Run(uid, uid, 1))
    return [run.serials for run in found]
