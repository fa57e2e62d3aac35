"""Reading RFID for a command: which reader (``--from``, else ``STATION_RFID``, else
standard input), its reads gathered into one deduplicated set, what the reader says on the
way shown on stderr, and Ctrl+C ending the reading rather than the command."""

from __future__ import annotations

import time
from collections.abc import Callable

import click

from station.cli.output import message, progress
from station.devices.rfid.sources import Note, ReaderError, reads
from station.domain.reads import ReadSet

SOURCE_HELP = (
    "The reader: a file an app exported, '-' (stdin), llrp://HOST[:PORT] or a serial URL "
    "(default: env STATION_RFID, else stdin)."
)
SECONDS_HELP = "Read a reader this long (default 10); files and stdin are read to the end."


def source_of(given: str | None, configured: str | None) -> str:
    return given or configured or "-"


def gather(
    source: str,
    seconds: float | None,
    flush: Callable[[ReadSet], None] | None = None,
    every: float = 1.0,
) -> ReadSet:
    """Every read from ``source``, deduplicated. With ``flush``, the reads are handed to it
    instead, a fresh set about every ``every`` seconds and at the end, so an interrupted
    count keeps its reads (and the set returned is empty: the caller has them all)."""
    held = ReadSet()
    taken = 0
    last = time.monotonic()

    def hand_over() -> None:
        nonlocal held, last
        if flush is not None and held.reads:
            flush(held)
            held = ReadSet()
        last = time.monotonic()

    try:
        for event in reads(source, seconds):
            if isinstance(event, Note):
                message(f"reader: {event.text}")
                continue
            held.add(event)
            taken += 1
            if taken % 1000 == 0:
                progress(f"  {taken:,} reads")
            if flush is not None and time.monotonic() - last >= every:
                hand_over()
    except KeyboardInterrupt:
        message("reading stopped (Ctrl+C); the reads so far are kept")
    except ReaderError:
        hand_over()
        raise
    hand_over()
    if source == "-" and not taken:
        click.echo("no reads on stdin", err=True)
    return held
