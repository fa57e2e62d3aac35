"""Filling in what an assignment batch lacks for Metrc (a plant batch, a location, a plant
batch's growth phase) until it has gone to Metrc: after that, Metrc holds the record and the
change belongs there."""

from __future__ import annotations

from station.db.models import Assignment, MetrcObject
from station.domain import fields
from station.domain.changes import Changes, described, differences
from station.domain.errors import StationError, give_one
from station.domain.states import MetrcObjectState, TagType
from station.services.context import Context
from station.services.records import audit
from station.services.tags.assignment_details import PLACE_LENGTH, parse_growth_phase


def set_batch(
    ctx: Context,
    batch_id: int,
    reason: str,
    plant_batch: str | None = None,
    location: str | None = None,
    phase: str | None = None,
) -> Changes:
    """Change what is given; returns each change as ``{"from": ..., "to": ...}``."""
    why = fields.required_text(reason, "reason", 500)
    wanted = {
        name: fields.required_text(value, name.replace("_", " "), PLACE_LENGTH)
        for name, value in (("plant_batch", plant_batch), ("location", location))
        if value is not None
    }
    if phase is not None:
        wanted["growth_phase"] = parse_growth_phase(phase) or fields.required_text(
            phase, "growth phase", PLACE_LENGTH
        )
    if not wanted:
        raise StationError(
            "nothing to change: ", give_one("plant-batch", "location", "phase", verb="give")
        )
    with ctx.db.atomic():
        batch: Assignment | None = Assignment.get_or_none(Assignment.id == batch_id)
        if batch is None:
            raise StationError(f"no batch {batch_id}")
        if "growth_phase" in wanted and batch.kind != TagType.PLANT:
            raise StationError(f"batch {batch.id} holds packages; only plants have a growth phase")
        sent = MetrcObject.select().where(
            (MetrcObject.assignment == batch.id)
            & MetrcObject.state.in_([MetrcObjectState.SENDING, MetrcObjectState.ACCEPTED])
        )
        if sent.exists():
            raise StationError(
                f"batch {batch.id} has gone to Metrc already; correct it in Metrc, where the "
                "record now is"
            )
        changed = differences(batch, wanted)
        if not changed:
            raise StationError(f"batch {batch.id} already says that; nothing to change")
        Assignment.update(**wanted).where(Assignment.id == batch.id).execute()
        audit.record(
            ctx,
            "batch.set",
            f"batch {batch.id}: {described(changed)}: {why}",
            {"assignment_id": batch.id, "reason": why, "changed": changed},
        )
    return changed
