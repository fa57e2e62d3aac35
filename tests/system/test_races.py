"""Races between station processes: parallel PIN guesses and approvals counted before they are
checked, parallel Retail ID generates reaching Metrc once."""

from __future__ import annotations

import json
import subprocess
import threading
import time
from pathlib import Path

import pytest

from devtools.fakes.metrc import FakeMetrc
from tests.cli.test_operators import ANN_PIN, actions
from tests.helpers.burst import burst, one_winner
from tests.helpers.station import LICENSE, PARENT, Station


def test_a_burst_of_parallel_guesses_checks_at_most_five(staffed: Station, tmp_path: Path) -> None:
    guesses = [["Ann", f"{10000000 + n}"] for n in range(24)]
    guesses.insert(12, ["Ann", ANN_PIN])  # the right PIN, in the middle of the burst
    said = burst(staffed.url, tmp_path, "sign-in", guesses)
    wrong = [s for s in said if s.get("refused", "").startswith("wrong PIN for Ann")]
    assert 1 <= len(wrong) <= 5, said
    refused = [s["refused"] for s in said if "refused" in s and s not in wrong]
    assert all("locked" in text for text in refused), refused
    assert [e["action"] for e in actions(staffed)].count("operator.locked") <= 1


def test_a_burst_of_parallel_wrong_approvals_checks_at_most_five(
    staffed: Station, tmp_path: Path
) -> None:
    guesses = [["Ann", "Sue", f"{10000000 + n}"] for n in range(24)]
    said = burst(staffed.url, tmp_path, "approve", guesses)
    wrong = [s for s in said if s.get("refused", "").startswith("approval refused")]
    assert len(wrong) == 5, said
    paused = [s for s in said if s not in wrong]
    assert all(s["refused"].startswith("approvals asked by Ann pause") for s in paused), said


def test_parallel_generates_of_one_package_reach_metrc_once(
    packaged: Station, metrc: FakeMetrc, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Metrc holds each generate until the other workers are done (or a second generate
    # arrives), so the four overlap however the machine schedules them. It is held before
    # the fake takes its lock, so the others' look-ups are answered meanwhile.
    real, release, arrived = metrc.answer, threading.Event(), []

    def held(
        method: str, path: str, query: dict[str, list[str]], auth: str, body: object
    ) -> tuple[int, object, dict[str, str]]:
        if (method, path) == ("POST", "/retailid/v2/generate"):
            arrived.append(1)
            release.wait(120)
        return real(method, path, query, auth, body)

    def until_the_others_are_done(processes: list[subprocess.Popen[str]]) -> None:
        deadline = time.monotonic() + 120
        while sum(p.poll() is not None for p in processes) < 3 and len(arrived) < 2:
            assert time.monotonic() < deadline
            time.sleep(0.01)
        release.set()

    monkeypatch.setattr(metrc, "answer", held)
    said = burst(
        packaged.url, tmp_path, "generate", [[PARENT, "10"]] * 4, until_the_others_are_done
    )
    units, refused = one_winner(said, "units")
    assert units == 10
    for text in refused:
        assert text.startswith(f"another generate for {PARENT} is under way (asked by "), said
    assert metrc.retail.generated == 1
    assert metrc.retail.allotments[LICENSE] == 990
    codes = json.loads(packaged.ok("retailid", "codes", PARENT, "--format", "json").out)
    assert [c["index"] for c in codes] == list(range(1, 11))
