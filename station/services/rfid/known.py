"""What the station knows of the tags a set of reads names: one lookup per few hundred
UIDs, so 10,000 distinct EPCs cost a few dozen queries."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from peewee import JOIN

from station.db.models import Assignment, Facility, RfidPair, Tag
from station.db.rows import slices, tuples
from station.domain.errors import Hint, StationError
from station.services.context import Context
from station.services.tags import facilities


@dataclass(frozen=True)
class TagFacts:
    uid: str
    tag_id: int
    status: str
    facility_id: int
    license_number: str
    order_id: int
    location: str | None


def facility(ctx: Context, license_number: str | None, hint: Hint) -> Facility:
    """The facility named, or the station's only one; ``hint`` says what to give when it has
    several."""
    if license_number is not None:
        return facilities.get_facility(ctx, license_number)
    every = list(Facility.select().order_by(Facility.license_number).limit(2))
    if not every:
        raise StationError("no facility yet: add one first")
    if len(every) > 1:
        raise StationError(hint, " is required: the station has several facilities")
    only: Facility = every[0]
    return only


def pairs(ctx: Context, facility_id: int | None = None) -> dict[str, str]:
    """EPCs learned to be other UIDs, for one facility (or every facility's)."""
    query = RfidPair.select(RfidPair.epc, RfidPair.uid)
    if facility_id is not None:
        query = query.where(RfidPair.facility == facility_id)
    return {epc: uid for epc, uid in tuples(query)}


def tags(ctx: Context, uids: Iterable[str]) -> dict[str, TagFacts]:
    found: dict[str, TagFacts] = {}
    for chunk in slices(sorted(set(uids))):
        query = (
            Tag.select(
                Tag.uid,
                Tag.id,
                Tag.status,
                Tag.facility,
                Facility.license_number,
                Tag.order,
                Assignment.location,
            )
            .join(Facility, on=Tag.facility == Facility.id)
            .join_from(Tag, Assignment, JOIN.LEFT_OUTER, on=Tag.assignment == Assignment.id)
            .where(Tag.uid.in_(chunk))
        )
        for row in tuples(query):
            found[row[0]] = TagFacts(*row)
    return found


def room_key(room: str | None) -> str:
    """Rooms are compared as people type them: without case or the spaces around."""
    return (room or "").strip().casefold()


def same_room(location: str | None, room: str) -> bool:
    return room_key(location) == room_key(room)
