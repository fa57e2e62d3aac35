"""Verifying the audit trail's hash chain (``station.domain.chain``): every event's stored hash
recomputed from its content and UIDs, and each one's ``prev_hash`` checked against the event
before it. Read a page of events at a time, so a million events take bounded memory on both
backends."""

from __future__ import annotations

import gc
import itertools
import os
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from peewee import DatabaseError

from station import gc_pause
from station.domain import chain
from station.domain.errors import StationError, give
from station.domain.text import show
from station.services.context import Context
from station.services.records import chain_key

if TYPE_CHECKING:
    from multiprocessing.context import BaseContext

    from station.db import raw

# Events a span; and at most this many checking processes (more than a few cores would
# wait on the database).
PAGE = 20_000
MAX_WORKERS = 4
# Ids spread wider than this many spans are cut by stepping through them instead (an empty
# span costs a query: a million of them, a minute).
MAX_ARITHMETIC_SPANS = 10_000
_BELOW_ANY = -(2**63)  # an id below any, even one put in by hand
_EVENTS = (
    "SELECT id, at, operator, approved_by, action, summary, details, tag_count, prev_hash, hash, "
    "key_id FROM audit_event WHERE id > {mark} AND id <= {mark} ORDER BY id"
)
# In (event_id, uid) order straight from the index on those two columns.
_LINKS = (
    "SELECT event_id, uid FROM audit_uid WHERE event_id > {mark} AND event_id <= {mark} "
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
    keyed: int = 0
    """Events hashed with the chain key (the rest: plain SHA-256, written before it)."""
    anchors: int = 0
    """Heads noted outside the database (at backups) found still in the chain."""

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
            "keyed": self.keyed,
            "anchors": self.anchors,
        }


def head(ctx: Context) -> tuple[int, str] | None:
    """The newest event's id and hash, None when there is none. Refused when that hash is
    not one (NULL, or text put in by hand): a new event chained to it would carry the fault
    on, and a head printed from it would be no proof of anything."""
    found = head_with_key(ctx)
    return None if found is None else (found[0], found[1])


def head_with_key(ctx: Context) -> tuple[int, str, str | None] | None:
    """:func:`head`, and the id of the key its hash was made with (None: plain SHA-256)."""
    cursor = ctx.db.execute_sql(  # type: ignore[no-untyped-call]
        "SELECT id, hash, key_id FROM audit_event ORDER BY id DESC LIMIT 1"
    )
    row = cursor.fetchone()
    cursor.close()
    if row is None:
        return None
    event_id, value, key = row
    if not chain.is_hash(value):
        raise StationError(
            f"the audit chain's newest event {event_id} has no valid hash "
            f"({show(str(value)[:70])}): the trail was changed outside the station, and "
            "nothing more is recorded on it; restore the last good backup (station restore)"
        )
    return int(event_id), str(value), None if key is None else str(key)


def parse_head(text: str) -> str:
    value = text.strip().lower()
    if len(value) != 64 or any(c not in "0123456789abcdef" for c in value):
        raise StationError(
            give("head"), " must be a hash of 64 hexadecimal digits, as audit head prints"
        )
    return value


def verify(
    ctx: Context, known_head: str | None = None, page: int = PAGE, workers: int | None = None
) -> Verdict:
    """Walk the chain from its first event; with ``known_head`` (a hash noted earlier), also
    prove that event is still in it (the newest events deleted leave a valid, shorter
    chain: only a head kept elsewhere shows it).

    The events are cut into spans of ``page`` events. Each span is checked on its own (its
    hashes, and the links inside it), in ``workers`` processes (by default one a core, when
    there are several spans); then the spans' ends are linked here, in order. The verdict,
    first fault included, is what walking the chain event by event would give.

    Keyed events need their key (``station.services.records.chain_key``); once the walk holds, the
    key's rules (every event keyed from the first keyed one on, and from where this station
    started keying this database) and the anchors noted outside the database are checked."""
    held = chain_key.load(ctx.folders)
    per_key = _keys_used(ctx)
    missing = sorted(kid for kid in per_key if kid is not None and kid not in held.keys)
    if missing:
        first = per_key[missing[0]][0]
        problem = (
            f"event {first} is keyed with key {missing[0]}, which this station does not hold: "
            "import it (station audit key import FILE) to verify the chain"
        )
        return Verdict(0, chain.GENESIS, problem, first)
    verdict = _walked(ctx, known_head, page, workers, held.keys)
    keyed = sum(count for kid, (_, count) in per_key.items() if kid is not None)
    if not verdict.intact:
        return replace(verdict, keyed=keyed)
    plain = _unkeyed_after_keyed(ctx, per_key, held.since.get(chain_key.database_name(ctx.db)))
    if plain is not None:
        return replace(verdict, problem=plain[1], event_id=plain[0], keyed=keyed)
    anchors = chain_key.anchors(ctx.folders, ctx.db)
    for anchor in anchors:
        found = _hash_of(ctx, int(anchor["id"]))
        if found != anchor["hash"]:
            where = f"noted outside the database at {anchor['at']} ({anchor.get('what', '')})"
            problem_text = (
                f"event {anchor['id']} is gone: it was {where}; the trail was cut there"
                if found is None
                else f"event {anchor['id']} is not the event {where}: the trail was rewritten"
            )
            return replace(verdict, problem=problem_text, event_id=int(anchor["id"]), keyed=keyed)
    return replace(verdict, keyed=keyed, anchors=len(anchors))


