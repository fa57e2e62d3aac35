"""Print jobs end to end: ``station print`` to a fake Zebra on 127.0.0.1 and a serial one on
a pseudo-terminal, faults that pause, resume, uncertain labels, reprints and cancel."""

from __future__ import annotations

import json
import logging
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest

from devtools.fakes.zebra import FakeZebra, SerialZebra
from devtools.ports import free_port
from tests.helpers.station import PACKAGE_PREFIX, PLANT_PREFIX, Station, uid

FIRST, LAST = uid(PACKAGE_PREFIX, 1), uid(PACKAGE_PREFIX, 60)
RANGE = [uid(PACKAGE_PREFIX, n) for n in range(1, 61)]


@pytest.fixture
def zebra(received: Station) -> Iterator[FakeZebra]:
    with FakeZebra() as fake:
        received.ok("printer", "add", "shelf", "--driver", "zpl", "--connection", fake.url)
        yield fake


def job(station: Station, job_id: int) -> dict[str, Any]:
    shown: dict[str, Any] = json.loads(
        station.ok("job", "show", str(job_id), "--format", "json").out
    )
    return shown


def test_print_a_range_to_a_zebra(received: Station, zebra: FakeZebra) -> None:
    result = received.ok("print", "--range", FIRST, LAST, "--printer", "shelf")
    assert "job 1 done: 60 labels printed" in result.err
    assert zebra.uids() == RANGE
    assert zebra.raw.count(b"^DF") == 1 and zebra.raw.count(b"^XF") == 60
    listed = json.loads(received.ok("jobs", "--format", "json").out)
    assert {k: listed[0][k] for k in ("id", "status", "printer", "total", "done", "uncertain")} == {
        "id": 1,
        "status": "done",
        "printer": "shelf",
        "total": 60,
        "done": 60,
        "uncertain": 0,
    }
    audit = json.loads(received.ok("audit", "--format", "json").out)
    sent = Counter(u for event in audit if event["action"] == "print.sent" for u in event["uids"])
    assert sent == Counter(RANGE)


def test_only_received_and_used_tags_print(stocked: Station) -> None:
    stocked.ok("receive", uid(PACKAGE_PREFIX, 1))
    stocked.ok("void", uid(PACKAGE_PREFIX, 2), "--reason", "torn")
    assert stocked.refused("print", uid(PACKAGE_PREFIX, 3), "--printer", "spool") == (
        f"{uid(PACKAGE_PREFIX, 3)} is ordered; only received and used tags get labels"
    )
    assert stocked.refused("print", uid(PACKAGE_PREFIX, 2), "--printer", "spool") == (
        f"{uid(PACKAGE_PREFIX, 2)} is voided; only received and used tags get labels"
    )
    assert "no printer named 'nope'" in stocked.refused(
        "print", uid(PACKAGE_PREFIX, 1), "--printer", "nope"
    )


def test_a_second_print_needs_reprint_with_a_reason(received: Station, zebra: FakeZebra) -> None:
    received.ok("print", FIRST, "--printer", "shelf")
    assert received.refused("print", FIRST, "--printer", "shelf") == (
        f"{FIRST} already printed or being printed (job 1); to print again, give --reprint "
        "--reason TEXT"
    )
    assert received("print", FIRST, "--printer", "shelf", "--reprint").code == 2
    received.ok("print", FIRST, "--printer", "shelf", "--reprint", "--reason", "label smudged")
    assert zebra.uids() == [FIRST, FIRST]
    audit = json.loads(received.ok("audit", "--uid", FIRST, "--format", "json").out)
    [reprint] = [event for event in audit if event["action"] == "print.reprint"]
    assert reprint["details"]["reason"] == "label smudged"


def test_copies_and_reverse_order(received: Station, zebra: FakeZebra) -> None:
    lot = uid(PLANT_PREFIX, 1)
    received.ok("print", lot, "--printer", "shelf", "--copies", "100")
    assert zebra.uids() == [lot] * 100
    received.ok(
        "print",
        "--range",
        uid(PACKAGE_PREFIX, 1),
        uid(PACKAGE_PREFIX, 3),
        "--printer",
        "shelf",
        "--reverse",
    )
    assert zebra.uids()[100:] == [uid(PACKAGE_PREFIX, n) for n in (3, 2, 1)]
    assert received("print", lot, "--printer", "shelf", "--copies", "101").code == 2


def test_print_an_order_and_an_assignment_batch(received: Station, zebra: FakeZebra) -> None:
    received.ok("assign", "plant", "--count", "4", "--strain", "OG Kush")
    received.ok("print", "--batch", "1", "--printer", "shelf")
    assert zebra.uids() == [uid(PLANT_PREFIX, n) for n in range(1, 5)]
    received.ok("print", "--order", "2", "--printer", "shelf", "--reprint", "--reason", "all")
    assert len(zebra.uids()) == 4 + 100


