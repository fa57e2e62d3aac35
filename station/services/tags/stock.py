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
import math
from dataclasses import dataclass
from typing import Any

from station.db.models import Tag
from station.domain.states import TagStatus, TagType
from station.domain.text import plural
from station.services import state_rules
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
    # Tags to order now (see suggest), what they cost where the state's price is known, and
    # the price's source.
    suggested: int = 0
    cost: float | None = None
    price_source: str | None = None

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
            # Whole days: a tenth of a day at a 30-day rate is false precision.
            "days_left": None if days is None else round(days),
            "suggested_reorder": self.suggested,
            "reorder_cost": None if self.cost is None else round(self.cost, 2),
            "price_source": self.price_source,
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
        profile = state_rules.profile(ctx, facility.state)
        cap, price = profile.rule("holding_cap"), profile.rule("tag_price")
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
            on_hand, on_order = mine[TagStatus.RECEIVED], mine[TagStatus.ORDERED]
            used = int(Tag.select(Tag.id).where(used_lately).count())
            suggested = suggest(on_hand, on_order, used, ctx.settings.reorder_days)
            if cap is not None:
                # Missouri: no more than the cap less what is held and on order.
                room = getattr(cap.value, kind.value) - on_hand - on_order
                suggested = min(suggested, max(room, 0))
            rows.append(
                Stock(
                    facility.license_number,
                    facility.name,
                    kind,
                    on_hand,
                    on_order,
                    used,
                    suggested,
                    None if price is None else suggested * getattr(price.value, kind.value),
                    None if price is None else price.cited(),
                )
            )
    return rows


def suggest(on_hand: int, on_order: int, used_30_days: int, reorder_days: int) -> int:
    """Tags to order so that those on hand and on order last twice ``reorder_days`` at the
    last 30 days' rate (the station's own rule: reorder when fewer than ``reorder_days`` are
    left, and order enough not to be back at once); 0 when none were used."""
    if not used_30_days:
        return 0
    wanted = math.ceil(used_30_days / WINDOW.days * 2 * reorder_days)
    return max(wanted - on_hand - on_order, 0)


def running_low(ctx: Context) -> list[Stock]:
    """The facilities and types whose tags last fewer than ``STATION_REORDER_DAYS`` days."""
    return [row for row in stock(ctx) if row.runs_low(ctx.settings.reorder_days)]
