"""Several stations on one database: racing processes, a restarted server, a dropped
connection, and a station that dies holding a print job. Runs on both backends where the
backend allows it (``pytest --backend postgresql`` for the server tests)."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from typing import Any

import psycopg2
import pytest

from devtools.fakes.zebra import FakeZebra
from devtools.pg_server import PgServer
from station.db.postgres import ConnectionLost
from station.domain.states import TagType
from station.domain.uid import Run
from station.services.tags import facilities, orders, voiding
from station.services.tags.facilities import FacilityView
from station.services.tags.orders import OrderDraft
from tests.helpers.station import LICENSE, PACKAGE_PREFIX, Station, uid

POOL = 3000
RECEIVED_FIRST = 600
ASSIGNERS = 4
SINGLES = 250
BATCHES = 10
BATCH = 20


def _worker(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "tests.helpers.race_worker", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _lines(process: subprocess.Popen[str]) -> list[dict[str, Any]]:
    out, err = process.communicate(timeout=300)
    assert process.returncode == 0, err
    assert "Traceback" not in err, err
    return [json.loads(line) for line in out.splitlines()]


def test_four_assigners_a_receiver_and_a_voider_race(station: Station) -> None:
    station.ok("facility", "add", LICENSE, "Green Leaf Farms")
    station.ok(
        "order", "add", "--license", LICENSE, "--type", "package",
        "--first", uid(PACKAGE_PREFIX, 1), "--count", str(POOL), "--order-date", "2026-11-20",
    )  # fmt: skip
    station.ok("receive", uid(PACKAGE_PREFIX, 1), uid(PACKAGE_PREFIX, RECEIVED_FIRST))
    to_void = sorted(random.Random(6).sample(range(1, POOL + 1), 120))

    assigners = [
        _worker("assign", station.url, f"a{n}", str(SINGLES), str(BATCHES), str(BATCH))
        for n in range(ASSIGNERS)
    ]
    receiver = _worker("receive", station.url, str(RECEIVED_FIRST + 1), str(POOL), "100")
    voider = _worker("void", station.url, *map(str, to_void))
    # Refusals while the pool is empty or held are retried; only the assignments count here.
    assigned_lines = [
        [line for line in _lines(process) if "refused_and_retried" not in line]
        for process in assigners
    ]
    received_lines, voided_lines = _lines(receiver), _lines(voider)

    # Every assigner got all it asked for, and no tag went to two assignments.
    given: dict[int, list[str]] = {}
    for lines in assigned_lines:
        assert not [line for line in lines if "gave_up" in line]
        assert Counter(len(line["uids"]) for line in lines) == {1: SINGLES, BATCH: BATCHES}
        given.update((line["assignment"], line["uids"]) for line in lines)
    assert len(given) == ASSIGNERS * (SINGLES + BATCHES)
    all_given = [tag for uids in given.values() for tag in uids]
    assert len(all_given) == len(set(all_given)) == ASSIGNERS * (SINGLES + BATCHES * BATCH)

    # Voids of tags already used were refused; the rest happened.
    voided = {line["voided"] for line in voided_lines if "voided" in line}
    refused = [line for line in voided_lines if "refused" in line]
    assert all("is used" in line["refused"] for line in refused), refused
    assert len(voided) + len(refused) == len(to_void)
    assert not voided & set(all_given)

    # The database agrees with what the processes were told, and so does the audit trail.
    def uids_with(status: str) -> set[str]:
        rows = json.loads(station.ok("tags", "--status", status, "--format", "json").out)
        return {row["uid"] for row in rows}

    assert uids_with("used") == set(all_given)
    assert uids_with("voided") == voided
    assert uids_with("ordered") == set()
    assert len(uids_with("received")) == POOL - len(all_given) - len(voided)
    events = json.loads(station.ok("audit", "--format", "json").out)
    assigns = {
        event["details"]["assignment_id"]: event["uids"]
        for event in events
        if event["action"] == "assign.package"
    }
    assert {key: sorted(value) for key, value in assigns.items()} == {
        key: sorted(value) for key, value in given.items()
    }
    assert sum(event["action"] == "void" for event in events) == len(voided)
    received_events = [event for event in events if event["action"] == "receive"]
    assert sum(len(event["uids"]) for event in received_events) == RECEIVED_FIRST + sum(
        line.get("received", 0) for line in received_lines
    )
    # Six stations appended to one linear chain: every event follows the one before.
    verdict = json.loads(station.ok("audit", "verify", "--format", "json").out)
    assert verdict["intact"] and verdict["events"] == len(events), verdict
    assert [event["id"] for event in events] == list(range(1, len(events) + 1))


@pytest.mark.postgresql_only
def test_a_restarted_server_between_two_commands(received: Station, pg: PgServer) -> None:
    station = received
    station.ok("assign", "package", "--count", "5", "--item", "X", "--quantity", "1", "--unit", "g")
    held = station.context()  # a long-lived connection, as the terminal UI keeps one
    pg.restart()
    out = station.ok(
        "assign", "package", "--count", "5", "--item", "X", "--quantity", "1", "--unit", "g"
    ).out
    assert out.split()[-5:] == [uid(PACKAGE_PREFIX, n) for n in range(6, 11)]
    # The old connection is dead; its next operation (a write) connects again by itself.
    assert voiding.void(held, [uid(PACKAGE_PREFIX, 500)], "torn") == [uid(PACKAGE_PREFIX, 500)]
    pg.restart()
    assert len(orders.list_orders(held)) == 2
    assert station.ok("tag", uid(PACKAGE_PREFIX, 500)).out.count("voided") >= 1


def _kill_when_in_transaction(pg: PgServer, database: str, stop: threading.Event) -> None:
    """Cut the station's connection while it is inside a transaction."""
    with psycopg2.connect(pg.url("postgres")) as admin:
        admin.autocommit = True
        cursor = admin.cursor()
        while not stop.is_set():
            cursor.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = %s AND xact_start IS NOT NULL AND pid <> pg_backend_pid()",
                (database,),
            )
            if any(row[0] for row in cursor.fetchall()):
                return
            time.sleep(0.001)