def _walked(
    ctx: Context,
    known_head: str | None,
    page: int,
    workers: int | None,
    keys: dict[str, bytes],
) -> Verdict:
    bounds = _span_bounds(ctx, page)
    # Checking processes and the apsw reader load only for a verify: every command that
    # records an event imports this module for the chain's head.
    from concurrent.futures import ProcessPoolExecutor

    from station.db import raw

    reader = raw.reader_for(ctx.db)
    wanted = [(low, high, known_head, keys) for low, high in itertools.pairwise(bounds)]
    processes = min(workers or os.cpu_count() or 1, MAX_WORKERS, len(wanted))
    if processes <= 1:
        # The station's own connection, not a reader's: apsw links a second copy of SQLite,
        # and two copies in one process break each other's POSIX locks (closing one's file
        # drops the other's locks: sqlite.org/howtocorrupt.html, 2.2.1).
        connection = ctx.db.connection()  # type: ignore[no-untyped-call]
        with gc_pause.paused():
            spans = [_check_span(connection, reader.param, *one) for one in wanted]
        return _linked(spans, known_head)
    with ProcessPoolExecutor(processes, mp_context=_processes(), initializer=_quiet) as pool:
        futures = [pool.submit(_check_span_apart, reader, *one) for one in wanted]
        try:
            return _linked((future.result() for future in futures), known_head)
        finally:
            for future in futures:
                future.cancel()


def _keys_used(ctx: Context) -> dict[str | None, tuple[int, int]]:
    """Each key id the events name (None: plain SHA-256) with its first event and count."""
    cursor = ctx.db.execute_sql(  # type: ignore[no-untyped-call]
        "SELECT key_id, MIN(id), COUNT(*) FROM audit_event GROUP BY key_id"
    )
    return {kid: (int(first), int(count)) for kid, first, count in cursor.fetchall()}


def _unkeyed_after_keyed(
    ctx: Context, per_key: dict[str | None, tuple[int, int]], since: tuple[str, int] | None
) -> tuple[int, str] | None:
    """An event with a plain hash where only keyed ones belong: after the first keyed event,
    or from where this station began keying this database (noted outside it). Someone
    without the key can write such an event; the station never does."""
    keyed_from = [first for kid, (first, _) in per_key.items() if kid is not None]
    starts = [(first, "events are keyed from event {first} on") for first in keyed_from[:1]]
    if since is not None:
        starts.append((since[1], "this station keys this database from event {first} on"))
    for first, why in sorted(starts):
        cursor = ctx.db.execute_sql(  # type: ignore[no-untyped-call]
            f"SELECT MIN(id) FROM audit_event WHERE key_id IS NULL AND id >= {ctx.db.param}",
            (first,),
        )
        plain = cursor.fetchone()[0]
        if plain is not None:
            return int(plain), (
                f"event {plain} has a plain hash, but {why.format(first=first)}: it was "
                "written without the key (rewritten)"
            )
    return None


def _hash_of(ctx: Context, event_id: int) -> str | None:
    cursor = ctx.db.execute_sql(  # type: ignore[no-untyped-call]
        f"SELECT hash FROM audit_event WHERE id = {ctx.db.param}", (event_id,)
    )
    row = cursor.fetchone()
    return None if row is None else str(row[0])


@dataclass(frozen=True)
class Fault:
    """The first event of a span, after its first, that does not follow the event before it
    or whose content no longer matches its hash."""

    before: int
    """Events of the span before it."""
    event_id: int
    previous_id: int
    previous_hash: str
    unlinked: bool
    """True: it does not follow the event before it; False: it was altered."""


@dataclass(frozen=True)
class Span:
    """One span of events, checked on its own: its ends, its size and its first fault."""

    first_id: int
    first_prev: str
    first_altered: bool
    last_id: int
    last_hash: str
    count: int
    has_head: bool
    fault: Fault | None


def _linked(spans: Iterable[Span | None], known_head: str | None) -> Verdict:
    """The spans' verdicts joined in order: each must start where the one before ended (an
    empty span, None, between two others changes nothing)."""
    expected, previous_id, count, seen = chain.GENESIS, None, 0, known_head is None
    for span in spans:
        if span is None:
            continue
        if span.first_prev != expected:
            return _unlinked(count, expected, span.first_id, previous_id)
        if span.first_altered:
            return _altered(count, expected, span.first_id)
        if span.fault is not None:
            fault = span.fault
            found = count + fault.before
            if fault.unlinked:
                return _unlinked(found, fault.previous_hash, fault.event_id, fault.previous_id)
            return _altered(found, fault.previous_hash, fault.event_id)
        seen = seen or span.has_head
        expected, previous_id, count = span.last_hash, span.last_id, count + span.count
    if not seen:
        return Verdict(
            count, expected, f"no event has the hash {known_head}: the events from it on were "
            "removed or rewritten",
        )  # fmt: skip
    return Verdict(count, expected)


