"""Printing Retail ID unit labels through the job queue to a fake Zebra on 127.0.0.1: one
label per unit code, never twice without a reason, and a kill test of a 500-unit job."""

from __future__ import annotations

import json
import random
import re
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import zxingcpp
from PIL import Image

from devtools.fakes.metrc import FakeMetrc
from devtools.fakes.retail import unit_url
from devtools.fakes.zebra import FakeZebra
from station.services.printing import run_check
from tests.helpers import escpos_scan
from tests.helpers.burst import burst, one_winner
from tests.helpers.kill import kill_and_finish
from tests.helpers.station import CHILD, PACKAGE_PREFIX, PARENT, PLANT_PREFIX, Station, uid


@pytest.fixture
def zebra(packaged: Station) -> Iterator[FakeZebra]:
    with FakeZebra() as fake:
        packaged.ok("printer", "add", "shelf", "--driver", "zpl", "--connection", fake.url)
        yield fake


def verified(station: Station, zebra: FakeZebra, name: str = "shelf") -> None:
    """Put ``name`` through the run check as a supervisor would: a test run printed, the
    codes of the labels the printer made scanned back. Then the fake forgets that run."""
    ctx = station.context()
    try:
        expected = run_check.send_test_run(ctx, name)
        deadline = time.monotonic() + 30
        while len(zebra.qr_data()) < len(expected):
            assert time.monotonic() < deadline, "the test run never printed"
            time.sleep(0.01)
        assert run_check.record(ctx, name, expected, zebra.qr_data()).passed
    finally:
        ctx.db.close()
    zebra.raw.clear()
    zebra.printed.clear()


def _codes(station: Station, label: str = PARENT) -> list[dict[str, object]]:
    found: list[dict[str, object]] = json.loads(
        station.ok("retailid", "codes", label, "--format", "json").out
    )
    return found


def test_every_unit_prints_once_through_the_queue(packaged: Station, zebra: FakeZebra) -> None:
    verified(packaged, zebra)
    packaged.ok("retailid", "generate", PARENT, "--quantity", "60")
    result = packaged.ok("print", "--retail-id", PARENT, "--printer", "shelf")
    assert "job 1: 60 unit labels to shelf" in result.err
    assert "job 1 done: 60 labels printed" in result.err
    # The printer got the stored format, and the units as runs it serializes itself (^SF,
    # ^PQ): chunks of 25, cut where the unit number gains a digit (1-9, 10-25, 26-50, 51-60).
    # Each label it made carries its unit's URL and number.
    assert zebra.raw.count(b"^XF") == 0
    assert re.findall(rb"\^PQ(\d+)", zebra.raw) == [b"9", b"16", b"25", b"10"]
    assert zebra.qr_data() == [unit_url(PARENT, n) for n in range(1, 61)]
    assert all(f"^FD{n}^FS".encode() in label for n, label in enumerate(zebra.printed, 1))
    assert all(code["printed"] for code in _codes(packaged))
    shown = json.loads(packaged.ok("job", "show", "1", "--format", "json").out)
    assert [label["unit"] for label in shown["labels"]] == list(range(1, 61))
    assert shown["template"] == "retail-1x1-203"
    assert "UNIT" in packaged.ok("job", "show", "1").out.splitlines()[-61]
    [queued] = json.loads(packaged.ok("audit", "--action", "print.job", "--format", "json").out)
    assert queued["uids"] == [PARENT]
    assert queued["details"]["retail_id_units"] == [[1, 60]]
    # The package's own tag label is not a reprint because its units printed.
    packaged.ok("print", PARENT, "--printer", "shelf")


def test_a_unit_never_prints_twice_without_a_reason(packaged: Station, zebra: FakeZebra) -> None:
    packaged.ok("retailid", "generate", PARENT, "--quantity", "20")
    packaged.ok("print", "--retail-id", PARENT, "--index", "5", "9", "--printer", "shelf")
    assert zebra.qr_data() == [unit_url(PARENT, n) for n in range(5, 10)]
    for index, said in ((4, "not printed"), (5, "printed"), (9, "printed"), (10, "not printed")):
        found = packaged.ok("retailid", "lookup", unit_url(PARENT, index), "--offline").out
        assert f"issuance 1; {said}\n" in found
    assert [c["index"] for c in _codes(packaged) if c["printed"]] == [5, 6, 7, 8, 9]
    before = packaged.dump()
    said = packaged.refused("print", "--retail-id", PARENT, "--printer", "shelf")
    assert f"unit 5 of {PARENT} (and 4 more) already printed or being printed (job 1)" in said
    assert "--reprint --reason" in said
    assert packaged.dump() == before
    packaged.ok(
        "print", "--retail-id", PARENT, "--index", "7", "7", "--printer", "shelf",
        "--reprint", "--reason", "label smudged",
    )  # fmt: skip
    assert zebra.qr_data()[-1] == unit_url(PARENT, 7)
    [event] = json.loads(packaged.ok("audit", "--action", "print.reprint", "--format", "json").out)
    assert event["details"]["units"] == [7] and event["details"]["reason"] == "label smudged"
    # The rest print without a reason: they never printed.
    packaged.ok("print", "--retail-id", PARENT, "--index", "10", "20", "--printer", "shelf")
    assert sum(1 for c in _codes(packaged) if c["printed"]) == 16


