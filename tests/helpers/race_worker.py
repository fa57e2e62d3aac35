"""One station process in the race test; prints one JSON line per thing it did.

assign URL NAME SINGLES BATCHES BATCH_SIZE   single-tag and batch assignments, mixed,
                                             each retried until the pool can give it
receive URL FIRST_SERIAL LAST_SERIAL STEP    receive a package range in steps
void URL SERIAL...                           void single tags (a used one is refused)
"""

from __future__ import annotations

import json
import sys
import time
from decimal import Decimal

from station.db.connection import open_database
from station.domain.errors import StationError
from station.services.context import Context
from station.services.tags.assignment import assign_next
from station.services.tags.assignment_details import PackageDetails
from station.services.tags.receipt import receive_range
from station.services.tags.voiding import void

PREFIX = "1A4060300002EE10"
DEADLINE_S = 120


def _uid(serial: int) -> str:
    return f"{PREFIX}{serial:08d}"


def _say(**fields: object) -> None:
    print(json.dumps(fields), flush=True)


def assign(ctx: Context, singles: int, batches: int, size: int) -> None:
    details = PackageDetails("Flower", Decimal(1), "Grams", None, ctx.today())
    # Spread the batches among the singles so both kinds race with everything else.
    plan = [1] * singles
    step = max(1, singles // max(batches, 1))
    for n in range(batches):
        plan.insert(min(len(plan), (n + 1) * step + n), size)
    deadline = time.monotonic() + DEADLINE_S
    refused = 0
    for count in plan:
        while True:
            try:
                result = assign_next(ctx, details, count)
            except StationError as exc:
                # The pool is empty until the receiver catches up, or others hold it.
                refused += 1
                if time.monotonic() > deadline:
                    _say(gave_up=str(exc))
                    return
                time.sleep(0.01)
                continue
            _say(assignment=result.batch_id, uids=result.uids, contiguous=result.contiguous)
            break
    if refused:
        _say(refused_and_retried=refused)


def receive(ctx: Context, first: int, last: int, step: int) -> None:
    for start in range(first, last + 1, step):
        end = min(last, start + step - 1)
        try:
            result = receive_range(ctx, _uid(start), _uid(end), progress=False)
        except StationError as exc:
            _say(refused=str(exc))
            continue
        _say(received=result.received, first=start, last=end)
        time.sleep(0.02)


def void_each(ctx: Context, serials: list[int]) -> None:
    for serial in serials:
        try:
            void(ctx, [_uid(serial)], "damaged in the race test")
        except StationError as exc:
            _say(refused=str(exc), uid=_uid(serial))
            continue
        _say(voided=_uid(serial))
        time.sleep(0.005)


def main(argv: list[str]) -> None:
    mode, url, *rest = argv
    ctx = Context(open_database(url), operator=f"{mode}-{rest[0] if mode == 'assign' else ''}")
    if mode == "assign":
        assign(ctx, int(rest[1]), int(rest[2]), int(rest[3]))
    elif mode == "receive":
        receive(ctx, int(rest[0]), int(rest[1]), int(rest[2]))
    else:
        void_each(ctx, [int(serial) for serial in rest])


if __name__ == "__main__":
    main(sys.argv[1:])
