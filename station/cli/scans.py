"""Reading UIDs from arguments, files and standard input (one scan per line)."""

from __future__ import annotations

import sys
from collections.abc import Iterable
from pathlib import Path

from station.cli.output import warn_all
from station.domain.errors import StationError
from station.domain.uid import hex_warning, normalize
from station.services.orders import MAX_ORDER_TAGS
from station.services.textfile import read_text

# The most UIDs one command reads, and the longest line it reads of them.
MAX_SCANS = MAX_ORDER_TAGS
MAX_LINE = 200


def read_uids(source: str) -> list[str]:
    """UIDs from the file ``source`` (``-`` for standard input); all valid, or nothing."""
    if source == "-":
        # Bounded reads: a line with no end, or no end of lines, cannot fill the memory.
        lines = iter(lambda: sys.stdin.readline(MAX_LINE), "")
        return uids_from_lines(lines, "line")
    return uids_from_lines(read_text(Path(source)).splitlines(), f"{source} line")


def uids_from_lines(lines: Iterable[str], where: str) -> list[str]:
    uids: list[str] = []
    for number, line in enumerate(lines, start=1):
        if number > MAX_SCANS:
            raise StationError(f"more than {MAX_SCANS:,} lines of UIDs; give them in parts")
        if not line.strip():
            continue
        try:
            uids.append(normalize(line))
        except StationError as exc:
            raise StationError(f"{where} {number}: {exc}") from None
    if not uids:
        raise StationError("no UIDs were given")
    warn_non_hex(uids)
    return uids


def uids_from_args(values: Iterable[str]) -> list[str]:
    uids = [normalize(value) for value in values]
    warn_non_hex(uids)
    return uids


def range_from_args(ends: tuple[str, str] | None) -> tuple[str, str] | None:
    """``--range FIRST LAST`` as two UIDs, or None without it."""
    if ends is None:
        return None
    first, last = uids_from_args(ends)
    return first, last


def warn_non_hex(uids: Iterable[str]) -> None:
    warn_all([w for w in map(hex_warning, uids) if w])