def test_unit_print_refusals_change_nothing(
    packaged: Station, zebra: FakeZebra, metrc: FakeMetrc
) -> None:
    packaged.ok("retailid", "generate", PARENT, "--quantity", "10")
    before = packaged.dump()
    cases = [
        (("--retail-id", CHILD), "has no Retail ID codes recorded"),
        (("--retail-id", uid(PACKAGE_PREFIX, 3)), "not used on a package"),
        (("--retail-id", uid(PLANT_PREFIX, 1)), "is a plant tag"),
        (("--retail-id", PARENT, "--index", "0", "3"), "units 0 to 3 of"),
        (("--retail-id", PARENT, "--index", "9", "11"), "are not all issued; its codes are 1-10"),
        (("--retail-id", PARENT, "--index", "5", "2"), "the first is after the last"),
        (("--retail-id", PARENT, "--template", "uid-3x1-203"), "prints tag labels, not Retail"),
        ((PARENT, "--template", "retail-1x1-203"), "prints Retail ID unit labels"),
    ]
    for args, said in cases:
        assert said in packaged.refused("print", *args, "--printer", "shelf"), args
    for args in (
        ("--retail-id", PARENT, "--copies", "2"),
        ("--retail-id", PARENT, "--reverse"),
        (PARENT, "--index", "1", "2"),
        ("--retail-id", PARENT, "--index", "-1", "2"),
    ):
        assert packaged("print", *args, "--printer", "shelf").code == 2, args
    assert packaged.dump() == before
    assert zebra.raw == b""


def test_unit_labels_to_a_spool_folder_and_an_escpos_printer(packaged: Station) -> None:
    packaged.ok("retailid", "generate", PARENT, "--quantity", "3")
    folder = packaged.path.parent / "spool"
    packaged.ok("printer", "add", "files", "--driver", "zpl", "--connection", f"spool://{folder}")
    packaged.ok("print", "--retail-id", PARENT, "--printer", "files")
    # The spool keeps a PNG preview of each label, drawn from the same layout.
    pictures = sorted(folder.rglob("*.png"))
    # Each preview is named for its package and unit.
    assert sorted(p.name.split("-job1-")[1][:30] for p in pictures) == [
        f"{PARENT}-unit{n}" for n in (1, 2, 3)
    ]
    found = [r.text for p in pictures for r in zxingcpp.read_barcodes(Image.open(p))]
    assert sorted(u for u in found if u.startswith("HTTPS://")) == sorted(
        unit_url(PARENT, n) for n in (1, 2, 3)
    )
    out = packaged.path.parent / "receipt.bin"
    packaged.ok(
        "printer", "add", "till", "--driver", "escpos", "--connection", f"file://{out}",
        "--dpi", "203",
    )  # fmt: skip
    packaged.ok(
        "print", "--retail-id", PARENT, "--printer", "till", "--reprint", "--reason", "till copy"
    )
    symbols = escpos_scan.scan(out.read_bytes()).qr
    assert [s.data for s in symbols] == [unit_url(PARENT, n).encode() for n in (1, 2, 3)]
    assert {(s.model, s.size, s.level) for s in symbols} == {(50, 6, 49)}


# --- the kill test -------------------------------------------------------------------------

UNITS = 500
ROUNDS = 6


