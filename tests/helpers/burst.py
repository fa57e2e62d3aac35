"""Many station processes doing one thing each at the same moment: each is started, opens
the database and says it is ready; once every one is, a go file lets them all go at once
(waiting on a condition, not on a guess of how long start-up takes)."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

START_S = 120


def burst(
    url: str,
    folder: Path,
    kind: str,
    lines: list[list[str]],
    during: Callable[[list[subprocess.Popen[str]]], None] | None = None,
) -> list[dict[str, Any]]:
    """Run ``tests.helpers.burst_worker KIND`` once a line, all at once; what each said.
    ``during`` runs once they are let go, before their answers are read (to release
    something a fake server holds until the others are done, say)."""
    ready, go = folder / f"ready-{kind}", folder / f"go-{kind}"
    ready.mkdir()
    worker = [sys.executable, "-m", "tests.helpers.burst_worker", kind, url]
    processes = [
        subprocess.Popen([*worker, str(ready), str(go), *line], stdout=subprocess.PIPE, text=True)
        for line in lines
    ]
    try:
        deadline = time.monotonic() + START_S
        while len(list(ready.iterdir())) < len(lines):
            assert time.monotonic() < deadline, "the workers never got ready"
            assert all(p.poll() is None for p in processes), "a worker died"
            time.sleep(0.01)
        go.touch()
        if during is not None:
            during(processes)
        return [json.loads(p.communicate(timeout=START_S)[0]) for p in processes]
    finally:
        for process in processes:
            process.kill()
            process.wait()


def one_winner(said: list[dict[str, Any]], key: str) -> tuple[Any, list[str]]:
    """What the one worker that won says under ``key`` (a job, say), and the others'
    refusals, sorted; fails unless exactly one won and every other was refused."""
    won = [answer[key] for answer in said if key in answer]
    assert len(won) == 1, said
    refused = sorted(answer["refused"] for answer in said if "refused" in answer)
    assert len(refused) == len(said) - 1, said
    return won[0], refused
