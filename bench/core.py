"""Core figures: a 100,000-tag order recorded, received and batch-assigned, and single-UID
lookups, on an SQLite file that holds 1,000,000 tags; and a 1,000,000-row import's time and
memory."""

from __future__ import annotations

import datetime as dt
import random
import resource
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

from bench.table import Table, peak_rss_mb, percentile, timed_call
from station.db.connection import open_database
from station.domain.states import TagType
from station.domain.uid import UidRange, make_uid
from station.services.context import Context
from station.services.tags import facilities, lookup, orders, receipt
from station.services.tags.assignment import assign_next
from station.services.tags.assignment_details import PackageDetails
from station.services.tags.facilities import FacilityView

BACKGROUND_ORDERS = 9
ORDER_SIZE = 100_000
LOOKUPS = 2_000


def _order(ctx: Context, facility: FacilityView, prefix: str) -> UidRange:
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


def _import_a_million(folder: Path) -> tuple[float, float]:
    """``station order import`` of a million tags, one to a row, in a process of its own:
    its wall time and its peak RSS."""
    source = folder / "million.csv"
    with source.open("w") as out:
        out.write("Tag\n")
        out.writelines(f"1A40603000AAAA00{serial:08d}\n" for serial in range(1, 1_000_001))
    url = f"sqlite:///{folder / 'import.db'}"
    station = [sys.executable, "-m", "station", "--db", url]
    subprocess.run([*station, "facility", "add", "C11-0000002-LIC", "Import"], check=True)
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.perf_counter()
    subprocess.run(
        [*station, "order", "import", str(source), "--license", "C11-0000002-LIC",
         "--type", "package", "--order-date", "2026-11-20"],
        check=True, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    # ru_maxrss of children is the largest of any child: the import is the largest here.
    return seconds, max(peak, before) / 1024


def run() -> Table:
    table = Table("core: SQLite file, 1,000,000 tags")
    with tempfile.TemporaryDirectory() as folder:
        ctx = Context(open_database(f"sqlite:///{Path(folder) / 'bench.db'}"), operator="bench")
        facilities.add_facility(ctx, "C11-0000001-LIC", "Bench Farms")
        facility = FacilityView.of(facilities.get_facility(ctx, "C11-0000001-LIC"))
        start = time.perf_counter()
        for index in range(BACKGROUND_ORDERS):
            rng = _order(ctx, facility, f"1A40603000{index:04d}00")
            if index % 2:
                receipt.receive_range(ctx, rng.first_uid, rng.last_uid)
        table.add(
            "fill: 900,000 tags in 9 orders (untimed target)",
            f"{time.perf_counter() - start:.1f} s",
        )
        timed_order, order_s = timed_call(lambda: _order(ctx, facility, "1A4060300FFFF000"))
        table.add("record a 100,000-tag order (to 1,000,000 tags)", f"{order_s:.3f} s", "<= 2 s")
        _, receive_s = timed_call(
            lambda: receipt.receive_range(ctx, timed_order.first_uid, timed_order.last_uid)
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
            lookup.get_tag(ctx, uid)
            samples.append((time.perf_counter() - begin) * 1000)
        table.add(
            f"single-UID lookup p50 / p99 ({LOOKUPS:,} random UIDs)",
            f"{percentile(samples, 0.5):.3f} / {percentile(samples, 0.99):.3f} ms",
            "p99 <= 2 ms",
        )
        table.add("peak memory (RSS of the bench process)", f"{peak_rss_mb():.0f} MB", "<= 300 MB")
        seconds, peak = _import_a_million(Path(folder))
        table.add("import a 1,000,000-row CSV (new process)", f"{seconds:.1f} s")
        table.add("... its peak memory", f"{peak:.0f} MB", "<= 150 MB")
        ctx.db.close()
    return table
