"""A facility with one roll of received package tags: the starting point of several benches."""

from __future__ import annotations

import datetime as dt

from station.domain.states import TagType
from station.domain.uid import UidRange, make_uid
from station.services.context import Context
from station.services.tags import facilities, orders, receipt
from station.services.tags.facilities import FacilityView


def received_roll(ctx: Context, tags: int) -> UidRange:
    """Add the bench facility and ``tags`` received package tags; their range."""
    facilities.add_facility(ctx, "C11-0000001-LIC", "Green Leaf Farms")
    facility = FacilityView.of(facilities.get_facility(ctx, "C11-0000001-LIC"))
    rng = UidRange.counted(make_uid("1A40603000329640", 1), tags)
    orders.add_order(
        ctx, orders.OrderDraft(facility, TagType.PACKAGE, dt.date(2026, 11, 20), None, [rng.run()])
    )
    receipt.receive_range(ctx, rng.first_uid, rng.last_uid, progress=False)
    return rng
