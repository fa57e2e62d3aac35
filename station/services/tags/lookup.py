"""Reading tags: listings with filters, and one tag with everything known about it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from peewee import JOIN

from station.db.models import Assignment, Facility, Tag, TagOrder
from station.db.rows import slices, tuples
from station.domain import times
from station.domain.errors import StationError, run
from station.domain.uid import on_no_order
from station.services.context import Context

if TYPE_CHECKING:
    from station.services.records.audit import AuditRecord


@dataclass(frozen=True)
class TagView:
    """A tag with its facility, order and assignment flattened (the shape of every listing)."""

    uid: str
    type: str
    status: str
    license_number: str
    facility_name: str
    order_id: int
    order_date: dt.date
    order_number: str | None
    received_at: dt.datetime | None
    used_at: dt.datetime | None
    voided_at: dt.datetime | None
    void_reason: str | None
    assignment_id: int | None
    item: str | None
    quantity: Decimal | None
    unit: str | None
    production_batch: str | None
    packaged_date: dt.date | None
    strain: str | None
    location: str | None
    growth_phase: str | None
    plant_batch: str | None

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name, value in self.__dict__.items():
            if isinstance(value, dt.datetime):
                value = times.utc(value)
            elif isinstance(value, dt.date):
                value = value.isoformat()
            elif isinstance(value, Decimal):
                value = str(value.normalize())
            out[name] = value
        return out


FIELDS = tuple(TagView.__dataclass_fields__)


def _query() -> Any:
    return (
        Tag.select(Tag, Facility, TagOrder, Assignment)
        .join(Facility, on=(Tag.facility == Facility.id))
        .switch(Tag)
        .join(TagOrder, on=(Tag.order == TagOrder.id))
        .switch(Tag)
        .join(Assignment, JOIN.LEFT_OUTER, on=(Tag.assignment == Assignment.id))
    )


def _view(tag: Tag) -> TagView:
    assignment: Assignment | None = tag.assignment if tag.assignment_id else None
    return TagView(
        uid=tag.uid,
        type=tag.tag_type,
        status=tag.status,
        license_number=tag.facility.license_number,
        facility_name=tag.facility.name,
        order_id=tag.order_id,
        order_date=tag.order.order_date,
        order_number=tag.order.order_number,
        received_at=tag.received_at,
        used_at=tag.used_at,
        voided_at=tag.voided_at,
        void_reason=tag.void_reason,
        assignment_id=tag.assignment_id,
        item=assignment.item if assignment else None,
        quantity=assignment.quantity if assignment else None,
        unit=assignment.unit if assignment else None,
        production_batch=assignment.production_batch if assignment else None,
        packaged_date=assignment.packaged_date if assignment else None,
        strain=assignment.strain if assignment else None,
        location=assignment.location if assignment else None,
        growth_phase=assignment.growth_phase if assignment else None,
        plant_batch=assignment.plant_batch if assignment else None,
    )


def _filtered(status: str | None, tag_type: str | None, order_id: int | None) -> Any:
    query = _query()
    if status is not None:
        query = query.where(Tag.status == status)
    if tag_type is not None:
        query = query.where(Tag.tag_type == tag_type)
    if order_id is not None:
        query = query.where(Tag.order == order_id)
    return query


def list_tags(
    ctx: Context,
    status: str | None = None,
    tag_type: str | None = None,
    order_id: int | None = None,
    assignment_id: int | None = None,
) -> Iterator[TagView]:
    """Tags in UID order, streamed so a million-tag listing holds one row at a time."""
    query = _filtered(status, tag_type, order_id)
    if assignment_id is not None:
        query = query.where(Tag.assignment == assignment_id)
    for tag in query.order_by(Tag.uid).iterator():
        yield _view(tag)


def views_by_id(ctx: Context, tag_ids: Sequence[int]) -> dict[int, TagView]:
    """Many tags by row id in a few queries (a print job's labels)."""
    return {tag.id: _view(tag) for tag in _many(Tag.id, tag_ids)}


def views_by_uid(ctx: Context, uids: Sequence[str]) -> dict[str, tuple[int, TagView]]:
    """Many tags by UID in a few queries, each with its row id; UIDs on no order are left
    out."""
    return {tag.uid: (tag.id, _view(tag)) for tag in _many(Tag.uid, uids)}


def uids_between(ctx: Context, first_uid: str, last_uid: str) -> set[str]:
    """The UIDs on record from ``first_uid`` to ``last_uid`` (one index range read)."""
    query = Tag.select(Tag.uid).where(Tag.uid.between(first_uid, last_uid))
    return {uid for (uid,) in tuples(query)}


def _many(column: Any, keys: Sequence[Any]) -> Iterator[Tag]:
    for part in slices(sorted(set(keys))):
        yield from _query().where(column.in_(part))


def page(
    ctx: Context,
    status: str | None = None,
    tag_type: str | None = None,
    order_id: int | None = None,
    uid_prefix: str = "",
    after: str | None = None,
    before: str | None = None,
    limit: int = 200,
) -> list[TagView]:
    """One page of tags in UID order, after (or before) a UID: keyset paging, so the page
    at a million tags costs what the first one does."""
    query = _filtered(status, tag_type, order_id)
    if uid_prefix:
        query = query.where(Tag.uid.startswith(uid_prefix))
    if before is not None:
        rows = [
            _view(t) for t in query.where(Tag.uid < before).order_by(Tag.uid.desc()).limit(limit)
        ]
        return rows[::-1]
    if after is not None:
        query = query.where(Tag.uid > after)
    return [_view(tag) for tag in query.order_by(Tag.uid).limit(limit)]


def get_tag(ctx: Context, uid: str) -> TagView:
    tag = _query().where(Tag.uid == uid).first()
    if tag is None:
        from station.services.records import audit  # only for a tag not found

        deleted = audit.last_event(ctx, uid, "order.delete")
        if deleted is not None:
            raise StationError(
                f"{uid} is on no order: its order {deleted.details['order_id']} was deleted; ",
                run("audit", f"uid={uid}"),
                " shows its history",
            )
        raise StationError(on_no_order(uid))
    return _view(tag)


def history(ctx: Context, uid: str) -> list[AuditRecord]:
    # The audit trail loads for a tag's page, not for every listing of tags.
    from station.services.records import audit

    return list(audit.events(ctx, uid=uid, with_uids=False))
