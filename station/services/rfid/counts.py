"""Inventory counts: a room's tags read by RFID and compared with the records.

A count is open until finished; reads are added to it in as many passes, from as many
stations, as it takes (one row per EPC, each pass adding to it), so a count survives a
crash. Finishing records the comparison California asks for every 30 days (§15051): the
deadline in ``due`` and on home moves.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from typing import Any

from peewee import IntegrityError

from station.db.bulk import db_datetime, insert_rows
from station.db.locking import lock_rows
from station.db.models import Assignment, CountRead, Facility, InventoryCount, Reconciliation, Tag
from station.db.rows import tuples
from station.domain import fields
from station.domain.errors import StationError, give, run
from station.domain.reads import ReadSet, classify
from station.domain.states import TagStatus
from station.domain.text import plural, printable
from station.services.context import Context
from station.services.records import audit
from station.services.rfid import known

ROOM_LENGTH = 200
# A variance of 5% or more is flagged: a consultancy's reading of §15034 ("significant
# discrepancy"), a secondary source (rfid.md §2.3); the regulation text was not read.
FLAG_PERCENT = 5.0
FLAG_SOURCE = "rfid.md §2.3, a secondary source: a consultancy's reading of 4 CCR §15034"


@dataclass(frozen=True)
class CountView:
    id: int
    license_number: str
    room: str
    started_at: dt.datetime
    started_by: str
    finished_at: dt.datetime | None
    finished_by: str | None

    @property
    def where(self) -> str:
        return f"{self.room or 'the whole facility'} at {self.license_number}"


@dataclass(frozen=True)
class Entry:
    """One line of a report: a Metrc ``uid``, or the ``epc`` of a tag that is none."""

    uid: str | None
    epc: str | None
    reason: str

    def as_dict(self) -> dict[str, str]:
        key, value = ("uid", self.uid) if self.uid is not None else ("epc", self.epc or "")
        return {key: value, "reason": self.reason}


@dataclass
class CountReport:
    count: CountView
    seen: list[Entry] = field(default_factory=list)
    missing: list[Entry] = field(default_factory=list)
    strays: list[Entry] = field(default_factory=list)
    wrong_room: list[Entry] = field(default_factory=list)
    expected: int = 0
    reads: int = 0
    not_metrc: int = 0

    @property
    def differences(self) -> int:
        """What does not match the records: missing, wrong room, and strays that are Metrc
        tags (a tag that is no Metrc tag is listed, but is no record's difference)."""
        return len(self.missing) + len(self.wrong_room) + len(self.strays) - self.not_metrc

    @property
    def variance(self) -> float | None:
        """Differences as a percentage of the tags expected (None when none were)."""
        if not self.expected:
            return None
        return round(100.0 * self.differences / self.expected, 2)

    @property
    def flagged(self) -> bool:
        return self.variance is not None and self.variance >= FLAG_PERCENT

    def counts(self) -> dict[str, Any]:
        return {
            "expected": self.expected,
            "seen": len(self.seen),
            "missing": len(self.missing),
            "strays": len(self.strays),
            "not_metrc": self.not_metrc,
            "wrong_room": len(self.wrong_room),
            "reads": self.reads,
            "differences": self.differences,
            "variance_percent": self.variance,
            "flagged": self.flagged,
            "flag_at_percent": FLAG_PERCENT,
            "flag_source": FLAG_SOURCE,
        }

    def as_dict(self) -> dict[str, Any]:
        view = self.count
        return {
            "count": {
                "id": view.id,
                "license": view.license_number,
                "room": view.room,
                "started_at": view.started_at.isoformat(),
                "started_by": view.started_by,
                "finished_at": view.finished_at.isoformat() if view.finished_at else None,
                "finished_by": view.finished_by,
            },
            "seen": [entry.as_dict() for entry in self.seen],
            "missing": [entry.as_dict() for entry in self.missing],
            "strays": [entry.as_dict() for entry in self.strays],
            "wrong_room": [entry.as_dict() for entry in self.wrong_room],
            "counts": self.counts(),
        }


@dataclass(frozen=True)
class Added:
    reads: int
    new: int
    distinct: int


def start(ctx: Context, license_number: str | None = None, room: str | None = None) -> CountView:
    """Open a count of ``room`` (or of the whole facility); one may be open per room."""
    facility = _facility(ctx, license_number)
    where = (fields.text(room, "room", ROOM_LENGTH, required=False) or "").strip()
    with ctx.db.atomic():
        key = known.room_key(where)
        open_one = InventoryCount.get_or_none(
            (InventoryCount.facility == facility.id)
            & (InventoryCount.room_key == key)
            & InventoryCount.finished_at.is_null()
        )
        if open_one is not None:
            raise _already_open(open_one.id, open_one.room, facility.license_number)
        try:
            with ctx.db.atomic():
                row = InventoryCount.create(
                    facility=facility.id,
                    room=where,
                    room_key=key,
                    started_at=ctx.now(),
                    started_by=ctx.operator,
                )
        except IntegrityError:
            # Another station opened it between the look and the insert.
            raise _already_open(None, where, facility.license_number) from None
        view = _view(row, facility.license_number)
        audit.record(
            ctx, "count start", f"count {row.id} of {view.where} started", {"count": row.id}
        )
        return view


def _already_open(count_id: int | None, room: str, license_number: str) -> StationError:
    place = room or "the whole facility"
    if count_id is None:
        return StationError(f"a count of {place} at {license_number} is already open")
    return StationError(
        f"count {count_id} of {place} at {license_number} is already open; add reads to it: ",
        run(f"count read {count_id}"),
    )


def add_reads(ctx: Context, count_id: int, reads: ReadSet, source: str) -> Added:
    """Add reads (deduplicated already) to an open count, in one transaction; a pass's
    audit event is :func:`record_pass`'s."""
    now = ctx.now()
    rows = [
        (
            count_id,
            epc,
            db_datetime(_when(one.first_at, now)),
            db_datetime(_when(one.last_at, now)),
            one.seen,
            printable(one.source, 190),
            one.antenna,
            one.rssi,
        )
        for epc, one in reads.by_epc.items()
    ]
    with ctx.db.atomic():
        row = _locked(count_id)
        if row.finished_at is not None:
            raise StationError(
                f"count {count_id} was finished; to count again: ",
                run("count start"),
            )
        before = CountRead.select().where(CountRead.count == count_id).count()
        # One prepared statement for all the rows (peewee's insert_many builds the SQL text
        # of every value in Python: 20 ms a pass of 500 EPCs, held against the screen).
        insert_rows(
            ctx.db,
            CountRead,
            [
                CountRead.count,
                CountRead.epc,
                CountRead.first_at,
                CountRead.last_at,
                CountRead.seen,
                CountRead.source,
                CountRead.antenna,
                CountRead.rssi,
            ],
            rows,
            "ON CONFLICT (count_id, epc) DO UPDATE SET seen = count_read.seen + excluded.seen, "
            "last_at = CASE WHEN excluded.last_at > count_read.last_at "
            "THEN excluded.last_at ELSE count_read.last_at END",
        )
        after = CountRead.select().where(CountRead.count == count_id).count()
    return Added(reads.reads, after - before, after)


def record_pass(ctx: Context, count_id: int, source: str, reads: int, epcs: int, new: int) -> None:
    """One audit event for a pass of reading (stored a second at a time, which would be an
    event a second): what was read, from where."""
    audit.record(
        ctx,
        "count read",
        f"count {count_id}: {plural(reads, 'read')} of {plural(epcs, 'EPC')}, {new:,} new",
        {
            "count": count_id,
            "source": printable(source, 190),
            "reads": reads,
            "epcs": epcs,
            "new": new,
        },
    )


def report(ctx: Context, count_id: int) -> CountReport:
    """Every EPC read into the count sorted against the records, and the tags not read."""
    row = _row(count_id)
    facility: Facility = Facility.get_by_id(row.facility_id)
    return _report(ctx, row, facility)


def finish(ctx: Context, count_id: int) -> CountReport:
    """Close the count and record it as the facility's reconciliation, audited with the
    report's counts."""
    with ctx.db.atomic():
        row = _locked(count_id)
        if row.finished_at is not None:
            raise StationError(
                f"count {count_id} was already finished at {row.finished_at:%Y-%m-%d %H:%M}"
            )
        facility: Facility = Facility.get_by_id(row.facility_id)
        found = _report(ctx, row, facility)
        now = ctx.now()
        summary = json.dumps(found.counts(), sort_keys=True)
        InventoryCount.update(finished_at=now, finished_by=ctx.operator, summary=summary).where(
            InventoryCount.id == count_id
        ).execute()
        Reconciliation.create(
            facility=facility.id,
            tag_type="rfid",
            at=now,
            operator=ctx.operator,
            differences=found.differences,
        )
        audit.record(
            ctx,
            "count finish",
            f"count {count_id} of {found.count.where} finished: {len(found.seen):,} of "
            f"{found.expected:,} seen, {len(found.missing):,} missing, "
            f"{len(found.strays):,} strays, {len(found.wrong_room):,} in the wrong room",
            {"count": count_id, **found.counts()},
        )
        found.count = _view(InventoryCount.get_by_id(count_id), facility.license_number)
        return found


def counts(ctx: Context, open_only: bool = False) -> list[CountView]:
    query = (
        InventoryCount.select(InventoryCount, Facility.license_number)
        .join(Facility, on=InventoryCount.facility == Facility.id)
        .order_by(InventoryCount.id.desc())
    )
    if open_only:
        query = query.where(InventoryCount.finished_at.is_null())
    return [_view(row, row.facility.license_number) for row in query.limit(200)]


@dataclass(frozen=True)
class Live:
    """What a screen needs to sort reads as they come, before the database has them: the
    tags expected, and the EPCs learned as other UIDs."""

    count: CountView
    facility_id: int
    expected: frozenset[str]
    pairs: dict[str, str]


def open_count(
    ctx: Context, license_number: str | None = None, room: str | None = None
) -> tuple[Live, bool]:
    """The open count of ``room``, resumed, or a new one; True when it was resumed."""
    facility = _facility(ctx, license_number)
    key = known.room_key(room)
    row: InventoryCount | None = InventoryCount.get_or_none(
        (InventoryCount.facility == facility.id)
        & (InventoryCount.room_key == key)
        & InventoryCount.finished_at.is_null()
    )
    if row is not None:
        return live(ctx, row.id), True
    return live(ctx, start(ctx, facility.license_number, room).id), False


def live(ctx: Context, count_id: int) -> Live:
    row = _row(count_id)
    facility: Facility = Facility.get_by_id(row.facility_id)
    return Live(
        _view(row, facility.license_number),
        facility.id,
        frozenset(_expected(facility.id, row.room)),
        known.pairs(ctx, facility.id),
    )


def get(ctx: Context, count_id: int) -> CountView:
    row = _row(count_id)
    facility: Facility = Facility.get_by_id(row.facility_id)
    return _view(row, facility.license_number)


def _report(ctx: Context, row: InventoryCount, facility: Facility) -> CountReport:
    room = row.room
    found = CountReport(_view(row, facility.license_number))
    pairs = known.pairs(ctx, facility.id)
    reads = list(
        tuples(CountRead.select(CountRead.epc, CountRead.seen).where(CountRead.count == row.id))
    )
    kinds = [(classify(epc, pairs), seen) for epc, seen in reads]
    facts = known.tags(ctx, [kind.uid for kind, _ in kinds if kind.uid is not None])
    expected = _expected(facility.id, room)
    found.expected = len(expected)
    seen_uids: set[str] = set()
    for kind, seen in kinds:
        found.reads += seen
        if kind.uid is None:
            found.not_metrc += 1
            found.strays.append(Entry(None, kind.epc, kind.reason))
        elif kind.uid in expected:
            seen_uids.add(kind.uid)
            found.seen.append(Entry(kind.uid, None, f"read {plural(seen, 'time')}"))
        else:
            reason, wrong = _why_not(facility.id, facts.get(kind.uid))
            (found.wrong_room if wrong else found.strays).append(Entry(kind.uid, None, reason))
    found.missing = [
        Entry(uid, None, "not read") for uid in sorted(expected) if uid not in seen_uids
    ]
    for part in (found.seen, found.strays, found.wrong_room):
        part.sort(key=lambda entry: (entry.uid or "", entry.epc or ""))
    return found


def _why_not(facility_id: int, tag: known.TagFacts | None) -> tuple[str, bool]:
    """Why a Metrc tag read is not one expected in the room; True when it is this
    facility's, in use in another room (the wrong room), False for a stray."""
    if tag is None:
        return "on no order", False
    if tag.facility_id != facility_id:
        return f"another facility's tag ({tag.license_number})", False
    if tag.status == TagStatus.VOIDED:
        return "voided", False
    if tag.status == TagStatus.ORDERED:
        return "ordered, not received yet", False
    if tag.status == TagStatus.RECEIVED:
        return "received, not assigned to a room", False
    if not (tag.location or "").strip():
        return "in use with no location recorded", False
    return f"recorded in {tag.location}", True


@dataclass
class News:
    """What reached a count since a screen last looked (``after``): the tags expected that
    were read (by any station) and why each other EPC is not expected, for a screen that
    keeps its own lists and must not recount 10,000 tags twice a second."""

    last_id: int
    seen: list[str] = field(default_factory=list)
    others: dict[str, str] = field(default_factory=dict)


def news(ctx: Context, live: Live, after: int) -> News:
    rows = list(
        tuples(
            CountRead.select(CountRead.id, CountRead.epc)
            .where((CountRead.count == live.count.id) & (CountRead.id > after))
            .order_by(CountRead.id)
        )
    )
    found = News(max((row_id for row_id, _ in rows), default=after))
    kinds = [classify(epc, live.pairs) for _, epc in rows]
    facts = known.tags(
        ctx, [k.uid for k in kinds if k.uid is not None and k.uid not in live.expected]
    )
    for kind in kinds:
        if kind.uid is None:
            found.others[kind.epc] = kind.reason
        elif kind.uid in live.expected:
            found.seen.append(kind.uid)
        else:
            found.others[kind.uid] = _why_not(live.facility_id, facts.get(kind.uid))[0]
    return found


def _expected(facility_id: int, room: str) -> set[str]:
    """The tags the records put in ``room``: used tags whose batch is there; for the whole
    facility, every tag received or in use there."""
    if not room:
        query = Tag.select(Tag.uid).where(
            (Tag.facility == facility_id) & Tag.status.in_([TagStatus.RECEIVED, TagStatus.USED])
        )
        return {uid for (uid,) in tuples(query)}
    query = (
        Tag.select(Tag.uid, Assignment.location)
        .join(Assignment, on=Tag.assignment == Assignment.id)
        .where((Tag.facility == facility_id) & (Tag.status == TagStatus.USED))
    )
    return {uid for uid, location in tuples(query) if known.same_room(location, room)}


def _facility(ctx: Context, license_number: str | None) -> Facility:
    return known.facility(ctx, license_number, give("license"))


def _row(count_id: int) -> InventoryCount:
    row: InventoryCount | None = InventoryCount.get_or_none(InventoryCount.id == count_id)
    if row is None:
        raise StationError(f"there is no count {count_id}")
    return row


def _locked(count_id: int) -> InventoryCount:
    lock_rows(InventoryCount.select(InventoryCount.id).where(InventoryCount.id == count_id))
    return _row(count_id)


def _view(row: InventoryCount, license_number: str) -> CountView:
    return CountView(
        row.id,
        license_number,
        row.room,
        row.started_at,
        row.started_by,
        row.finished_at,
        row.finished_by,
    )


def _when(at: float, now: dt.datetime) -> dt.datetime:
    """A reader's time as stored; a reader clock far off (before 2000, or ahead of the
    station's by over a day) is replaced by the station's time."""
    try:
        when = dt.datetime.fromtimestamp(at, dt.UTC).replace(tzinfo=None)
    except (OverflowError, OSError, ValueError):
        return now
    if when.year < 2000 or when > now + dt.timedelta(days=1):
        return now
    return when