@pytest.mark.parametrize(
    ("mode", "reason"),
    [
        ("paper_out", "paper out"),
        ("head_open", "head open"),
        ("paused", "paused"),
        ("ribbon_out", "ribbon out"),
    ],
)
def test_a_faulted_printer_pauses_the_job_before_anything_is_sent(
    received: Station, zebra: FakeZebra, mode: str, reason: str
) -> None:
    zebra.mode = mode
    result = received("print", "--range", FIRST, LAST, "--printer", "shelf")
    assert result.code == 1
    assert result.err.endswith(
        f"error: job 1 paused after 0 of 60 labels: not ready: {reason}; fix the printer, "
        "then: station job resume 1\n"
    )
    assert job(received, 1)["status"] == "paused" and job(received, 1)["pending"] == 60
    zebra.mode = "ok"
    assert "job 1 done: 60 labels printed" in received.ok("job", "resume", "1").err
    assert zebra.uids() == RANGE


def test_a_fault_mid_job_leaves_uncertain_labels_for_the_operator(
    received: Station, zebra: FakeZebra
) -> None:
    zebra.fail_after = (30, "head_open")
    result = received("print", "--range", FIRST, LAST, "--printer", "shelf")
    assert result.code == 1 and "paused after" in result.err and "head open" in result.err
    shown = job(received, 1)
    uncertain = [item["uid"] for item in shown["labels"] if item["state"] == "uncertain"]
    assert uncertain and shown["status"] == "paused"
    assert zebra.cancels == 1  # what the printer still held was cancelled (~JA)

    zebra.mode = "ok"
    listing = received("job", "resume", "1")
    assert listing.code == 1 and listing.out.split() == uncertain
    assert "resume with --uncertain reprint or --uncertain skip" in listing.err
    received.ok("job", "resume", "1", "--uncertain", "reprint")
    printed = Counter(zebra.uids())
    assert set(printed) == set(RANGE), "every label printed at least once"
    assert {u for u, n in printed.items() if n > 1} <= set(uncertain)
    actions = [e["action"] for e in json.loads(received.ok("audit", "--format", "json").out)]
    assert "print.paused" in actions and "print.uncertain.reprint" in actions


def test_skipping_uncertain_labels(received: Station, zebra: FakeZebra) -> None:
    zebra.fail_after = (10, "paper_out")
    assert received("print", "--range", FIRST, LAST, "--printer", "shelf").code == 1
    zebra.mode = "ok"
    uncertain = [item["uid"] for item in job(received, 1)["labels"] if item["state"] == "uncertain"]
    received.ok("job", "resume", "1", "--uncertain", "skip")
    shown = job(received, 1)
    assert shown["status"] == "done" and shown["skipped"] > 0
    assert shown["done"] + shown["skipped"] == 60
    # Skipped as printed: another label for such a tag is a reprint, with its reason.
    message = received.refused("print", uncertain[0], "--printer", "shelf")
    assert message.startswith(f"{uncertain[0]} already printed or being printed (job 1)")
    received.ok("print", uncertain[0], "--printer", "shelf", "--reprint", "--reason", "smudged")


def test_labels_a_cancel_skipped_are_not_counted_as_printed(
    received: Station, zebra: FakeZebra
) -> None:
    zebra.fail_after = (10, "paper_out")
    assert received("print", "--range", FIRST, LAST, "--printer", "shelf").code == 1
    received.ok("job", "cancel", "1")
    never_sent = [item["uid"] for item in job(received, 1)["labels"] if item["state"] == "skipped"]
    assert never_sent
    zebra.mode = "ok"
    received.ok("print", never_sent[-1], "--printer", "shelf")


def test_a_dropped_connection_pauses_and_resume_finishes(
    received: Station, zebra: FakeZebra
) -> None:
    zebra.drop_after = 20
    result = received("print", "--range", FIRST, LAST, "--printer", "shelf")
    assert result.code == 1
    assert "dropped the connection" in result.err or "closed the connection" in result.err
    received.ok("job", "resume", "1", "--uncertain", "reprint")
    printed = Counter(zebra.uids())
    assert set(printed) == set(RANGE)


def test_a_refused_connection_pauses_the_job(received: Station) -> None:
    port = free_port()
    received.ok(
        "printer", "add", "gone", "--driver", "zpl", "--connection", f"tcp://127.0.0.1:{port}"
    )
    result = received("print", FIRST, "--printer", "gone")
    assert result.code == 1 and "refused the connection" in result.err
    assert job(received, 1)["pending"] == 1


def test_cancel_clears_the_printer_and_stops_the_job(received: Station, zebra: FakeZebra) -> None:
    zebra.fail_after = (5, "paper_out")
    received("print", "--range", FIRST, LAST, "--printer", "shelf")
    zebra.mode = "ok"
    cancels = zebra.cancels
    assert received.ok("job", "cancel", "1").err == "cancelled job 1\n"
    deadline = time.monotonic() + 5
    while zebra.cancels == cancels and time.monotonic() < deadline:
        time.sleep(0.01)
    assert zebra.cancels == cancels + 1
    shown = job(received, 1)
    assert shown["status"] == "cancelled" and shown["pending"] == 0
    assert received.refused("job", "resume", "1") == "job 1 is cancelled; nothing to resume"
    assert received.refused("job", "cancel", "1") == "job 1 is already cancelled"
    assert received.refused("job", "show", "9") == "no print job 9"


