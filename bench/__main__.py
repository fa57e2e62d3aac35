"""Run every benchmark and print one table per area."""

from __future__ import annotations

import sys

from bench import audit, core, jobs, printing, records, retail, rfid, speed, stations, ui

AREAS = {
    "core": core.run,
    "printing": printing.run,
    "jobs": jobs.run,
    "ui": ui.run,
    "stations": stations.run,
    "records": records.run,
    "speed": speed.run,
    "audit": audit.run,
    "retail": retail.run,
    "rfid": rfid.run,
}


def main() -> None:
    """``python -m bench [AREA...]``: every area by default."""
    chosen = sys.argv[1:] or list(AREAS)
    tables = [AREAS[name]() for name in chosen]
    print()
    for table in tables:
        print(table.render())
        print()


main()
