"""The tag stock forecast: per facility and tag type, tags on hand, tags ordered and not yet
received, tags used in the last 30 days, and how many days the ones on hand last at that rate.

California's tags are printed for each facility, cannot be cancelled and ship by ground, so
a reorder placed when stock is already short stops packaging for days: the home screen warns
while there is still time (``STATION_REORDER_DAYS``).

Tags on hand and on order come from the tag tally, tags used lately from a partial index
(no scan of the whole tag table), so a million tags answer in milliseconds.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from station.db.models import Tag
from station.domain.states import TagStatus, TagType
from station.domain.text import plural
from station.services.context import Context
from station.services.tags import facilities, tally

WINDOW = dt.timedelta(days=30)


@dataclass(frozen=True)
class Stock:
    license_number: str
    facility_name: str
    type: str
    on_hand: int
    on_order: int
    used_30_days: int

    @property
    def days_left(self) -> float | None:
        """Days the tags on hand last at the last 30 days' rate; None when none were used."""
        if not self.used_30_days:
            return None
        return self.on_hand * WINDOW.days / self.used_30_days

    def runs_low(self, reorder_days: int) -> bool:
        days = self.days_left
        return days is not None and days < reorder_days

    def as_dict(self) -> dict[str, Any]:
        days = self.days_left
        return {
            "license_number": self.license_number,
            "facility": self.facility_name,
            "type": self.type,
            "on_hand": self.on_hand,
            "on_order": self.on_order,
            "used_30_days": self.used_30_days,
            "days_left": None if days is None else round(days, 1),
        }

    def warning(self) -> str:
        days = self.days_left or 0.0
        more = f"; {self.on_order:,} more ordered" if self.on_order else ""
        return (
            f"{self.license_number} {self.facility_name}: {self.type} tags last about "
            f"{plural(round(days), 'day')} at the last 30 days' rate ({self.on_hand:,} on "
            f"hand{more}): reorder"
        )


def stock(ctx: Context, license_number: str | None = None) -> list[Stock]:
    """One row per facility and tag type that has tags (or only ``license_number``'s)."""
    chosen = (
        [facilities.get_facility(ctx, license_number)]
        if license_number is not None
        else facilities.list_facilities(ctx)
    )
    since = ctx.now() - WINDOW
    counts = tally.by_facility()
    rows: list[Stock] = []
    for facility in chosen:
        for kind in TagType:
            mine = counts.get((facility.id, kind))
            if mine is None:
                continue
            used_lately = (
                (Tag.facility == facility.id)
                & (Tag.tag_type == kind)
                # The partial index on used_at holds used tags only.
                & Tag.used_at.is_null(False)
                & (Tag.used_at >= since)
            )
            rows.append(
                Stock(
                    facility.license_number,
                    facility.name,
                    kind,
                    mine[TagStatus.RECEIVED],
                    mine[TagStatus.ORDERED],
                    int(Tag.select(Tag.id).where(used_lately).count()),
                )
            )
    return rows


def running_low(ctx: Context) -> list[Stock]:
    """The facilities and types whose tags last fewer than ``STATION_REORDER_DAYS`` days."""
    return [row for row in stock(ctx) if row.runs_low(ctx.settings.reorder_days)]