def test_serial_printer_over_a_pseudo_terminal(received: Station) -> None:
    with SerialZebra(baud=115200) as fake:
        received.ok("printer", "add", "bench", "--driver", "zpl", "--connection", fake.url)
        received.ok("print", "--range", FIRST, uid(PACKAGE_PREFIX, 30), "--printer", "bench")
        assert fake.uids() == RANGE[:30]


def test_escpos_job_over_a_pseudo_terminal(received: Station) -> None:
    from devtools.fakes.escpos import FakeEscpos
    from tests.helpers.escpos_scan import scan

    with FakeEscpos() as fake:
        received.ok(
            "printer",
            "add",
            "till",
            "--driver",
            "escpos",
            "--connection",
            fake.url,
            "--template",
            "escpos-80mm",
        )
        received.ok("print", "--range", FIRST, uid(PACKAGE_PREFIX, 5), "--printer", "till")
        deadline = time.monotonic() + 5
        while len(scan(bytes(fake.received)).barcodes) < 5 and time.monotonic() < deadline:
            time.sleep(0.02)
        assert len(scan(bytes(fake.received)).barcodes) == 5
        fake.mode = "cover_open"
        result = received("print", uid(PACKAGE_PREFIX, 6), "--printer", "till")
        assert result.code == 1 and "not ready: cover open" in result.err
        fake.mode = "ok"
        received.ok("job", "resume", "2")


def test_an_operator_pause_leaves_nothing_uncertain(received: Station, zebra: FakeZebra) -> None:
    import subprocess
    import sys

    zebra.seconds_per_label = 0.01
    printing = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "station",
            "--db",
            received.url,
            "print",
            "--range",
            FIRST,
            LAST,
            "--printer",
            "shelf",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 20
    while len(zebra.printed) < 5:
        assert time.monotonic() < deadline
        time.sleep(0.01)
    received.ok("job", "pause", "1")
    _, err = printing.communicate(timeout=30)
    assert printing.returncode == 1 and "paused by the operator" in err
    shown = job(received, 1)
    assert shown["status"] == "paused" and shown["uncertain"] == 0 and shown["pending"] > 0
    assert received.refused("job", "pause", "1") == "job 1 is not printing (it is paused)"
    received.ok("job", "resume", "1")
    assert zebra.uids() == RANGE  # each label exactly once


def test_a_job_whose_station_died_before_printing_it_is_interrupted(received: Station) -> None:
    """Killed between storing the job and claiming it: not "queued" for ever."""
    script = (
        "import sys\n"
        "from station.db.connection import open_database\n"
        "from station.services import printing\n"
        "from station.services.context import Context\n"
        "ctx = Context(open_database(sys.argv[1]), operator='tester')\n"
        "printing.create_job(ctx, sys.argv[2:], 'spool')\n"
    )
    uids = [uid(PACKAGE_PREFIX, n) for n in (1, 2, 3)]
    subprocess.run([sys.executable, "-c", script, received.url, *uids], check=True)
    [job] = json.loads(received.ok("jobs", "--format", "json").out)
    assert (job["status"], job["done"], job["pending"]) == ("interrupted", 0, 3)
    received.ok("job", "resume", str(job["id"]))
    [job] = json.loads(received.ok("jobs", "--format", "json").out)
    assert (job["status"], job["done"]) == ("done", 3)


def test_a_job_its_station_is_about_to_print_is_not_taken(received: Station) -> None:
    from station.services import printing

    job = printing.create_job(received.context(), [uid(PACKAGE_PREFIX, 1)], "spool")
    [shown] = json.loads(received.ok("jobs", "--format", "json").out)
    assert shown["status"] == "queued"
    assert f"job {job.id} is queued by " in received.refused("job", "resume", str(job.id))


def test_printing_runs_a_few_queries_a_chunk_never_one_a_label(
    received: Station, caplog: pytest.LogCaptureFixture
) -> None:
    """Counted from peewee's own log of every statement it runs: jobs of 50, 100 and 200
    labels (2, 4 and 8 chunks of 25) cost the same few statements per chunk."""
    caplog.set_level(logging.DEBUG, logger="peewee")
    statements = {}
    first = 1
    for labels in (50, 100, 200):
        caplog.clear()
        last = first + labels - 1
        received.ok(
            "print", "--range", uid(PACKAGE_PREFIX, first), uid(PACKAGE_PREFIX, last),
            "--printer", "spool",
        )  # fmt: skip
        statements[labels] = sum(record.name == "peewee" for record in caplog.records)
        first = last + 1
    per_chunk = (statements[100] - statements[50]) / 2
    assert statements[200] - statements[100] == 4 * per_chunk  # linear in chunks
    # At most 11: the audit chain's head read, and on PostgreSQL its lock, are in each
    # chunk's event.
    assert per_chunk <= 11
    assert statements[200] - statements[100] < 100 / 2  # 100 more labels: far fewer statements
