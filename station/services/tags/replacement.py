"""Replacing a plant's tag: the new tag takes over the plant, the old one is retired.

Metrc's "replace plant tags" import (and ``PUT /plants/v2/tag``) records the same change;
the station keeps the pair so it can export it.
"""

from __future__ import annotations

import datetime as dt

from station.db.locking import locked
from station.db.models import Tag, TagReplacement
from station.domain.errors import StationError
from station.domain.states import TagStatus
from station.domain.uid import on_no_order
from station.services.context import Context
from station.services.records import audit
from station.services.tags import tally


def replace_tag(
    ctx: Context, old_uid: str, new_uid: str, replaced_on: dt.date | None = None
) -> None:
    """Move the plant on ``old_uid`` (used) to ``new_uid`` (received, same facility)."""
    if old_uid == new_uid:
        raise StationError(f"{old_uid} cannot replace itself")
    with ctx.db.atomic():
        query = Tag.select().where(Tag.uid.in_(sorted([old_uid, new_uid]))).order_by(Tag.uid)
        tags = {tag.uid: tag for tag in locked(query)}
        old, new = tags.get(old_uid), tags.get(new_uid)
        if old is None:
            raise StationError(on_no_order(old_uid))
        if new is None:
            raise StationError(on_no_order(new_uid, "record and receive it first"))
        for tag in (old, new):
            if tag.tag_type != "plant":
                raise StationError(
                    f"{tag.uid} is a {tag.tag_type} tag; only plant tags are replaced"
                )
        if old.status != TagStatus.USED:
            raise StationError(f"{old_uid} is {old.status}, not on a plant; nothing to replace")
        if new.status != TagStatus.RECEIVED:
            raise StationError(
                f"{new_uid} is {new.status}; the new tag must be received and unused"
            )
        if new.facility_id != old.facility_id:
            raise StationError(f"{new_uid} belongs to another facility than {old_uid}")
        now = ctx.now()
        # Recorded first: the database lets a used tag be voided only once its replacement
        # is on record.
        TagReplacement.create(
            old_tag=old.id,
            new_tag=new.id,
            assignment=old.assignment_id,
            replaced_on=replaced_on or ctx.today(),
            created_at=now,
            created_by=ctx.operator,
        )
        changes = tally.moving(Tag.id == new.id, TagStatus.USED)
        changes.update(tally.moving(Tag.id == old.id, TagStatus.VOIDED))
        Tag.update(status=TagStatus.USED, used_at=now, assignment=old.assignment_id).where(
            Tag.id == new.id
        ).execute()
        Tag.update(
            status=TagStatus.VOIDED, voided_at=now, void_reason=f"replaced by {new_uid}"
        ).where(Tag.id == old.id).execute()
        tally.apply(changes)
        audit.record(
            ctx,
            "replace",
            f"{new_uid} replaced {old_uid} on a plant of batch {old.assignment_id}",
            {"old": old_uid, "new": new_uid, "assignment_id": old.assignment_id},
            tag_ids=[old.id, new.id],
            tag_count=2,
        )