def _unlinked(count: int, head_so_far: str, event_id: int, previous_id: int | None) -> Verdict:
    where = f"event {previous_id}" if previous_id is not None else "the start"
    problem = (
        f"event {event_id} does not follow {where}: an event was removed, inserted or reordered"
    )
    return Verdict(count, head_so_far, problem, event_id)


def _altered(count: int, head_so_far: str, event_id: int) -> Verdict:
    problem = f"event {event_id} was altered: its content no longer matches its hash"
    return Verdict(count, head_so_far, problem, event_id)


def _span_bounds(ctx: Context, page: int) -> list[int]:
    """Ids that cut the events into spans of at most ``page`` events (each span: above one
    bound, up to the next). Ids the station wrote are consecutive, so steps of ``page`` ids
    from the first make spans of ``page`` events, found at once; ids far apart (put in by
    hand) would make many empty spans, so then the bounds are found by stepping through the
    id index, ``page`` events at a time (a fifth of a second a million events)."""
    if page < 1:
        raise ValueError("page must be positive")
    first, last = ctx.db.execute_sql(  # type: ignore[no-untyped-call]
        "SELECT MIN(id), MAX(id) FROM audit_event"
    ).fetchone()
    if first is None:
        return [_BELOW_ANY]
    first, last = int(first), int(last)
    if (last - first) // page < MAX_ARITHMETIC_SPANS:
        return [_BELOW_ANY, *range(first - 1 + page, last, page), last]
    return _stepped_bounds(ctx, page, last)


def _stepped_bounds(ctx: Context, page: int, last: int) -> list[int]:
    step = (
        f"SELECT id FROM audit_event WHERE id > {ctx.db.param} ORDER BY id "
        f"LIMIT 1 OFFSET {page - 1}"
    )
    bounds = [_BELOW_ANY]
    while True:
        row = ctx.db.execute_sql(step, (bounds[-1],)).fetchone()  # type: ignore[no-untyped-call]
        if row is None or row[0] >= last:
            bounds.append(last)
            return bounds
        bounds.append(int(row[0]))


def _quiet() -> None:
    """A checking process's start: the collector off for its whole (short) life, and what it
    inherited from the parent kept out of the collector's sight."""
    gc.disable()
    gc.freeze()


def _processes() -> BaseContext:
    import multiprocessing

    # fork starts a checker in milliseconds; it opens its own connection and never touches
    # the parent's. spawn where there is no fork.
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("fork" if "fork" in methods else "spawn")


def _check_span_apart(
    reader: raw.Reader, low: int, high: int, known_head: str | None, keys: dict[str, bytes]
) -> Span | None:
    """:func:`_check_span` in a process of its own, on a connection of its own."""
    try:
        connection = reader.connect()
        try:
            return _check_span(connection, reader.param, low, high, known_head, keys)
        finally:
            connection.close()
    except reader.errors as exc:
        # As peewee's error: the command line then says it in one line, and a damaged file
        # as damaged, as it does for every other database error.
        raise DatabaseError(str(exc)) from None


def _check_span(
    connection: Any,
    param: str,
    low: int,
    high: int,
    known_head: str | None,
    keys: dict[str, bytes],
) -> Span | None:
    """The events with ids above ``low`` up to ``high``: each one's hash recomputed from its
    content and UIDs, and each one's ``prev_hash`` checked against the one before it. None
    when there are none."""
    cursor = connection.cursor()
    cursor.execute(_EVENTS.format(mark=param), (low, high))
    rows = cursor.fetchall()
    if not rows:
        cursor.close()
        return None
    cursor.execute(_LINKS.format(mark=param), (low, high))
    digests = chain.uids_digests(cursor.fetchall())
    cursor.close()
    stored = [row[9] for row in rows]
    computed = chain.stored_hashes(rows, digests, keys)
    first, last = rows[0], rows[-1]
    fault = None
    if computed[1:] != stored[1:] or [row[8] for row in rows[1:]] != stored[:-1]:
        fault = _first_fault(rows, computed)
    return Span(
        first[0],
        first[8],
        computed[0] != stored[0],
        last[0],
        last[9],
        len(rows),
        known_head is not None and known_head in stored,
        fault,
    )


def _first_fault(rows: list[tuple[Any, ...]], computed: list[str]) -> Fault:
    """The first event after the span's first that does not follow or was altered."""
    for before in range(1, len(rows)):
        row, previous = rows[before], rows[before - 1]
        if row[8] != previous[9]:
            return Fault(before, row[0], previous[0], previous[9], unlinked=True)
        if computed[before] != row[9]:
            return Fault(before, row[0], previous[0], previous[9], unlinked=False)
    raise AssertionError("a span with a fault had none")
