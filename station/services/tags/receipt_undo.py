"""Taking back a receipt recorded by mistake (a wrong roll scanned, a range typed wrong):
received tags go back to ``ordered``. A used or voided tag is part of the record and is
never taken back; tags still ordered are left as they are and counted."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from station.db.locking import lock_rows
from station.db.models import Tag
from station.db.rows import slices, tuples
from station.domain import fields
from station.domain.errors import StationError
from station.domain.states import TagStatus
from station.domain.text import plural
from station.domain.uid import UidRange
from station.services.context import Context
from station.services.people import roles
from station.services.records import audit
from station.services.tags import tally


@dataclass
class Unreceived:
    unreceived: int
    already_ordered: int


def unreceive_range(ctx: Context, first_uid: str, last_uid: str | None, reason: str) -> Unreceived:
    """Every received tag from ``first_uid`` to ``last_uid`` (or the one tag) back to
    ordered; refused, changing nothing, if any tag in the range is used, voided or on no
    order."""
    rng = UidRange.between(first_uid, last_uid or first_uid)
    in_range = Tag.uid.between(rng.first_uid, rng.last_uid) & Tag.serial.between(
        rng.first, rng.last
    )
    return _unreceive(ctx, [in_range], rng.quantity, f"the range {rng}", reason)


def unreceive_uids(ctx: Context, uids: Sequence[str], reason: str) -> Unreceived:
    """The scanned ``uids`` (normalized; repeats count once) back to ordered, all or none."""
    wanted = sorted(set(uids))
    if not wanted:
        raise StationError("no UIDs to take back")
    parts = [Tag.uid.in_(list(part)) for part in slices(wanted)]
    scanned = f"the {plural(len(wanted), 'scanned tag')}"
    return _unreceive(ctx, parts, len(wanted), scanned, reason)


def _unreceive(ctx: Context, parts: list[Any], expected: int, what: str, reason: str) -> Unreceived:
    why = fields.required_text(reason, "reason", 500)
    with ctx.db.atomic():
        roles.require_supervisor(ctx, "taking tags back out of receipt")
        for part in parts:
            lock_rows(Tag.select(Tag.id).where(part).order_by(Tag.uid))
        counted = [row for part in parts for row in tally.counted(part)]
        counts: Counter[str] = Counter()
        for _, status, count in counted:
            counts[status] += count
        on_record = sum(counts.values())
        if on_record != expected:
            missing = expected - on_record
            raise StationError(
                f"{missing:,} of {what} {_is(missing)} on no order; nothing was changed"
            )
        kept = counts[TagStatus.USED] + counts[TagStatus.VOIDED]
        if kept:
            raise StationError(
                f"{plural(kept, 'tag')} of {what} {_is(kept)} used or "
                f"voided ({_first_kept(parts)}); a used or voided tag is never taken back; "
                "nothing was changed"
            )
        received = counts[TagStatus.RECEIVED]
        if not received:
            raise StationError(f"nothing to take back: no tag of {what} is received")
        ids: list[int] = []
        for part in parts:
            chosen = part & (Tag.status == TagStatus.RECEIVED)
            ids.extend(tag_id for (tag_id,) in tuples(Tag.select(Tag.id).where(chosen)))
        audit.record(
            ctx,
            "unreceive",
            f"took back the receipt of {plural(received, 'tag')} of {what}: {why}",
            {"reason": why, "range": what, "still_ordered": counts[TagStatus.ORDERED]},
            tag_ids=ids,
            tag_count=received,
        )
        changed = 0
        for some in slices(ids):
            changed += (
                Tag.update(status=TagStatus.ORDERED, received_at=None)
                .where(Tag.id.in_(list(some)) & (Tag.status == TagStatus.RECEIVED))
                .execute()
            )
        if changed != received:
            raise StationError("another station changed these tags at the same moment; try again")
        arrived = [row for row in counted if row[1] == TagStatus.RECEIVED]
        tally.apply(tally.moved(arrived, TagStatus.ORDERED))
    return Unreceived(received, counts[TagStatus.ORDERED])


def _is(count: int) -> str:
    return "is" if count == 1 else "are"


def _first_kept(parts: list[Any]) -> str:
    """The first used or voided tag, as "UID is used" (the caller counted at least one)."""
    kept = [
        (row.uid, row.status)
        for part in parts
        for row in Tag.select(Tag.uid, Tag.status)
        .where(part & Tag.status.in_([TagStatus.USED, TagStatus.VOIDED]))
        .order_by(Tag.uid)
        .limit(1)
    ]
    uid, status = min(kept)
    return f"{uid} is {status}"
