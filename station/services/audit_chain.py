"""Verifying the audit trail's hash chain (``station.domain.chain``): every event's stored hash
recomputed from its content and UIDs, and each one's ``prev_hash`` checked against the event
before it. Read a page of events at a time, so a million events take bounded memory on both
backends."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from station.domain import chain
from station.domain.errors import StationError
from station.services.context import Context

PAGE = 20_000
_EVENTS = (
    "SELECT id, at, operator, approved_by, action, summary, details, tag_count, prev_hash, hash "
    "FROM audit_event WHERE id > {mark} ORDER BY id LIMIT {page}"
)
# In (event_id, uid) order straight from the index on those two columns.
_LINKS = (
    "SELECT event_id, uid FROM audit_uid WHERE event_id >= {mark} AND event_id <= {mark} "
    "ORDER BY event_id, uid"
)


@dataclass(frozen=True)
class Verdict:
    events: int
    """Events checked: all of them when intact, else up to the first bad one."""
    head: str
    """The newest event's hash (64 zeros when there are none)."""
    problem: str | None = None
    event_id: int | None = None

    @property
    def intact(self) -> bool:
        return self.problem is None

    def as_dict(self) -> dict[str, Any]:
        return {
            "intact": self.intact,
            "events": self.events,
            "head": self.head,
            "problem": self.problem,
            "event_id": self.event_id,
        }


def head(ctx: Context) -> tuple[int, str] | None:
    """The newest event's id and hash, None when there is none."""
    row = ctx.db.execute_sql(  # type: ignore[no-untyped-call]
        "SELECT id, hash FROM audit_event ORDER BY id DESC LIMIT 1"
    ).fetchone()
    return (int(row[0]), str(row[1])) if row else None


def parse_head(text: str) -> str:
    value = text.strip().lower()
    if len(value) != 64 or any(c not in "0123456789abcdef" for c in value):
        raise StationError("--head must be a hash of 64 hexadecimal digits, as audit head prints")
    return value


def verify(ctx: Context, known_head: str | None = None) -> Verdict:
    """Walk the chain from its first event; with ``known_head`` (a hash noted earlier), also
    prove that event is still in it (the newest events deleted leave a valid, shorter
    chain: only a head kept elsewhere shows it). A page of events is checked at once; only
    a page with a fault is walked event by event, to name the first."""
    expected, previous_id, count, seen = chain.GENESIS, None, 0, known_head is None
    for rows, digests in _pages(ctx):
        stored = [row[9] for row in rows]
        computed = [
            chain.event_hash(chain.canonical(
                row[0], chain.stored_at_text(row[1]), row[2], row[3], row[4], row[5], row[6],
                row[7], digests.get(row[0], chain.NO_UIDS), row[8],
            ))
            for row in rows
        ]  # fmt: skip
        if computed != stored or [row[8] for row in rows] != [expected, *stored[:-1]]:
            return _first_fault(rows, computed, expected, previous_id, count)
        seen = seen or known_head in stored
        expected, previous_id, count = stored[-1], rows[-1][0], count + len(rows)
    if not seen:
        return Verdict(
            count, expected, f"no event has the hash {known_head}: the events from it on were "
            "removed",
        )  # fmt: skip
    return Verdict(count, expected)


def _first_fault(
    rows: list[tuple[Any, ...]],
    computed: list[str],
    expected: str,
    previous_id: int | None,
    count: int,
) -> Verdict:
    for row, digest in zip(rows, computed, strict=True):
        event_id, prev, stored = row[0], row[8], row[9]
        if prev != expected:
            where = f"event {previous_id}" if previous_id is not None else "the start"
            problem = (
                f"event {event_id} does not follow {where}: an event was removed, inserted or "
                "reordered"
            )
            return Verdict(count, expected, problem, event_id)
        if digest != stored:
            problem = f"event {event_id} was altered: its content no longer matches its hash"
            return Verdict(count, expected, problem, event_id)
        expected, previous_id, count = stored, event_id, count + 1
    raise AssertionError("a page with a fault had none")


def _pages(ctx: Context) -> Iterator[tuple[list[tuple[Any, ...]], dict[int, str]]]:
    """Every event, oldest first, a page at a time, with the digests of their UIDs."""
    events_sql = _EVENTS.format(mark=ctx.db.param, page=PAGE)
    links_sql = _LINKS.format(mark=ctx.db.param)
    after = -(2**63)  # an id below any, even one put in by hand
    while True:
        rows = ctx.db.execute_sql(events_sql, (after,)).fetchall()  # type: ignore[no-untyped-call]
        if not rows:
            return
        first, last = rows[0][0], rows[-1][0]
        links = ctx.db.execute_sql(links_sql, (first, last)).fetchall()  # type: ignore[no-untyped-call]
        yield rows, chain.uids_digests(links)
        after = last
