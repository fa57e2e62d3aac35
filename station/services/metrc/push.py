"""Pushing assignments to Metrc, opt-in: packages created, plant batches' plants tagged.

Every object's state is written before its call goes out (``sending``) and settled with
Metrc's answer after it, each in its own transaction. So an interrupted push loses nothing:
a second push skips what Metrc accepted, checks in Metrc the objects whose answer was lost,
and sends the rest.
"""

from __future__ import annotations

import json
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from station.db.models import MetrcObject, Tag
from station.db.rows import slices
from station.domain.states import MetrcObjectState
from station.domain.text import plural
from station.metrc import shapes
from station.metrc.client import MetrcError, MetrcUnsure, MetrcValidation
from station.services.context import Context
from station.services.metrc.objects import Outgoing, Skipped, build
from station.services.people import roles
from station.services.records import audit


class Pusher(Protocol):
    license_number: str

    def send(self, method: str, path: str, objects: Sequence[dict[str, Any]]) -> Any: ...

    def get_one(self, path: str) -> dict[str, Any] | None: ...

    def get_many(self, paths: Sequence[str]) -> list[dict[str, Any] | None]: ...


@dataclass
class PushReport:
    license_number: str
    accepted: list[Outgoing] = field(default_factory=list)
    found: list[Outgoing] = field(default_factory=list)  # already in Metrc, answer had been lost
    rejected: list[tuple[Outgoing, str]] = field(default_factory=list)
    earlier: int = 0  # accepted by an earlier push, not sent again
    skipped: list[Skipped] = field(default_factory=list)
    calls: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "license_number": self.license_number,
            "calls": self.calls,
            "accepted": [_brief(o) for o in self.accepted],
            "found_in_metrc": [_brief(o) for o in self.found],
            "rejected": [{**_brief(o), "message": why} for o, why in self.rejected],
            "accepted_earlier": self.earlier,
            "skipped": [
                {"assignment_id": s.assignment_id, "reason": s.reason} for s in self.skipped
            ],
        }


def describe(report: PushReport) -> list[str]:
    lines = [
        f"{report.license_number}: {len(report.accepted):,} accepted in "
        f"{plural(report.calls, 'call')}, {len(report.found):,} already in Metrc, "
        f"{len(report.rejected):,} refused, {report.earlier:,} accepted earlier"
    ]
    lines += [
        f"  refused {item.key_uid} (batch {item.assignment_id}): {why}"
        for item, why in report.rejected
    ]
    return lines + describe_skipped(report)


def describe_skipped(report: PushReport) -> list[str]:
    return [f"  not sent: batch {s.assignment_id} {s.reason}" for s in report.skipped]


def pending(
    ctx: Context, license_number: str, assignment_ids: Sequence[int] | None = None
) -> tuple[list[Outgoing], PushReport]:
    """What a push would send now (objects not yet accepted), and a report of the rest."""
    todo, report, _ = _pending(ctx, license_number, assignment_ids)
    return todo, report


def describe_pending(license_number: str, todo: list[Outgoing], report: PushReport) -> list[str]:
    return [
        f"{license_number}: would send {plural(len(todo), 'object')}; "
        f"{report.earlier:,} accepted earlier",
        *describe_skipped(report),
    ]


def _pending(
    ctx: Context, license_number: str, assignment_ids: Sequence[int] | None
) -> tuple[list[Outgoing], PushReport, dict[tuple[str, str], str]]:
    built = build(ctx, license_number, assignment_ids)
    report = PushReport(license_number, skipped=built.skipped)
    states = _states(built.objects)
    todo = []
    for item in built.objects:
        if states.get((item.endpoint, item.key_uid)) == MetrcObjectState.ACCEPTED:
            report.earlier += 1
        else:
            todo.append(item)
    return todo, report, states


def push(ctx: Context, client: Pusher, assignment_ids: Sequence[int] | None = None) -> PushReport:
    roles.require_supervisor(ctx, "pushing to Metrc")
    todo, report, states = _pending(ctx, client.license_number, assignment_ids)
    # Objects whose answer was lost are looked up first (all at once, within Metrc's
    # limits): the ones Metrc holds are settled, never sent twice.
    unsure = [i for i in todo if states.get((i.endpoint, i.key_uid)) == MetrcObjectState.SENDING]
    theirs = client.get_many([shapes.LOOKUP[i.endpoint].format(uid=i.key_uid) for i in unsure])
    held = {
        id(item)
        for item, found in zip(unsure, theirs, strict=True)
        if found is not None and shapes.same_object(item.endpoint, item.payload, found)
    }
    settled = [item for item in unsure if id(item) in held]
    for endpoint in dict.fromkeys(item.endpoint for item in settled):
        same = [item for item in settled if item.endpoint == endpoint]
        _settle(ctx, same, MetrcObjectState.ACCEPTED, "found in Metrc after an interrupted push")
        report.found.extend(same)
    fresh = [item for item in todo if id(item) not in held]
    queue: deque[list[Outgoing]] = deque()
    for endpoint in dict.fromkeys(item.endpoint for item in fresh):
        same = [item for item in fresh if item.endpoint == endpoint]
        queue.extend(list(part) for part in slices(same, shapes.MAX_PER_CALL))
    while queue:
        _send(ctx, client, queue.popleft(), queue, report)
    return report