def test_kill_a_500_unit_job_at_random_moments(packaged: Station, metrc: FakeMetrc) -> None:
    """Each round prints a package's 500 units in a child process killed at a random moment,
    then resumes it (reprinting what is uncertain): every code printed at least once, and
    any code printed twice was flagged uncertain first."""
    chance = random.Random(20261128)
    metrc.retail.allotments["C11-0000001-LIC"] = UNITS * ROUNDS
    packaged.ok(
        "assign", "package", "--count", str(ROUNDS), "--item", "Pre-roll 1g", "--quantity",
        "1", "--unit", "Each",
    )  # fmt: skip
    killed = flagged = 0
    with FakeZebra() as zebra:
        zebra.seconds_per_label = 0.002
        packaged.ok("printer", "add", "shelf", "--driver", "zpl", "--connection", zebra.url)
        for round_ in range(ROUNDS):
            label = uid(PACKAGE_PREFIX, 3 + round_)
            metrc.add_package(label, "C11-0000001-LIC")
            packaged.ok("retailid", "generate", label, "--quantity", str(UNITS))
            start = len(zebra.printed)
            stopped, events = kill_and_finish(
                packaged,
                zebra,
                ["--retail-id", label, "--printer", "shelf"],
                round_ + 1,
                UNITS,
                chance,
                0.8,
            )
            killed += stopped

            printed = Counter(zebra.qr_data()[start:])
            wanted = {unit_url(label, n) for n in range(1, UNITS + 1)}
            assert set(printed) == wanted, f"round {round_}: a unit label was lost"
            uncertain = {
                unit_url(label, n)
                for event in events
                if event["action"] == "print.uncertain.reprint"
                for n in event["details"]["units"]
            }
            twice = {code for code, n in printed.items() if n > 1}
            assert twice <= uncertain, f"round {round_}: printed twice without warning: {twice}"
            flagged += bool(uncertain)
            assert all(c["printed"] for c in _codes(packaged, label))
    # The kills must land mid-job often enough to exercise the uncertain path.
    assert killed >= ROUNDS // 2 and flagged >= 1, (killed, flagged)


def test_a_unit_skipped_after_it_was_sent_counts_as_printed(
    packaged: Station, zebra: FakeZebra
) -> None:
    packaged.ok("retailid", "generate", PARENT, "--quantity", "3")
    packaged.ok("print", "--retail-id", PARENT, "--printer", "shelf")
    # As if unit 2 had been resolved "skip" while uncertain (it had been sent), and unit 3
    # skipped by a cancel before it was sent.
    packaged.execute(
        "UPDATE print_item SET state = 'skipped' WHERE unit = 2",
        "UPDATE print_item SET state = 'skipped', sent_at = NULL WHERE unit = 3",
    )
    assert [c["printed"] for c in _codes(packaged)] == [True, True, False]
    said = packaged.refused(
        "print", "--retail-id", PARENT, "--index", "2", "3", "--printer", "shelf"
    )
    assert f"unit 2 of {PARENT} already printed or being printed" in said
    packaged.ok("print", "--retail-id", PARENT, "--index", "3", "3", "--printer", "shelf")


def test_paper_out_inside_a_serialized_run_confirms_only_what_it_shows(
    packaged: Station, zebra: FakeZebra
) -> None:
    """Units 10-25 go as one format the printer serializes; paper runs out after its sixth
    label (unit 15). The batch's remaining count (10) shows units 10-14 printed; unit 15
    may have been under the head and units 16-25 were cancelled with the batch, so all of
    them are uncertain: reprinted on resume, and no unit printed twice unflagged."""
    verified(packaged, zebra)
    packaged.ok("retailid", "generate", PARENT, "--quantity", "60")
    zebra.labels_printed = 0
    zebra.fail_after = (15, "paper_out")
    result = packaged("print", "--retail-id", PARENT, "--printer", "shelf")
    assert result.code == 1 and "paper out" in result.err
    shown = json.loads(packaged.ok("job", "show", "1", "--format", "json").out)
    states = {label["unit"]: label["state"] for label in shown["labels"]}
    assert [n for n, state in states.items() if state == "done"] == list(range(1, 15))
    uncertain = [n for n, state in states.items() if state == "uncertain"]
    assert uncertain == list(range(15, 26))
    assert all(states[n] == "pending" for n in range(26, 61))
    zebra.mode = "ok"
    packaged.ok("job", "resume", "1", "--uncertain", "reprint")
    printed = Counter(zebra.qr_data())
    assert set(printed) == {unit_url(PARENT, n) for n in range(1, 61)}
    assert {url for url, times in printed.items() if times > 1} == {unit_url(PARENT, 15)}


def test_unit_runs_can_be_turned_off_for_a_printer_that_will_not_serialize(
    packaged: Station, zebra: FakeZebra, monkeypatch: pytest.MonkeyPatch
) -> None:
    packaged.ok("retailid", "generate", PARENT, "--quantity", "12")
    monkeypatch.setenv("STATION_UNIT_RUNS", "0")
    packaged.ok("print", "--retail-id", PARENT, "--printer", "shelf")
    # One stored-format recall a unit, nothing for the printer to serialize.
    assert zebra.raw.count(b"^XF") == 12 and b"^SF" not in zebra.raw and b"^PQ" not in zebra.raw
    assert zebra.qr_data() == [unit_url(PARENT, n) for n in range(1, 13)]
    monkeypatch.setenv("STATION_UNIT_RUNS", "maybe")
    assert "STATION_UNIT_RUNS" in packaged.refused("retailid", "codes", PARENT)


