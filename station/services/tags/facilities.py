"""Facilities: a license number and the name printed on every label."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from peewee import fn

from station.db.models import Facility
from station.domain import fields
from station.domain.errors import StationError
from station.domain.text import show
from station.services import state_rules
from station.services.context import Context
from station.services.people import roles
from station.services.records import audit
from station.states import profiles


def normalize_license(license_number: str) -> str:
    return fields.required_text(license_number, "license number", 64).upper()


@dataclass(frozen=True)
class FacilityView:
    """A facility as the front ends see it."""

    id: int
    license_number: str
    name: str
    created_at: dt.datetime
    # The two-letter Metrc state whose rules apply (station.states).
    state: str

    @classmethod
    def of(cls, facility: Facility) -> FacilityView:
        return cls(
            facility.id,
            facility.license_number,
            facility.name,
            facility.created_at,
            facility.state,
        )


def add_facility(
    ctx: Context, license_number: str, name: str, state: str | None = None
) -> FacilityView:
    """Record a facility in ``state`` (its rules and Metrc host; ``METRC_STATE``, California
    by default, when not given)."""
    license_number = normalize_license(license_number)
    name = fields.required_text(name, "facility name", 200)
    state = profiles.check_code(state or ctx.settings.metrc_state)
    with ctx.db.atomic():
        if Facility.get_or_none(Facility.license_number == license_number) is not None:
            raise StationError(f"facility {license_number} is already on record")
        facility: Facility = Facility.create(
            license_number=license_number, name=name, created_at=ctx.now(), state=state
        )
        audit.record(
            ctx,
            "facility.add",
            f"added facility {license_number} {name} ({state})",
            {"license_number": license_number, "name": name, "state": state},
        )
    return FacilityView.of(facility)


def rename_facility(ctx: Context, license_number: str, name: str) -> tuple[FacilityView, str]:
    """Give the facility the name labels print from now on (a typo, a new trade name);
    returns it and its old name. Labels already printed keep what they carry."""
    name = fields.required_text(name, "facility name", 200)
    with ctx.db.atomic():
        roles.require_supervisor(ctx, "renaming a facility")
        facility = get_facility(ctx, license_number)
        old = facility.name
        if name == old:
            raise StationError(f"facility {facility.license_number} is already named {show(name)}")
        Facility.update(name=name).where(Facility.id == facility.id).execute()
        audit.record(
            ctx,
            "facility.rename",
            f"renamed facility {facility.license_number} from {old} to {name}",
            {"license_number": facility.license_number, "old_name": old, "name": name},
        )
        facility.name = name
    return FacilityView.of(facility), old


def set_state(ctx: Context, license_number: str, state: str) -> tuple[FacilityView, str]:
    """Put the facility in ``state`` (its rules and Metrc host from now on: a facility
    recorded before states existed became California's); returns it and its old state."""
    state = profiles.check_code(state)
    with ctx.db.atomic():
        roles.require_supervisor(ctx, "changing a facility's state")
        facility = get_facility(ctx, license_number)
        old = facility.state
        if state == old:
            raise StationError(f"facility {facility.license_number} is already in {state}")
        Facility.update(state=state).where(Facility.id == facility.id).execute()
        audit.record(
            ctx,
            "facility.state",
            f"moved facility {facility.license_number} from {old} to {state}'s rules",
            {"license_number": facility.license_number, "old_state": old, "state": state},
        )
        facility.state = state
    return FacilityView.of(facility), old


def records_kept(ctx: Context, state: str) -> str:
    """How long ``state`` keeps records, by its profile (the station itself deletes none)."""
    profile = state_rules.profile(ctx, state)
    rule = profile.rule("records_years")
    return rule.said() if rule is not None else f"not known for {profile.code}"


def list_facilities(ctx: Context) -> list[FacilityView]:
    return [FacilityView.of(row) for row in Facility.select().order_by(Facility.license_number)]


def get_facility(ctx: Context, license_number: str) -> Facility:
    """The facility's row, for the services that record against it (front ends get a
    ``FacilityView``)."""
    wanted = normalize_license(license_number)
    facility: Facility | None = Facility.get_or_none(fn.UPPER(Facility.license_number) == wanted)
    if facility is None:
        raise StationError(
            f"unknown facility {show(license_number)}: add it with "
            f"'station facility add {wanted} NAME'"
        )
    return facility