def _send(
    ctx: Context,
    client: Pusher,
    chunk: list[Outgoing],
    queue: deque[list[Outgoing]],
    report: PushReport,
) -> None:
    before = _mark_sending(ctx, chunk)
    report.calls += 1
    try:
        endpoint = chunk[0].endpoint
        method = shapes.METHODS.get(endpoint, "POST")
        answer = client.send(method, endpoint, [item.payload for item in chunk])
    except MetrcValidation as refused:
        named = {
            r.row: r.message for r in refused.rejections if r.row is not None and r.row < len(chunk)
        }
        if not named and len(chunk) > 1:
            # Metrc did not say which object it refused: send each alone to find out.
            queue.extendleft([item] for item in reversed(chunk))
            return
        if not named:
            named = {0: str(refused).removeprefix("Metrc refused: ")}
        for row, why in named.items():
            _refused(ctx, client, chunk[row], why, report)
        rest = [item for row, item in enumerate(chunk) if row not in named]
        if rest:
            queue.appendleft(rest)  # Metrc takes a call whole or not at all
        return
    except MetrcUnsure:
        raise  # left "sending": the next push looks each one up in Metrc
    except MetrcError:
        _restore(ctx, chunk, before)  # nothing reached Metrc
        raise
    _settle(ctx, chunk, MetrcObjectState.ACCEPTED, _answers(answer, len(chunk)))
    report.accepted.extend(chunk)


def _refused(ctx: Context, client: Pusher, item: Outgoing, why: str, report: PushReport) -> None:
    # A tag Metrc calls used may be used by this very object, from a call whose answer was
    # lost (a retried 5xx): look before calling it refused.
    if _in_metrc(client, item):
        _settle(ctx, [item], MetrcObjectState.ACCEPTED, "already in Metrc")
        report.found.append(item)
        return
    _settle(ctx, [item], MetrcObjectState.REJECTED, why)
    report.rejected.append((item, why))


def _in_metrc(client: Pusher, item: Outgoing) -> bool:
    theirs = client.get_one(shapes.LOOKUP[item.endpoint].format(uid=item.key_uid))
    return theirs is not None and shapes.same_object(item.endpoint, item.payload, theirs)


# --- bookkeeping, each step committed on its own -------------------------------------------


def _states(items: Sequence[Outgoing]) -> dict[tuple[str, str], str]:
    keys = sorted({item.key_uid for item in items})
    found: dict[tuple[str, str], str] = {}
    for part in slices(keys):
        query = MetrcObject.select(
            MetrcObject.endpoint, MetrcObject.key_uid, MetrcObject.state
        ).where(MetrcObject.key_uid.in_(part))
        found.update(((row.endpoint, row.key_uid), row.state) for row in query)
    return found


def _mark_sending(ctx: Context, chunk: list[Outgoing]) -> dict[tuple[str, str], str | None]:
    """Write ``sending`` for each object before the call; their earlier states."""
    now = ctx.now()
    with ctx.db.atomic():
        before: dict[tuple[str, str], str | None] = {
            (item.endpoint, item.key_uid): None for item in chunk
        }
        before.update(_states(chunk))
        for item in chunk:
            key = (item.endpoint, item.key_uid)
            if before[key] is None:
                MetrcObject.create(
                    assignment=item.assignment_id,
                    endpoint=item.endpoint,
                    key_uid=item.key_uid,
                    count=item.count,
                    state=MetrcObjectState.SENDING,
                    sent_at=now,
                )
            else:
                MetrcObject.update(state=MetrcObjectState.SENDING, sent_at=now, answer=None).where(
                    (MetrcObject.endpoint == item.endpoint) & (MetrcObject.key_uid == item.key_uid)
                ).execute()
    return before


def _restore(
    ctx: Context, chunk: list[Outgoing], before: dict[tuple[str, str], str | None]
) -> None:
    with ctx.db.atomic():
        for item in chunk:
            where = (MetrcObject.endpoint == item.endpoint) & (MetrcObject.key_uid == item.key_uid)
            earlier = before[(item.endpoint, item.key_uid)]
            if earlier is None:
                MetrcObject.delete().where(where).execute()
            else:
                MetrcObject.update(state=earlier).where(where).execute()


def _settle(
    ctx: Context, chunk: list[Outgoing], state: MetrcObjectState, answer: str | list[str]
) -> None:
    answers = answer if isinstance(answer, list) else [answer] * len(chunk)
    now = ctx.now()
    uids = [uid for item in chunk for uid in item.uids]
    with ctx.db.atomic():
        for item, said in zip(chunk, answers, strict=True):
            MetrcObject.update(state=state, answer=said, answered_at=now).where(
                (MetrcObject.endpoint == item.endpoint) & (MetrcObject.key_uid == item.key_uid)
            ).execute()
        action = "metrc.accepted" if state == MetrcObjectState.ACCEPTED else "metrc.rejected"
        endpoint = chunk[0].endpoint
        summary = (
            f"Metrc accepted {len(chunk)} object(s) of {endpoint}"
            if state == MetrcObjectState.ACCEPTED
            else f"Metrc refused {chunk[0].key_uid} ({endpoint}): {answers[0]}"
        )
        audit.record(
            ctx,
            action,
            summary,
            {
                "endpoint": endpoint,
                "license_number": chunk[0].license_number,
                "assignments": sorted({item.assignment_id for item in chunk}),
                "answer": answers[0] if len(set(answers)) == 1 else "per object",
            },
            tags=Tag.select().where(Tag.uid.in_(uids)),
            tag_count=len(uids),
        )


def _answers(answer: Any, count: int) -> list[str]:
    """Metrc's v2 answer ``{"Ids": [...], "Warnings": ...}``, one entry per object."""
    if isinstance(answer, dict) and isinstance(answer.get("Ids"), list):
        ids = answer["Ids"]
        if len(ids) == count:
            return [f"Id {value}" for value in ids]
    text = json.dumps(answer)[:500] if answer is not None else "accepted"
    return [text] * count


def _brief(item: Outgoing) -> dict[str, Any]:
    return {
        "assignment_id": item.assignment_id,
        "endpoint": item.endpoint,
        "tag": item.key_uid,
        "count": item.count,
    }
