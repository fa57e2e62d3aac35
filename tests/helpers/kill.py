"""The kill tests' round: ``station print ...`` in its own process, SIGKILLed at a random
moment once its job exists, then resumed (reprinting what is uncertain) until done."""

from __future__ import annotations

import json
import random
import subprocess
import sys
import time
from typing import Any

from devtools.fakes.zebra import FakeZebra
from tests.helpers.station import Station


def kill_and_finish(
    station: Station,
    zebra: FakeZebra,
    print_args: list[str],
    job_id: int,
    labels: int,
    chance: random.Random,
    longest_pause: float,
) -> tuple[bool, list[dict[str, Any]]]:
    """Run the print, kill it after a pause of up to ``longest_pause`` seconds, finish job
    ``job_id`` of ``labels`` labels; whether the kill stopped it, and the job's audit."""
    command = [sys.executable, "-m", "station", "--db", station.url, "print", *print_args]
    child = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while _job_count(station) < job_id and child.poll() is None:
        assert time.monotonic() < deadline, "the job never appeared"
        time.sleep(0.005)
    time.sleep(chance.uniform(0, longest_pause))
    child.kill()
    killed = child.wait(timeout=30) != 0
    zebra.wait_idle()
    shown = json.loads(station.ok("job", "show", str(job_id), "--format", "json").out)
    if shown["status"] != "done":
        assert shown["status"] == "interrupted", shown["status"]
        station.ok("job", "resume", str(job_id), "--uncertain", "reprint")
        zebra.wait_idle()
    shown = json.loads(station.ok("job", "show", str(job_id), "--format", "json").out)
    assert shown["status"] == "done" and shown["done"] == labels
    events = [
        event
        for event in json.loads(station.ok("audit", "--format", "json").out)
        if event["details"].get("job_id") == job_id
    ]
    return killed, events


def _job_count(station: Station) -> int:
    return len(json.loads(station.ok("jobs", "--format", "json").out))
