"""Inventory counts in the services, both backends: several stations reading into one count
at once each add to it (one row per EPC, the times seen summed), and a count that is
finished takes no more reads, however the two race."""

from __future__ import annotations

import threading

from station.db.connection import open_database
from station.domain.reads import Read, ReadSet
from station.services import home
from station.services.context import Context
from station.services.records import backups
from station.services.rfid import counts
from tests.helpers.station import LICENSE, PACKAGE_PREFIX, Station, uid

STATIONS = 4


def reading(serials: range, times: int) -> ReadSet:
    found = ReadSet()
    for _ in range(times):
        found.extend(Read(uid(PACKAGE_PREFIX, n), 1_796_000_000.0, "t") for n in serials)
    return found


def test_stations_reading_into_one_count_at_once_each_add_to_it(received: Station) -> None:
    count = counts.start(received.context()).id
    # Each station reads tags 1-300 twice over, and 50 of its own once.
    own = [reading(range(301 + 50 * s, 351 + 50 * s), 1) for s in range(STATIONS)]
    passes = [reading(range(1, 301), 2), *own]
    ready = threading.Barrier(STATIONS)
    failures: list[BaseException] = []

    def station(number: int) -> None:
        ctx = Context(open_database(received.url), operator=f"station{number}")
        try:
            with ctx.bound():
                ready.wait(30)
                counts.add_reads(ctx, count, passes[0], f"station{number}")
                counts.add_reads(ctx, count, passes[1 + number], f"station{number}")
        except BaseException as exc:  # handed to the test's thread
            failures.append(exc)
        finally:
            ctx.db.close()

    threads = [threading.Thread(target=station, args=(n,)) for n in range(STATIONS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert failures == []
    found = counts.report(received.context(), count)
    assert len(found.seen) == 300 + 50 * STATIONS
    # Tags 1-300 were read twice by each of the four stations.
    times = {entry.uid: entry.reason for entry in found.seen}
    assert times[uid(PACKAGE_PREFIX, 1)] == f"read {2 * STATIONS} times"
    assert times[uid(PACKAGE_PREFIX, 301)] == "read 1 time"
    assert found.reads == 2 * STATIONS * 300 + 50 * STATIONS


def test_home_names_a_count_left_open(received: Station) -> None:
    ctx = received.context()
    count = counts.start(ctx, room="Vault A")
    status = backups.status(ctx)
    wanted = f"count {count.id} of Vault A at {LICENSE} is open since "
    assert any(line.startswith(wanted) for line in home.notices(ctx, status))
    counts.finish(ctx, count.id)
    assert not any(line.startswith("count ") for line in home.notices(ctx, status))
