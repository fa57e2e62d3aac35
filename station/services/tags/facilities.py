"""Facilities: a license number and the name printed on every label."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from peewee import fn

from station.db.models import Facility
from station.domain import fields
from station.domain.errors import StationError
from station.domain.text import show
from station.services import state_rules
from station.services.context import Context
from station.services.people import roles


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
    state = state_rules.check_code(state or ctx.settings.metrc_state)
    with ctx.db.atomic():
        if Facility.get_or_none(Facility.license_number == license_number) is not None:
            raise StationError(f"facility {license_number} is already on record")
        facility: Facility = Facility.create(
            license_number=license_number, name=name, created_at=ctx.now(), state=state
        )
        from station.services.records import audit  # only when recording

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
    return _change(
        ctx,
        license_number,
        "name",
        name,
        "renaming a facility",
        "facility.rename",
        lambda lic, old: f"renamed facility {lic} from {old} to {name}",
        lambda lic: f"facility {lic} is already named {show(name)}",
    )


def set_state(ctx: Context, license_number: str, state: str) -> tuple[FacilityView, str]:
    """Put the facility in ``state`` (its rules and Metrc host from now on: a facility
    recorded before states existed became California's); returns it and its old state."""
    state = state_rules.check_code(state)
    return _change(
        ctx,
        license_number,
        "state",
        state,
        "changing a facility's state",
        "facility.state",
        lambda lic, old: f"moved facility {lic} from {old} to {state}'s rules",
        lambda lic: f"facility {lic} is already in {state}",
    )


def _change(
    ctx: Context,
    license_number: str,
    field: str,
    value: str,
    needs: str,
    action: str,
    summary: Callable[[str, str], str],
    already: Callable[[str], str],
) -> tuple[FacilityView, str]:
    """One field of a facility changed by a supervisor, audited with its old value; the
    facility and the old value."""
    with ctx.db.atomic():
        roles.require_supervisor(ctx, needs)
        facility = get_facility(ctx, license_number)
        lic, old = facility.license_number, getattr(facility, field)
        if value == old:
            raise StationError(already(lic))
        Facility.update({getattr(Facility, field): value}).where(
            Facility.id == facility.id
        ).execute()
        from station.services.records import audit  # only when recording

        audit.record(
            ctx,
            action,
            summary(lic, old),
            {"license_number": lic, f"old_{field}": old, field: value},
        )
        setattr(facility, field, value)
    return FacilityView.of(facility), old


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
