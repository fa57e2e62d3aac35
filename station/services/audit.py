"""The append-only audit trail: every state change names who, when, what and which tags."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from peewee import ModelSelect, Value

from station.db.models import AuditEvent, AuditUid, Tag
from station.db.rows import slices, tuples
from station.domain import times
from station.domain.errors import StationError
from station.services.context import Context

# Rows per INSERT: well under SQLite's limit of bound parameters per statement.
_CHUNK = 2000


@dataclass(frozen=True)
class AuditRecord:
    id: int
    at: dt.datetime
    operator: str
    action: str
    summary: str
    details: dict[str, Any]
    tag_count: int
    uids: list[str]

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "at": times.utc(self.at),
            "operator": self.operator,
            "action": self.action,
            "summary": self.summary,
            "tag_count": self.tag_count,
            "uids": self.uids,
            "details": self.details,
        }


def record(
    ctx: Context,
    action: str,
    summary: str,
    details: dict[str, Any] | None = None,
    tags: ModelSelect[Tag] | None = None,
    tag_count: int = 0,
    tag_ids: Sequence[int] = (),
    uids: Sequence[str] = (),
) -> AuditEvent:
    """Write one event; ``tags`` (a query), ``tag_ids`` or ``uids`` are the ``tag_count``
    tags it touched.

    Call inside the transaction of the change itself, so the change and its record commit
    together or not at all.
    """
    event: AuditEvent = AuditEvent.create(
        at=ctx.now(),
        operator=ctx.operator,
        action=action,
        summary=summary,
        details=json.dumps(details or {}, sort_keys=True, default=str),
        tag_count=tag_count,
    )
    if tags is not None:
        # One INSERT ... SELECT: a 100,000-tag receipt costs one statement, not 100,000.
        AuditUid.insert_from(
            tags.select(Tag.uid, Value(event.id)), fields=[AuditUid.uid, AuditUid.event]
        ).execute()
    for part in slices(tag_ids, _CHUNK):
        AuditUid.insert_from(
            Tag.select(Tag.uid, Value(event.id)).where(Tag.id.in_(part)),
            fields=[AuditUid.uid, AuditUid.event],
        ).execute()
    for named in slices(uids, _CHUNK):
        AuditUid.insert_many(
            [(uid, event.id) for uid in named], fields=[AuditUid.uid, AuditUid.event]
        ).execute()
    return event


@dataclass(frozen=True)
class Filters:
    """Which events to show; each one left None lets every event through."""

    uid: str | None = None
    """Only events that touched this tag."""
    action: str | None = None
    """This action, or with no dot in it a family of them (``print``: print.job, ...)."""
    operator: str | None = None
    start: dt.date | None = None
    """The first station-local day."""
    end: dt.date | None = None
    """The last station-local day, included."""

    def __post_init__(self) -> None:
        if self.start is not None and self.end is not None and self.end < self.start:
            raise StationError(f"the last day {self.end} is before the first {self.start}")

    def applied(self, query: ModelSelect[AuditEvent]) -> ModelSelect[AuditEvent]:
        if self.action:
            wanted = AuditEvent.action == self.action
            if "." not in self.action:
                wanted |= AuditEvent.action.startswith(f"{self.action}.")
            query = query.where(wanted)
        if self.operator:
            query = query.where(AuditEvent.operator == self.operator)
        if self.start is not None:
            query = query.where(AuditEvent.at >= times.day_start(self.start))
        if self.end is not None:
            query = query.where(AuditEvent.at < times.day_start(self.end, 1))
        if self.uid is not None:
            query = query.join(AuditUid, on=(AuditUid.event == AuditEvent.id)).where(
                AuditUid.uid == self.uid
            )
        return query


def events(
    ctx: Context,
    uid: str | None = None,
    with_uids: bool = True,
    since: dt.datetime | None = None,
    before: dt.datetime | None = None,
    filters: Filters | None = None,
) -> Iterator[AuditRecord]:
    """Events oldest first, each with the UIDs it touched (unless ``with_uids`` is false);
    only the events touching ``uid`` if given, only those from ``since`` up to (not
    including) ``before`` (stored UTC moments), and only those ``filters`` let through."""
    query = AuditEvent.select().order_by(AuditEvent.id)
    if since is not None:
        query = query.where(AuditEvent.at >= since)
    if before is not None:
        query = query.where(AuditEvent.at < before)
    query = Filters(uid=uid).applied(query)
    if filters is not None:
        query = filters.applied(query)
    for event in query.iterator():
        yield AuditRecord(
            id=event.id,
            at=event.at,
            operator=event.operator,
            action=event.action,
            summary=event.summary,
            details=json.loads(event.details),
            tag_count=event.tag_count,
            uids=_uids_of(event) if with_uids and event.tag_count else [],
        )


def recent(
    ctx: Context,
    before_id: int | None = None,
    limit: int = 200,
    filters: Filters | None = None,
) -> list[AuditRecord]:
    """The newest events first (for the audit screen), a page at a time, without UIDs."""
    query = AuditEvent.select().order_by(AuditEvent.id.desc()).limit(limit)
    if filters is not None:
        query = filters.applied(query)
    if before_id is not None:
        query = query.where(AuditEvent.id < before_id)
    return [
        AuditRecord(
            e.id, e.at, e.operator, e.action, e.summary, json.loads(e.details), e.tag_count, []
        )
        for e in query
    ]


def last_event(uid: str, action: str) -> AuditRecord | None:
    """The newest ``action`` event that touched ``uid``, without its UIDs."""
    query = Filters(uid=uid, action=action).applied(
        AuditEvent.select().order_by(AuditEvent.id.desc()).limit(1)
    )
    event = query.first()
    if event is None:
        return None
    return AuditRecord(
        event.id, event.at, event.operator, event.action, event.summary,
        json.loads(event.details), event.tag_count, [],
    )  # fmt: skip


def _uids_of(event: AuditEvent) -> list[str]:
    query = AuditUid.select(AuditUid.uid).where(AuditUid.event == event.id).order_by(AuditUid.uid)
    return [uid for (uid,) in tuples(query)]