def test_parallel_prints_of_a_packages_units_queue_them_once(
    packaged: Station, zebra: FakeZebra, tmp_path: Path
) -> None:
    packaged.ok("retailid", "generate", PARENT, "--quantity", "10")
    said = burst(packaged.url, tmp_path, "print-units", [[PARENT, "shelf"]] * 6)
    job, refused = one_winner(said, "job")
    assert (
        refused
        == [
            f"unit 1 of {PARENT} (and 9 more) already printed or being printed (job {job}); "
            "to print again, give --reprint --reason TEXT"
        ]
        * 5
    )


def _verify_runs(station: Station, zebra: FakeZebra, scanned: Callable[[], list[str]]) -> str:
    """``station printer verify-runs shelf`` as a person runs it: once the printer has made
    the test run, the codes ``scanned`` gives are typed in, one a line. Its stderr."""
    process = subprocess.Popen(
        [sys.executable, "-m", "station", "--db", station.url, "printer", "verify-runs",
         "shelf"],
        stdin=subprocess.PIPE, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while len(zebra.printed) < run_check.DEFAULT_LABELS and process.poll() is None:
        assert time.monotonic() < deadline, "the test run never printed"
        time.sleep(0.01)
    _, err = process.communicate("".join(f"{code}\n" for code in scanned()), timeout=60)
    return err


def test_units_go_one_by_one_until_the_printer_passes_the_run_check(
    packaged: Station, zebra: FakeZebra
) -> None:
    packaged.ok("retailid", "generate", PARENT, "--quantity", "12")
    packaged.ok("print", "--retail-id", PARENT, "--printer", "shelf", "--index", "1", "6")
    # Not checked yet: one stored-format recall a unit, nothing left to the printer.
    assert zebra.raw.count(b"^XF") == 6 and b"^SF" not in zebra.raw and b"^PQ" not in zebra.raw
    zebra.raw.clear()
    zebra.printed.clear()
    err = _verify_runs(packaged, zebra, zebra.qr_data)
    assert err.splitlines()[-1] == "shelf passed: its Retail ID units now go as runs it serializes"
    zebra.raw.clear()
    zebra.printed.clear()
    packaged.ok("print", "--retail-id", PARENT, "--printer", "shelf", "--index", "7", "12")
    assert b"^PQ" in zebra.raw and zebra.raw.count(b"^XF") == 0
    assert zebra.qr_data() == [unit_url(PARENT, n) for n in range(7, 13)]
    [event] = [e for e in json.loads(packaged.ok("audit", "--format", "json").out)
               if e["action"] == "printer.verify_runs"]  # fmt: skip
    assert event["details"] == {"name": "shelf", "passed": True, "labels": 6, "problem": None}
    # Moved to another connection, the printer is unchecked again.
    packaged.ok(
        "printer", "set", "shelf", "--connection", zebra.url.replace("127.0.0.1", "localhost")
    )
    zebra.raw.clear()
    packaged.ok("retailid", "generate", PARENT, "--quantity", "2")
    packaged.ok("print", "--retail-id", PARENT, "--printer", "shelf", "--index", "13", "14")
    assert b"^PQ" not in zebra.raw and zebra.raw.count(b"^XF") == 2


def test_a_printer_that_ignores_sf_fails_the_run_check_and_keeps_one_label_a_time(
    packaged: Station, zebra: FakeZebra
) -> None:
    zebra.ignores_serial = True
    err = _verify_runs(packaged, zebra, zebra.qr_data)
    assert err.splitlines()[-1] == (
        "error: shelf failed the run check: two labels carry the same code: the printer does "
        "not step ^SF on a QR field; it keeps printing Retail ID units one label at a time"
    )
    assert len(set(zebra.qr_data())) == 1  # the same code on every label, as feared
    # Scans that end early, or a code that is not the run's, fail too.
    zebra.ignores_serial = False
    zebra.printed.clear()
    assert "5 of 6 labels were scanned" in _verify_runs(
        packaged, zebra, lambda: zebra.qr_data()[:5]
    )
    zebra.printed.clear()
    foreign = lambda: [*zebra.qr_data()[:5], unit_url(PARENT, 1)]  # noqa: E731
    assert "a code the run did not ask for" in _verify_runs(packaged, zebra, foreign)
    packaged.ok("retailid", "generate", PARENT, "--quantity", "4")
    zebra.raw.clear()
    packaged.ok("print", "--retail-id", PARENT, "--printer", "shelf")
    assert b"^PQ" not in zebra.raw and zebra.raw.count(b"^XF") == 4
    trail = json.loads(packaged.ok("audit", "--format", "json").out)
    events = [e["details"]["passed"] for e in trail if e["action"] == "printer.verify_runs"]
    assert events == [False, False, False]
