"""The audit chain's cost: what chaining adds to a 10,000-tag batch assignment, and `audit
verify` over 1,000,000 events (SQLite files)."""

from __future__ import annotations

import datetime as dt
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

from bench.core import _order
from bench.table import Table
from station.db.connection import open_database
from station.domain import chain
from station.domain.uid import make_uid
from station.folders import Folders
from station.services.context import Context
from station.services.records import audit, audit_chain, chain_key
from station.services.tags import facilities, receipt
from station.services.tags.assignment import assign_next
from station.services.tags.assignment_details import PackageDetails
from station.services.tags.facilities import FacilityView

BATCH = 10_000
RUNS = 5
EVENTS = 1_000_000


def run() -> Table:
    table = Table("audit chain: SQLite files")
    with tempfile.TemporaryDirectory() as name:
        _assignments(Path(name) / "assign.db", table)
        _verify(Path(name) / "verify.db", table)
    return table


def _context(path: Path) -> Context:
    """A bench database with folders of its own (its chain key is made there, not in the
    user's config folder)."""
    folders = Folders(path.parent / "data", path.parent / "config", path.parent / "cache")
    return Context(open_database(f"sqlite:///{path}"), operator="bench", folders=folders)


def _assignments(path: Path, table: Table) -> None:
    """Each assignment timed whole, and the chain's own part of it timed inside: the UIDs
    read for the hash, the chain lock, the key, the head read and the hashing."""
    ctx = _context(path)
    facilities.add_facility(ctx, "C11-0000001-LIC", "Bench Farms")
    facility = FacilityView.of(facilities.get_facility(ctx, "C11-0000001-LIC"))
    rng = _order(ctx, facility, "1A4060300000000000")
    receipt.receive_range(ctx, rng.first_uid, rng.last_uid, progress=False)
    details = PackageDetails("Flower", Decimal(1), "Grams", None, dt.date(2026, 11, 25))
    spent = [0.0]

    def timed(function: Callable[..., Any]) -> Callable[..., Any]:
        def wrapper(*args: Any) -> Any:
            start = time.perf_counter()
            try:
                return function(*args)
            finally:
                spent[0] += time.perf_counter() - start

        return wrapper

    named, chained = audit._named, audit._chain
    audit._named, audit._chain = timed(named), timed(chained)
    totals, parts = [], []
    try:
        for _ in range(RUNS):
            spent[0] = 0.0
            start = time.perf_counter()
            assign_next(ctx, details, BATCH)
            totals.append(time.perf_counter() - start)
            parts.append(spent[0])
    finally:
        audit._named, audit._chain = named, chained
    total, part = statistics.median(totals), statistics.median(parts)
    table.add(f"assign {BATCH:,} tags, median of {RUNS}", f"{total * 1000:.0f} ms")
    table.add(
        "... of which the chain (UIDs hashed, lock, head, hash)",
        f"{part * 1000:.1f} ms: +{part / (total - part) * 100:.1f}% over the rest",
        "<= +10%",
    )
    ctx.db.close()


def _verify(path: Path, table: Table) -> None:
    ctx = _context(path)
    start = time.perf_counter()
    _fill_events(ctx)
    table.add(
        f"fill: {EVENTS:,} chained events, one tag each (untimed)",
        f"{time.perf_counter() - start:.1f} s",
    )
    cores = os.cpu_count() or 1
    for workers in sorted({1, min(cores, audit_chain.MAX_WORKERS)}):
        start = time.perf_counter()
        verdict = audit_chain.verify(ctx, workers=workers)
        seconds = time.perf_counter() - start
        assert verdict.intact and verdict.events == verdict.keyed == EVENTS, verdict
        table.add(
            f"audit verify, {EVENTS:,} events, {workers} process{'es' if workers > 1 else ''}"
            f" ({cores} cores)",
            f"{seconds:.2f} s: {EVENTS / seconds:,.0f} events/s",
            ">= 200,000 events/s",
        )
    ctx.db.close()


def _fill_events(ctx: Context) -> None:
    """A million single-tag events, chained as the station chains them (keyed, HMAC-SHA256),
    written directly (the station's own path would take an hour of single commits)."""
    at = dt.datetime(2026, 11, 1)
    key_id, key = chain_key.for_new_event(ctx.folders, ctx.db, None, 1)
    previous = chain.GENESIS
    events, links = [], []
    for event_id in range(1, EVENTS + 1):
        uid = make_uid("1A4060300000000000", event_id)
        when = at + dt.timedelta(seconds=event_id)
        details = f'{{"tag": "{uid}"}}'
        summary = f"received 1 tag {uid}"
        digest = chain.event_hash(chain.canonical(
            event_id, chain.at_text(when), "bench", None, "receive", summary, details, 1,
            chain.uids_digest([uid]), previous,
        ), key)  # fmt: skip
        events.append(
            (event_id, str(when), "bench", "receive", summary, details, 1, previous, digest,
             key_id)
        )  # fmt: skip
        links.append((uid, event_id))
        previous = digest
    connection = ctx.db.connection()  # type: ignore[no-untyped-call]
    with ctx.db.atomic():
        connection.executemany(
            "INSERT INTO audit_event (id, at, operator, action, summary, details, tag_count, "
            "prev_hash, hash, key_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            events,
        )
        connection.executemany("INSERT INTO audit_uid (uid, event_id) VALUES (?, ?)", links)
