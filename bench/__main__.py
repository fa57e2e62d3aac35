"""Run every benchmark and print one table per area."""

from __future__ import annotations

from bench import core


def main() -> None:
    tables = [core.run()]
    print()
    for table in tables:
        print(table.render())
        print()


main()
