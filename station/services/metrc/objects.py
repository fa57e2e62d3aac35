"""The Metrc objects the station's assignments stand for: what ``metrc push`` sends and what
``export`` writes. Built in one place so the two always agree."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from station.db.models import Assignment, Facility, Tag, TagReplacement
from station.db.rows import slices, tuples
from station.domain.text import listed
from station.domain.uid import runs
from station.metrc import shapes
from station.services.context import Context


@dataclass
class Outgoing:
    """One object for one API call: a package, or a run of plant tags."""

    assignment_id: int
    license_number: str
    endpoint: str
    key_uid: str  # its tag, or the first tag of its run
    count: int
    payload: dict[str, Any]
    uids: list[str]


@dataclass
class Skipped:
    assignment_id: int
    reason: str


@dataclass
class Built:
    objects: list[Outgoing]
    skipped: list[Skipped]


def build(
    ctx: Context, license_number: str | None = None, assignment_ids: Sequence[int] | None = None
) -> Built:
    query = Assignment.select(Assignment, Facility).join(Facility).order_by(Assignment.id)
    if license_number is not None:
        query = query.where(Facility.license_number == license_number)
    if assignment_ids is not None:
        query = query.where(Assignment.id.in_(list(assignment_ids)))
    assignments = list(query)
    tags = _original_tags([a.id for a in assignments])
    built = Built([], [])
    for assignment in assignments:
        uids = tags.get(assignment.id, [])
        if not uids:
            continue
        if assignment.kind == "plant":
            _plants(assignment, uids, built)
        else:
            _packages(assignment, uids, built)
    # After the plants they replace tags on, so one push can tag the plants and then re-tag.
    _replacements([a for a in assignments if a.kind == "plant"], built)
    return built


def _replacements(assignments: list[Assignment], built: Built) -> None:
    by_id = {assignment.id: assignment for assignment in assignments}
    old, new = Tag.alias(), Tag.alias()
    for chunk in slices(list(by_id)):
        query = (
            TagReplacement.select(
                TagReplacement.assignment, old.uid, new.uid, TagReplacement.replaced_on
            )
            .join(old, on=(TagReplacement.old_tag == old.id))
            .switch(TagReplacement)
            .join(new, on=(TagReplacement.new_tag == new.id))
            .where(TagReplacement.assignment.in_(chunk))
            .order_by(TagReplacement.id)
        )
        for assignment_id, old_uid, new_uid, day in tuples(query):
            built.objects.append(
                Outgoing(
                    assignment_id,
                    by_id[assignment_id].facility.license_number,
                    shapes.REPLACE_PLANT_TAG,
                    new_uid,
                    1,
                    shapes.replace_plant_tag(old_uid, new_uid, _as_date(day)),
                    [old_uid, new_uid],
                )
            )


def _as_date(value: dt.date | str) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


def _packages(assignment: Assignment, uids: list[str], built: Built) -> None:
    license_number = assignment.facility.license_number
    item, quantity, unit = assignment.item, assignment.quantity, assignment.unit
    packaged = assignment.packaged_date
    if item is None or quantity is None or unit is None or packaged is None:
        built.skipped.append(Skipped(assignment.id, "has no package details"))
        return
    if assignment.plant_batch is None:
        for uid in uids:
            payload = shapes.package_create(
                uid,
                item,
                quantity,
                unit,
                packaged,
                assignment.location,
                assignment.production_batch,
            )
            built.objects.append(
                Outgoing(assignment.id, license_number, shapes.PACKAGES, uid, 1, payload, [uid])
            )
        return
    count = quantity
    if count != count.to_integral_value() or count < 1:
        built.skipped.append(
            Skipped(assignment.id, f"a package of immature plants holds a whole count, not {count}")
        )
        return
    for uid in uids:
        payload = shapes.plant_batch_package(
            uid,
            assignment.plant_batch,
            int(count),
            item,
            packaged,
            assignment.location,
        )
        built.objects.append(
            Outgoing(
                assignment.id,
                license_number,
                shapes.PLANT_BATCH_PACKAGES,
                uid,
                1,
                payload,
                [uid],
            )
        )


def _plants(assignment: Assignment, uids: list[str], built: Built) -> None:
    batch, phase, location = assignment.plant_batch, assignment.growth_phase, assignment.location
    missing = []
    if not batch:
        missing.append("a plant batch")
    if phase not in shapes.TAGGED_PHASES:
        missing.append("a growth phase of Vegetative or Flowering")
    if not location:
        missing.append("a location")
    if missing or batch is None or phase is None:
        # Said for both front ends: the batch's correction (Ctrl+E on a tag's page, or
        # station batch) fills in each of them.
        built.skipped.append(
            Skipped(assignment.id, f"needs {listed(missing, False)} (correct the batch)")
        )
        return
    day = _local_date(assignment.created_at)
    for run in runs(uids):
        payload = shapes.growth_phase(batch, run.first_uid, run.count, phase, location, day)
        built.objects.append(
            Outgoing(
                assignment.id,
                assignment.facility.license_number,
                shapes.GROWTH_PHASE,
                run.first_uid,
                run.count,
                payload,
                list(run.uids()),
            )
        )


def _original_tags(assignment_ids: list[int]) -> dict[int, list[str]]:
    """The tags each assignment was made with, in UID order: a plant tag that replaced
    another later is not one of them (Metrc learns of it as a replacement)."""
    found: dict[int, list[str]] = {}
    replacements = TagReplacement.select(TagReplacement.new_tag)
    for chunk in slices(assignment_ids):
        query = (
            Tag.select(Tag.assignment, Tag.uid)
            .where(Tag.assignment.in_(chunk) & Tag.id.not_in(replacements))
            .order_by(Tag.assignment, Tag.uid)
        )
        for assignment_id, uid in tuples(query):
            found.setdefault(assignment_id, []).append(uid)
    return found


def _local_date(moment: dt.datetime) -> dt.date:
    return moment.replace(tzinfo=dt.UTC).astimezone().date()
