"""Facilities: a license number and the name printed on every label."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from peewee import fn

from station.db.models import Facility
from station.domain import fields
from station.domain.errors import StationError
from station.domain.text import show
from station.services.context import Context
from station.services.people import roles
from station.services.records import audit


def normalize_license(license_number: str) -> str:
    return fields.required_text(license_number, "license number", 64).upper()


@dataclass(frozen=True)
class FacilityView:
    """A facility as the front ends see it."""

    id: int
    license_number: str
    name: str
    created_at: dt.datetime

    @classmethod
    def of(cls, facility: Facility) -> FacilityView:
        return cls(facility.id, facility.license_number, facility.name, facility.created_at)


def add_facility(ctx: Context, license_number: str, name: str) -> FacilityView:
    license_number = normalize_license(license_number)
    name = fields.required_text(name, "facility name", 200)
    with ctx.db.atomic():
        if Facility.get_or_none(Facility.license_number == license_number) is not None:
            raise StationError(f"facility {license_number} is already on record")
        facility: Facility = Facility.create(
            license_number=license_number, name=name, created_at=ctx.now()
        )
        audit.record(
            ctx,
            "facility.add",
            f"added facility {license_number} {name}",
            {"license_number": license_number, "name": name},
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
