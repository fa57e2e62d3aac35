"""Voiding damaged or lost tags; a used or voided tag never comes back."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from station.db.locking import locked
from station.db.models import Tag
from station.db.rows import slices
from station.domain import fields
from station.domain.errors import StationError
from station.domain.states import TagStatus
from station.domain.text import plural
from station.domain.uid import on_no_order
from station.services.context import Context
from station.services.people import roles
from station.services.records import audit
from station.services.tags import tally


def void(ctx: Context, uids: Sequence[str], reason: str) -> list[str]:
    """Void ``uids`` (already normalized) with ``reason``; all of them or none."""
    why = fields.required_text(reason, "void reason", 500)
    wanted = sorted(set(uids))
    if not wanted:
        raise StationError("no UIDs to void")
    with ctx.db.atomic():
        roles.require_supervisor(ctx, "voiding tags")
        tags: dict[str, Tag] = {}
        for some_uids in slices(wanted):
            query = Tag.select(Tag.id, Tag.uid, Tag.status, Tag.assignment).where(
                Tag.uid.in_(some_uids)
            )
            tags.update((tag.uid, tag) for tag in locked(query.order_by(Tag.uid)))
        for uid in wanted:
            tag = tags.get(uid)
            if tag is None:
                raise StationError(on_no_order(uid, "nothing to void"))
            if tag.status == TagStatus.USED:
                raise StationError(
                    f"{uid} is used (assignment {tag.assignment_id}); a used tag cannot be voided"
                )
            if tag.status == TagStatus.VOIDED:
                raise StationError(f"{uid} is already voided")
        ids = [tags[uid].id for uid in wanted]
        now = ctx.now()
        changes: tally.Changes = Counter()
        for some_ids in slices(ids):
            changes.update(tally.moving(Tag.id.in_(some_ids), TagStatus.VOIDED))
            Tag.update(status=TagStatus.VOIDED, voided_at=now, void_reason=why).where(
                Tag.id.in_(some_ids)
            ).execute()
        tally.apply(changes)
        audit.record(
            ctx,
            "void",
            f"voided {plural(len(ids), 'tag')}: {why}",
            {"reason": why, "was": {uid: tags[uid].status for uid in wanted}},
            tag_ids=ids,
            tag_count=len(ids),
        )
    return wanted
