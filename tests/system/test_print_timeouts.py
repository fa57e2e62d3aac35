"""Print jobs against printers that stop answering (a pipe nobody reads, a serial line that
never drains, a silent printer) and parallel prints of one tag, each run out to its real
timeout or race."""

from __future__ import annotations

import fcntl
import json
import os
import subprocess
import sys
from pathlib import Path

from devtools.fakes.zebra import FakeZebra, SerialZebra
from tests.cli.test_print_jobs import FIRST, LAST
from tests.helpers.burst import burst, one_winner
from tests.helpers.station import PACKAGE_PREFIX, Station, uid


def test_a_silent_printer_pauses_the_job(received: Station, zebra: FakeZebra) -> None:
    zebra.mode = "silent"
    result = received("print", FIRST, "--printer", "shelf")
    assert result.code == 1 and "unknown, possibly faulted: no answer to ~HS" in result.err


def test_a_serial_write_timeout_pauses_the_job(received: Station) -> None:
    with SerialZebra(baud=115200) as fake:
        fake.stalled = True
        received.ok(
            "printer",
            "add",
            "bench",
            "--driver",
            "zpl",
            "--connection",
            fake.url.replace("baudrate=115200", "baudrate=115200&timeout=1"),
        )
        result = received("print", "--range", FIRST, LAST, "--printer", "bench")
        assert result.code == 1
        assert "stopped taking data" in result.err or "no answer to ~HS" in result.err


def test_parallel_prints_of_one_tag_queue_it_once(received: Station, tmp_path: Path) -> None:
    """Eight processes print the same tag at the same moment: one job claims its label, the
    others are refused naming that job, on both backends."""
    said = burst(received.url, tmp_path, "print", [[FIRST, "spool"]] * 8)
    job, refused = one_winner(said, "job")
    assert (
        refused
        == [
            f"{FIRST} already printed or being printed (job {job}); to print again, give "
            "--reprint --reason TEXT"
        ]
        * 7
    )
    queued = json.loads(received.ok("jobs", "--format", "json").out)
    assert [(one["id"], one["total"]) for one in queued] == [(job, 1)]


def test_a_pipe_nobody_reads_pauses_the_job_instead_of_hanging(
    received: Station, tmp_path: Path
) -> None:
    """``file://`` on a FIFO: with no reader the job pauses at once; with a reader that stops
    reading, it pauses once a write makes no progress for the transport's time. Run as its
    own process, so a hang fails the test instead of stopping the suite."""
    fifo = tmp_path / "printer.fifo"
    os.mkfifo(fifo, 0o600)
    received.ok("printer", "add", "pipe", "--driver", "zpl", "--connection", f"file://{fifo}")
    command = [sys.executable, "-m", "station", "--db", received.url, "print", "--range",
               FIRST, uid(PACKAGE_PREFIX, 500), "--printer", "pipe"]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 1
    error = done.stderr.splitlines()[-1]
    assert error.startswith("error: job 1 paused after 0 of 500 labels: nothing is reading ")
    [job] = json.loads(received.ok("jobs", "--format", "json").out)
    assert job["status"] == "paused" and job["done"] == 0 and job["uncertain"] == 0
    # A reader that takes nothing, on a pipe made small (Linux), so it fills at once.
    reader = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
    try:
        keeper = os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)
        fcntl.fcntl(keeper, 1031, 4096)  # F_SETPIPE_SZ
        os.close(keeper)
        done = subprocess.run(
            [sys.executable, "-m", "station", "--db", received.url, "job", "resume", "1"],
            capture_output=True, text=True, timeout=120, check=False,
        )  # fmt: skip
    finally:
        os.close(reader)
    assert done.returncode == 1
    assert "took no data for 5 s" in done.stderr.splitlines()[-1], done.stderr
    [job] = json.loads(received.ok("jobs", "--format", "json").out)
    assert job["status"] == "paused"
