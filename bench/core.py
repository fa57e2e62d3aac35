"""Core figures: a 100,000-tag order recorded, received and batch-assigned, and single-UID
lookups, on an SQLite file that holds 1,000,000 tags."""

from __future__ import annotations

import datetime as dt
import random
import tempfile
import time
from decimal import Decimal
from pathlib import Path

from bench.table import Table, peak_rss_mb, percentile, timed_call
from station.db.connection import open_database
from station.db.models import Facility
from station.domain.states import TagType
from station.domain.uid import UidRange, make_uid
from station.services import facilities, orders, receiving, tags
from station.services.assignment import assign_next
from station.services.context import Context
from station.services.details import PackageDetails

BACKGROUND_ORDERS = 9
ORDER_SIZE = 100_000
LOOKUPS = 2_000


def _order(ctx: Context, facility: Facility, prefix: str) -> UidRange:
    rng = UidRange.counted(make_uid(prefix, 1), ORDER_SIZE)
    draft = orders.OrderDraft(
        facility=facility,
        tag_type=TagType.PACKAGE,
        order_date=dt.date(2026, 11, 20),
        order_number=None,
        runs=[rng.run()],
    )
    orders.add_order(ctx, draft)
    return rng


def run() -> Table:
    table = Table("core: SQLite file, 1,000,000 tags")
    with tempfile.TemporaryDirectory() as folder:
        ctx = Context(open_database(f"sqlite:///{Path(folder) / 'bench.db'}"), operator="bench")
        facility = facilities.add_facility(ctx, "C11-0000001-LIC", "Bench Farms")
        start = time.perf_counter()
        for index in range(BACKGROUND_ORDERS):
            rng = _order(ctx, facility, f"1A40603000{index:04d}00")
            if index % 2:
                receiving.receive_range(ctx, rng.first_uid, rng.last_uid)
        table.add(
            "fill: 900,000 tags in 9 orders (untimed target)",
            f"{time.perf_counter() - start:.1f} s",
        )
        timed_order, order_s = timed_call(lambda: _order(ctx, facility, "1A4060300FFFF000"))
        table.add("record a 100,000-tag order (to 1,000,000 tags)", f"{order_s:.3f} s", "<= 2 s")
        _, receive_s = timed_call(
            lambda: receiving.receive_range(ctx, timed_order.first_uid, timed_order.last_uid)
        )
        table.add("receive the 100,000-tag order", f"{receive_s:.3f} s", "<= 2 s")
        details = PackageDetails("Flower", Decimal(1), "Grams", None, dt.date(2026, 11, 25))
        _, assign_s = timed_call(lambda: assign_next(ctx, details, 10_000))
        table.add("batch-assign 10,000 tags", f"{assign_s:.3f} s", "<= 0.5 s")

        rng_random = random.Random(7)
        prefixes = [f"1A40603000{i:04d}00" for i in range(BACKGROUND_ORDERS)]
        prefixes.append("1A4060300FFFF000")
        samples = []
        for _ in range(LOOKUPS):
            uid = make_uid(rng_random.choice(prefixes), rng_random.randint(1, ORDER_SIZE))
            begin = time.perf_counter()
            tags.get_tag(ctx, uid)
            samples.append((time.perf_counter() - begin) * 1000)
        table.add(
            f"single-UID lookup p50 / p99 ({LOOKUPS:,} random UIDs)",
            f"{percentile(samples, 0.5):.3f} / {percentile(samples, 0.99):.3f} ms",
            "p99 <= 2 ms",
        )
        table.add("peak memory (RSS of the bench process)", f"{peak_rss_mb():.0f} MB", "<= 300 MB")
        ctx.db.close()
    return table
