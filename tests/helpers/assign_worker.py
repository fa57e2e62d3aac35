"""A station process that assigns tags in a loop and prints every UID it was given.

Run by the concurrency tests as a separate OS process against one shared database file.
"""

from __future__ import annotations

import sys
from decimal import Decimal

from station.db.connection import open_database
from station.domain.errors import StationError
from station.services.assignment import PackageDetails, assign_next
from station.services.context import Context


def main(url: str, rounds: int, batch: int, name: str) -> None:
    ctx = Context(open_database(url), operator=name)
    details = PackageDetails("Flower", Decimal(1), "Grams", None, ctx.today())
    for _ in range(rounds):
        try:
            result = assign_next(ctx, details, batch)
        except StationError as exc:
            print(f"refused: {exc}", file=sys.stderr)
            continue
        for uid in result.uids:
            print(uid)


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4])
