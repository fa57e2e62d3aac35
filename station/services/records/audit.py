"""The append-only audit trail: every state change names who, when, what and which tags."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from peewee import ModelSelect, Value

from station.db.locking import lock_audit_chain
from station.db.models import AuditEvent, AuditUid, Tag
from station.db.rows import slices, tuples
from station.domain import chain, times
from station.domain.errors import StationError
from station.services.context import Context
from station.services.records import audit_chain, chain_key

# Rows per INSERT: well under SQLite's limit of bound parameters per statement.
_CHUNK = 2000


# An event's fields in the order every listing and archive of them uses.
FIELDS = (
    "id", "at", "operator", "approved_by", "action", "summary", "tag_count", "uids", "details",
    "hash",
)  # fmt: skip


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
    approved_by: str | None = None
    hash: str | None = None

    @classmethod
    def of(cls, event: AuditEvent, uids: list[str]) -> AuditRecord:
        return cls(
            event.id, event.at, event.operator, event.action, event.summary,
            json.loads(event.details), event.tag_count, uids, event.approved_by, event.hash,
        )  # fmt: skip

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "at": times.utc(self.at),
            "operator": self.operator,
            "approved_by": self.approved_by,
            "action": self.action,
            "summary": self.summary,
            "tag_count": self.tag_count,
            "uids": self.uids,
            "details": self.details,
            "hash": self.hash,
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
    tags it touched. The event is the chain's new head: its id follows the head's, and its
    hash covers its content, its UIDs and the head's hash (``station.domain.chain``).

    Call inside the transaction of the change itself, so the change and its record commit
    together or not at all.
    """
    named = _named(tags, tag_ids, uids)
    with ctx.db.atomic():
        event = AuditEvent(
            at=ctx.now(),
            operator=ctx.operator,
            approved_by=ctx.approved_by(),
            action=action,
            summary=summary,
            details=json.dumps(details or {}, sort_keys=True, default=str),
            tag_count=tag_count,
        )
        _chain(ctx, event, named)
        event.save(force_insert=True)
        if tags is not None and not uids and not tag_ids:
            # One INSERT ... SELECT: a 100,000-tag receipt costs one statement, not 100,000.
            AuditUid.insert_from(
                tags.select(Tag.uid, Value(event.id)), fields=[AuditUid.uid, AuditUid.event]
            ).execute()
        else:
            _link(ctx, event.id, named)
    return event


def _link(ctx: Context, event_id: int, uids: list[str]) -> None:
    """The event's UID links, a few statements of many rows each: peewee's insert_many
    converts every value in Python, which made a 10,000-tag assignment 200 ms slower."""
    mark = ctx.db.param
    for chunk in slices(uids, _CHUNK // 2):
        rows = ", ".join([f"({mark}, {mark})"] * len(chunk))
        values = [value for uid in chunk for value in (uid, event_id)]
        ctx.db.execute_sql(f"INSERT INTO audit_uid (uid, event_id) VALUES {rows}", values)  # type: ignore[no-untyped-call]


def _named(tags: ModelSelect[Tag] | None, tag_ids: Sequence[int], uids: Sequence[str]) -> list[str]:
    """The UIDs of the tags an event touched, sorted (its hash covers them)."""
    named = list(uids)
    for part in slices(tag_ids, _CHUNK):
        named.extend(uid for (uid,) in tuples(Tag.select(Tag.uid).where(Tag.id.in_(part))))
    if tags is not None:
        named.extend(uid for (uid,) in tuples(tags.select(Tag.uid)))
    named.sort()
    return named


def _chain(ctx: Context, event: AuditEvent, named: list[str]) -> None:
    """Make ``event`` the chain's new head: the id after the head's, the head's hash as its
    ``prev_hash``, and its own hash. Inside the event's transaction: the lock taken here
    holds other stations' events back until it commits."""
    lock_audit_chain()
    head_id, event.prev_hash, head_key = audit_chain.head_with_key(ctx) or (0, chain.GENESIS, None)
    event.id = head_id + 1
    event.key_id, key = chain_key.for_new_event(ctx.folders, ctx.db, head_key, event.id)
    event.hash = chain.event_hash(chain.canonical(
        event.id, chain.at_text(event.at), event.operator, event.approved_by, event.action,
        event.summary, event.details, event.tag_count, chain.uids_digest(named),
        event.prev_hash,
    ), key)  # fmt: skip


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
        yield AuditRecord.of(event, _uids_of(event) if with_uids and event.tag_count else [])


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
    return [AuditRecord.of(e, []) for e in query]


def one_event(ctx: Context, event_id: int, most_uids: int = 1000) -> AuditRecord:
    """One event in full (the audit screen's Enter), with its first ``most_uids`` UIDs (its
    ``tag_count`` says how many it touched)."""
    event = AuditEvent.get_or_none(AuditEvent.id == event_id)
    if event is None:
        raise StationError(f"no audit event {event_id}")
    query = (
        AuditUid.select(AuditUid.uid)
        .where(AuditUid.event == event.id)
        .order_by(AuditUid.uid)
        .limit(most_uids)
    )
    return AuditRecord.of(event, [uid for (uid,) in tuples(query)])


def last_event(ctx: Context, uid: str, action: str) -> AuditRecord | None:
    """The newest ``action`` event that touched ``uid``, without its UIDs."""
    query = Filters(uid=uid, action=action).applied(
        AuditEvent.select().order_by(AuditEvent.id.desc()).limit(1)
    )
    event = query.first()
    if event is None:
        return None
    return AuditRecord.of(event, [])


def _uids_of(event: AuditEvent) -> list[str]:
    query = AuditUid.select(AuditUid.uid).where(AuditUid.event == event.id).order_by(AuditUid.uid)
    return [uid for (uid,) in tuples(query)]
