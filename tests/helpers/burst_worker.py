"""One process of a burst (tests.helpers.burst): opens the station, says it is ready, waits
for the go file, then does one thing and prints what came of it as one JSON line.

sign-in URL READY_DIR GO_FILE NAME PIN
approve URL READY_DIR GO_FILE ASKER APPROVER PIN
print URL READY_DIR GO_FILE UID PRINTER             queue a job for one tag's label
print-units URL READY_DIR GO_FILE UID PRINTER       queue a job for a package's unit labels
generate URL READY_DIR GO_FILE UID QUANTITY         ask Metrc for Retail ID codes
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

from station.cli import hints
from station.db.connection import open_database
from station.domain.errors import StationError
from station.services.context import Context
from station.services.metrc import retail_ids
from station.services.people import operators
from station.services.printing.jobs import create_job
from station.services.printing.units import create_unit_job

DEADLINE_S = 120


def main(kind: str, url: str, ready: str, go: str, *rest: str) -> None:
    ctx = Context(open_database(url), operator=rest[0] if kind == "approve" else "racer")
    ctx.db.execute_sql("SELECT 1")  # type: ignore[no-untyped-call]
    Path(ready, str(os.getpid())).touch()
    deadline = time.monotonic() + DEADLINE_S
    while not Path(go).exists():
        if time.monotonic() > deadline:
            print(json.dumps({"gave_up": True}), flush=True)
            return
        time.sleep(0.001)
    try:
        if kind == "sign-in":
            operators.sign_in(ctx, rest[0], rest[1])
        elif kind == "approve":
            operators.approve(ctx, rest[1], rest[2])
        elif kind == "print":
            job = create_job(ctx, [rest[0]], rest[1])
            print(json.dumps({"job": job.id}), flush=True)
            return
        elif kind == "generate":
            made = retail_ids.for_package(
                ctx, rest[0], lambda client: retail_ids.generate(ctx, client, rest[0], int(rest[1]))
            )
            print(json.dumps({"units": made.issuance.units}), flush=True)
            return
        elif kind == "print-units":
            job = create_unit_job(ctx, rest[0], rest[1])
            print(json.dumps({"job": job.id}), flush=True)
            return
        print(json.dumps({"ok": True}), flush=True)
    except StationError as exc:
        print(json.dumps({"refused": hints.message(exc)}), flush=True)


if __name__ == "__main__":
    main(*sys.argv[1:])
