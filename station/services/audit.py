"""The append-only audit trail: every state change names who, when, what and which tags."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from peewee import ModelSelect, Value

from station.db.models import AuditEvent, AuditTag, Tag
from station.db.rows import slices, tuples
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
            "at": iso_utc(self.at),
            "operator": self.operator,
            "action": self.action,
            "summary": self.summary,
            "tag_count": self.tag_count,
            "uids": self.uids,
            "details": self.details,
        }


def iso_utc(moment: dt.datetime) -> str:
    return moment.replace(tzinfo=dt.UTC).isoformat(timespec="seconds")


def record(
    ctx: Context,
    action: str,
    summary: str,
    details: dict[str, Any] | None = None,
    tags: ModelSelect[Tag] | None = None,
    tag_count: int = 0,
    tag_ids: Sequence[int] = (),
) -> AuditEvent:
    """Write one event; ``tags`` (a query) or ``tag_ids`` are the ``tag_count`` tags it touched.

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
        AuditTag.insert_from(
            tags.select(Tag.id, Value(event.id)), fields=[AuditTag.tag, AuditTag.event]
        ).execute()
    for part in slices(tag_ids, _CHUNK):
        AuditTag.insert_many(
            [(tag_id, event.id) for tag_id in part],
            fields=[AuditTag.tag, AuditTag.event],
        ).execute()
    return event


def events(
    ctx: Context,
    uid: str | None = None,
    with_uids: bool = True,
    since: dt.datetime | None = None,
    before: dt.datetime | None = None,
) -> Iterator[AuditRecord]:
    """Events oldest first, each with the UIDs it touched (unless ``with_uids`` is false);
    only the events touching ``uid`` if given, and only those from ``since`` up to (not
    including) ``before`` (stored UTC moments)."""
    query = AuditEvent.select().order_by(AuditEvent.id)
    if since is not None:
        query = query.where(AuditEvent.at >= since)
    if before is not None:
        query = query.where(AuditEvent.at < before)
    if uid is not None:
        query = (
            query.join(AuditTag, on=(AuditTag.event == AuditEvent.id))
            .join(Tag, on=(AuditTag.tag == Tag.id))
            .where(Tag.uid == uid)
        )
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


def recent(ctx: Context, before_id: int | None = None, limit: int = 200) -> list[AuditRecord]:
    """The newest events first (for the audit screen), a page at a time, without UIDs."""
    query = AuditEvent.select().order_by(AuditEvent.id.desc()).limit(limit)
    if before_id is not None:
        query = query.where(AuditEvent.id < before_id)
    return [
        AuditRecord(
            e.id, e.at, e.operator, e.action, e.summary, json.loads(e.details), e.tag_count, []
        )
        for e in query
    ]


def _uids_of(event: AuditEvent) -> list[str]:
    query = (
        Tag.select(Tag.uid)
        .join(AuditTag, on=(AuditTag.tag == Tag.id))
        .where(AuditTag.event == event.id)
        .order_by(Tag.uid)
    )
    return [uid for (uid,) in tuples(query)]
