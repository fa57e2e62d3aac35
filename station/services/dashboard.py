"""Counts for the station's first screen: tags by facility, type and state."""

from __future__ import annotations

from dataclasses import dataclass

from peewee import fn

from station.db.models import Facility, Tag
from station.db.rows import tuples
from station.services.context import Context


@dataclass(frozen=True)
class CountRow:
    license_number: str
    facility_name: str
    type: str
    ordered: int
    received: int
    used: int
    voided: int


def tag_counts(ctx: Context) -> list[CountRow]:
    """One row per facility and tag type that has tags."""
    grid: dict[tuple[str, str, str], dict[str, int]] = {}
    query = (
        Tag.select(
            Facility.license_number, Facility.name, Tag.tag_type, Tag.status, fn.COUNT(Tag.id)
        )
        .join(Facility, on=(Tag.facility == Facility.id))
        .group_by(Facility.license_number, Facility.name, Tag.tag_type, Tag.status)
    )
    for license_number, name, tag_type, status, count in tuples(query):
        grid.setdefault((license_number, name, tag_type), {})[status] = count
    return [
        CountRow(
            lic,
            name,
            kind,
            c.get("ordered", 0),
            c.get("received", 0),
            c.get("used", 0),
            c.get("voided", 0),
        )
        for (lic, name, kind), c in sorted(grid.items())
    ]