@pytest.mark.postgresql_only
def test_a_connection_cut_mid_operation_changes_nothing(stocked: Station, pg: PgServer) -> None:
    station = stocked
    ctx = station.context()
    before = station.dump()
    database = station.url.rsplit("/", 1)[1]
    draft = OrderDraft(
        facility=FacilityView.of(facilities.get_facility(ctx, LICENSE)),
        tag_type=TagType.PACKAGE,
        order_date=ctx.today(),
        order_number=None,
        runs=[Run(uid(PACKAGE_PREFIX, 10_001), uid(PACKAGE_PREFIX, 60_000), 50_000)],
    )
    stop = threading.Event()
    killer = threading.Thread(target=_kill_when_in_transaction, args=(pg, database, stop))
    killer.start()
    try:
        with pytest.raises(ConnectionLost, match="nothing from this operation was saved"):
            orders.add_order(ctx, draft)
    finally:
        stop.set()
        killer.join()
    assert station.dump() == before
    # The same connection object carries on: the next operation reconnects.
    order, _ = orders.add_order(ctx, draft)
    assert sum(summary.total for summary in orders.list_orders(ctx, [order.id])) == 50_000


@pytest.fixture
def slow_zebra() -> Iterator[FakeZebra]:
    with FakeZebra() as fake:
        fake.seconds_per_label = 0.02
        yield fake


def test_a_killed_station_releases_its_job_to_another(
    received: Station, slow_zebra: FakeZebra, monkeypatch: pytest.MonkeyPatch
) -> None:
    station = received
    station.ok("printer", "add", "shelf", "--driver", "zpl", "--connection", slow_zebra.url)
    env = {**os.environ, "STATION_NAME": "bench-1", "STATION_JOB_LEASE": "3"}
    first = subprocess.Popen(
        [sys.executable, "-m", "station", "--db", station.url, "print",
         "--printer", "shelf", "--range", uid(PACKAGE_PREFIX, 1), uid(PACKAGE_PREFIX, 200)],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    deadline = time.monotonic() + 30
    while slow_zebra.labels_printed < 30:
        assert time.monotonic() < deadline and first.poll() is None, first.communicate()
        time.sleep(0.02)
    first.send_signal(signal.SIGKILL)
    first.wait()
    killed_at = time.monotonic()

    monkeypatch.setenv("STATION_NAME", "bench-2")  # the in-process commands below
    held = station("job", "resume", "1", "--uncertain", "reprint")
    if time.monotonic() - killed_at < 2.5:
        assert held.code == 1
        assert held.err.startswith("error: job 1 is being printed now by bench-1:")
    while time.monotonic() - killed_at < 3.5:
        time.sleep(0.1)
    station.ok("job", "resume", "1", "--uncertain", "reprint")
    printed = Counter(slow_zebra.uids())
    assert set(printed) == {uid(PACKAGE_PREFIX, n) for n in range(1, 201)}
    [summary] = json.loads(station.ok("jobs", "--format", "json").out)
    assert summary["status"] == "done" and summary["done"] == 200


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("soon", "STATION_JOB_LEASE must be a number of seconds, not 'soon'"),
        ("0", "STATION_JOB_LEASE must be 1 to 3600 seconds, not '0'"),
    ],
)
def test_a_bad_lease_setting_is_refused_before_a_job_exists(
    received: Station, monkeypatch: pytest.MonkeyPatch, value: str, expected: str
) -> None:
    monkeypatch.setenv("STATION_JOB_LEASE", value)
    assert received.refused("print", "--printer", "spool", uid(PACKAGE_PREFIX, 1)) == expected
