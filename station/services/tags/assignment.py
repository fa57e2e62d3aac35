"""Assignment: received tags become ``used`` on packages or plants, in batches."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass

from peewee import ModelSelect

from station.db.locking import has_row_locks, locked
from station.db.models import Assignment, Facility, Tag
from station.db.rows import plain_rows, slices, tuples
from station.domain.errors import StationError, give
from station.domain.states import TagStatus
from station.domain.text import plural
from station.domain.uid import next_to, on_no_order, prefix_of, serial_of
from station.services.context import Context
from station.services.records import audit
from station.services.tags import facilities, tally
from station.services.tags.assignment_details import Details, PackageDetails
from station.services.tags.facilities import FacilityView

# Tags read per step while looking for a contiguous run.
_PAGE = 1000
# Picks tried while other stations hold too many of the tags on hand.
_ATTEMPTS = 8


@dataclass
class AssignResult:
    batch_id: int  # the assignment's id, which people call its batch
    kind: str
    uids: list[str]
    contiguous: bool
    warnings: list[str]


def assign_next(
    ctx: Context, details: Details, count: int, license_number: str | None = None
) -> AssignResult:
    """Assign the next ``count`` received tags: the lowest contiguous run that is long enough,
    else the lowest ``count`` tags (Metrc's batch calls take a StartingTag and a Count)."""
    with ctx.db.atomic():
        facility, on_hand, picked, contiguous = _choose(
            ctx, details.kind, count, license_number, lock=True
        )
        assignment = _create(ctx, facility, details)
        if contiguous:
            first, last = picked[0][1], picked[-1][1]
            span = Tag.uid.between(first, last) & Tag.serial.between(
                serial_of(first), serial_of(last)
            )
            changed = _use(ctx, assignment, on_hand.where(span))
        else:
            changed = _use_ids(ctx, assignment, [tag_id for tag_id, _ in picked])
        _check_all_taken(changed, count)
        uids = [uid for _, uid in picked]
        _record(ctx, assignment, details, uids, contiguous)
        return AssignResult(assignment.id, assignment.kind, uids, contiguous, [])


def preview_next(
    ctx: Context, kind: str, count: int, license_number: str | None = None
) -> tuple[FacilityView, list[str], bool]:
    """The tags :func:`assign_next` would take now, without taking them (for a confirmation)."""
    facility, _, picked, contiguous = _choose(ctx, kind, count, license_number)
    return FacilityView.of(facility), [uid for _, uid in picked], contiguous


def _choose(
    ctx: Context, kind: str, count: int, license_number: str | None, lock: bool = False
) -> tuple[Facility, ModelSelect[Tag], list[tuple[int, str]], bool]:
    if count < 1:
        raise StationError(f"count must be at least 1, not {count}")
    facility = _facility_with_tags(ctx, kind, license_number)
    on_hand = _on_hand(facility, kind)
    for attempt in range(_ATTEMPTS):
        picked, contiguous = _take(on_hand, count, lock)
        if len(picked) == count:
            return facility, on_hand, picked, contiguous
        available = on_hand.count()
        if available < count:
            raise StationError(
                f"only {available:,} received {kind} tags are on hand at "
                f"{facility.license_number}; asked for {count:,}"
            )
        # Other stations hold the rest for a moment: their transactions are short, so wait a
        # little and look again (what they took no longer counts as on hand).
        time.sleep(0.02 * (attempt + 1))
    raise StationError(
        f"other stations are assigning {kind} tags at {facility.license_number} and too few "
        f"are free just now for {count:,}; try again"
    )


def assign_uids(
    ctx: Context, details: Details, uids: Sequence[str], license_number: str | None = None
) -> AssignResult:
    """Assign exactly the scanned ``uids`` (already normalized)."""
    wanted = sorted(set(uids))
    if not wanted:
        raise StationError("no UIDs to assign")
    warnings = []
    if len(wanted) < len(uids):
        warnings.append(f"{len(uids) - len(wanted)} repeated UIDs counted once")
    with ctx.db.atomic():
        tags: dict[str, Tag] = {}
        for chunk in slices(wanted):
            query = Tag.select(Tag, Facility).join(Facility).where(Tag.uid.in_(chunk))
            tags.update((tag.uid, tag) for tag in locked(query.order_by(Tag.uid), of=Tag))
        for uid in wanted:
            _check_assignable(uid, tags.get(uid), details.kind)
        facility = _one_facility(ctx, [tags[uid] for uid in wanted], license_number)
        assignment = _create(ctx, facility, details)
        changed = _use_ids(ctx, assignment, [tags[uid].id for uid in wanted])
        _check_all_taken(changed, len(wanted))
        ordered_uids = sorted(wanted)
        _record(ctx, assignment, details, ordered_uids, contiguous=False)
        return AssignResult(assignment.id, assignment.kind, ordered_uids, False, warnings)


def _facility_with_tags(ctx: Context, kind: str, license_number: str | None) -> Facility:
    if license_number is not None:
        return facilities.get_facility(ctx, license_number)
    holding = [f for f in Facility.select().order_by(Facility.id) if _on_hand(f, kind).exists()]
    if not holding:
        raise StationError(f"no received {kind} tags are on hand; receive some first")
    if len(holding) > 1:
        names = ", ".join(f.license_number for f in holding)
        raise StationError(
            give("license"),
            f" is required: received {kind} tags are on hand at {len(holding)} "
            f"facilities ({names})",
        )
    return holding[0]


def _on_hand(facility: Facility, kind: str) -> ModelSelect[Tag]:
    query: ModelSelect[Tag] = Tag.select(Tag.id, Tag.uid).where(
        (Tag.facility == facility.id) & (Tag.tag_type == kind) & (Tag.status == TagStatus.RECEIVED)
    )
    return query


def _take(on_hand: ModelSelect[Tag], count: int, lock: bool) -> tuple[list[tuple[int, str]], bool]:
    """Pick tags as :func:`_pick` does and, with ``lock``, lock exactly those; fewer than
    ``count`` when other stations hold too many of the rest.

    On PostgreSQL the first pick is read without locks and then locked with SKIP LOCKED,
    which takes exactly the chosen rows when no one else is assigning. If another station
    holds or has just used some of them, the pick is made again from pages locked as they are
    read, passing over rows another station holds: two stations never take one tag and
    neither waits for the other.
    """
    picked, contiguous = _pick(on_hand, count, lock_pages=False)
    if not lock or not has_row_locks() or len(picked) < count:
        return picked, contiguous
    ids = [tag_id for tag_id, _ in picked]
    got = 0
    for part in slices(ids):
        query = Tag.select(Tag.id).where(Tag.id.in_(part) & (Tag.status == TagStatus.RECEIVED))
        got += len(list(tuples(locked(query.order_by(Tag.uid), skip_locked=True))))
    if got == count:
        return picked, contiguous
    return _pick(on_hand, count, lock_pages=True)


def _pick(
    on_hand: ModelSelect[Tag], count: int, lock_pages: bool
) -> tuple[list[tuple[int, str]], bool]:
    """The lowest run of ``count`` consecutive tags, else the lowest ``count`` tags.

    Reads pages in UID order and stops at the first long-enough run, so the usual case (whole
    rolls on hand) reads just ``count`` rows. With ``lock_pages`` each page of ``count`` rows
    is locked as it is read, skipping rows other transactions hold.
    """
    lowest: list[tuple[int, str]] = []
    run: list[tuple[int, str]] = []
    page_size = count
    after = ""
    while True:
        page = on_hand.select(Tag.id, Tag.uid, Tag.serial)
        page = page.where(Tag.uid > after).order_by(Tag.uid).limit(page_size)
        rows = plain_rows(locked(page, skip_locked=True) if lock_pages else page)
        if not run and len(rows) >= count and _one_run(rows[:count]):
            return [(tag_id, uid) for tag_id, uid, _ in rows[:count]], True
        for tag_id, uid, _ in rows:
            if run and not next_to(run[-1][1], uid):
                run = []
            run.append((tag_id, uid))
            if len(lowest) < count:
                lowest.append((tag_id, uid))
            if len(run) == count:
                return run, True
        if len(rows) < page_size:
            return lowest, False
        after = rows[-1][1]
        if not lock_pages:
            # The first page is the whole answer when a roll is on hand; past it, read more
            # at a time (locked pages stay small: each row read is held until commit).
            page_size = max(count, min(page_size * 2, _PAGE))


def _one_run(rows: Sequence[tuple[int, str, int | None]]) -> bool:
    """Whether ``rows`` (distinct tags in UID order) are consecutive, read from the ends: the
    usual case, a whole roll on hand, without a step per tag. UIDs between two of one prefix
    share it, and only the ones with a decimal serial (stored, else NULL) can fill the gap."""
    (_, first_uid, first), (_, last_uid, last) = rows[0], rows[-1]
    return (
        first is not None
        and last is not None
        and last - first == len(rows) - 1
        and prefix_of(first_uid) == prefix_of(last_uid)
        and all(serial is not None for _, _, serial in rows)
    )


def _check_assignable(uid: str, tag: Tag | None, kind: str) -> None:
    if tag is None:
        raise StationError(on_no_order(uid, "only received tags can be assigned"))
    if tag.status == TagStatus.ORDERED:
        raise StationError(f"{uid} is ordered, not received; receive it before assigning it")
    if tag.status == TagStatus.USED:
        raise StationError(
            f"{uid} is used (assignment {tag.assignment_id}); a used tag is never reused"
        )
    if tag.status == TagStatus.VOIDED:
        raise StationError(f"{uid} is voided; a voided tag is never reused")
    if tag.tag_type != kind:
        raise StationError(f"{uid} is a {tag.tag_type} tag; this assignment needs {kind} tags")


def _one_facility(ctx: Context, tags: list[Tag], license_number: str | None) -> Facility:
    if license_number is not None:
        wanted = facilities.get_facility(ctx, license_number)
        for tag in tags:
            if tag.facility_id != wanted.id:
                raise StationError(
                    f"{tag.uid} belongs to facility {tag.facility.license_number}, "
                    f"not {wanted.license_number}"
                )
        return wanted
    owners = {tag.facility_id: tag.facility for tag in tags}
    if len(owners) > 1:
        names = ", ".join(sorted(f.license_number for f in owners.values()))
        raise StationError(
            f"the tags belong to {len(owners)} facilities ({names}); assign one facility's "
            "tags at a time"
        )
    facility: Facility = next(iter(owners.values()))
    return facility


def _create(ctx: Context, facility: Facility, details: Details) -> Assignment:
    assignment: Assignment = Assignment.create(
        facility=facility,
        kind=details.kind,
        created_at=ctx.now(),
        created_by=ctx.operator,
        **asdict(details),
    )
    return assignment


def _use(ctx: Context, assignment: Assignment, tags: ModelSelect[Tag]) -> int:
    ids = tags.select(Tag.id)
    changes = tally.moving(Tag.id.in_(ids), TagStatus.USED)
    changed: int = (
        Tag.update(status=TagStatus.USED, used_at=ctx.now(), assignment=assignment.id)
        .where(Tag.id.in_(ids))
        .execute()
    )
    tally.apply(changes)
    return changed


def _check_all_taken(changed: int, wanted: int) -> None:
    """Each tag was locked (or the file was) before it was read, so this holds; if it ever
    did not, raising here rolls the whole batch back rather than store part of it."""
    if changed != wanted:
        raise StationError(
            f"only {changed:,} of {wanted:,} tags could be taken; another station changed "
            "them at the same moment; nothing was assigned"
        )


def _use_ids(ctx: Context, assignment: Assignment, ids: list[int]) -> int:
    now = ctx.now()
    changed = 0
    changes: tally.Changes = Counter()
    for part in slices(ids):
        taken = Tag.id.in_(part) & (Tag.status == TagStatus.RECEIVED)
        changes.update(tally.moving(taken, TagStatus.USED))
        changed += (
            Tag.update(status=TagStatus.USED, used_at=now, assignment=assignment.id)
            .where(taken)
            .execute()
        )
    tally.apply(changes)
    return changed


def _record(
    ctx: Context, assignment: Assignment, details: Details, uids: list[str], contiguous: bool
) -> None:
    described = (
        f"{details.item}, {details.quantity} {details.unit}"
        if isinstance(details, PackageDetails)
        else details.strain
    )
    audit.record(
        ctx,
        f"assign.{details.kind}",
        f"assigned {plural(len(uids), details.kind + ' tag')} "
        f"to batch {assignment.id} ({described})",
        {
            "assignment_id": assignment.id,
            "license_number": assignment.facility.license_number,
            "contiguous": contiguous,
            **{key: value for key, value in asdict(details).items() if value is not None},
        },
        uids=uids,  # at hand: no query for them
        tag_count=len(uids),
    )
