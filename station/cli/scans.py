"""Reading UIDs from arguments, files and standard input (one scan per line)."""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator
from pathlib import Path

import click

from station.cli import hints
from station.cli.output import warn_all
from station.domain.errors import StationError
from station.domain.uid import hex_warning, normalize
from station.services.tags.orders import MAX_ORDER_TAGS
from station.staff_files import read_text

# The most UIDs one command reads, and the longest line it reads of them.
MAX_SCANS = MAX_ORDER_TAGS
MAX_LINE = 200


def read_uids(source: str) -> list[str]:
    """UIDs from the file ``source`` (``-`` for standard input); all valid, or nothing. At a
    terminal (a person scanning) a bad scan is skipped instead, see :func:`scans_at_terminal`."""
    if source == "-" and sys.stdin.isatty():
        return scans_at_terminal()
    if source == "-":
        return uids_from_lines(_stdin_lines(), "line")
    return uids_from_lines(read_text(Path(source)).splitlines(), f"{source} line")


def scans_at_terminal() -> list[str]:
    """Scans typed at a terminal, one a line until end of input (Ctrl+D): each one counted
    as it comes; a bad one rings the bell and is skipped with its reason, so one misread
    never throws away a bench's worth of scanning. Files and pipes keep the whole-file rule
    (one bad line refuses them all): nobody is there to scan again."""
    click.echo("scan the tags, one a line; Ctrl+D when done", err=True)
    uids: dict[str, None] = {}
    for number, line in _scans(_stdin_lines()):
        try:
            uid = normalize(line)
        except StationError as exc:
            click.echo(f"\a  skipped scan {number}: {hints.message(exc)}", err=True)
            continue
        again = " (scanned before)" if uid in uids else ""
        uids[uid] = None
        click.echo(f"  {len(uids):,} scanned: {uid}{again}", err=True)
    if not uids:
        raise StationError("no UIDs were given")
    warn_non_hex(uids)
    return list(uids)


def _stdin_lines() -> Iterator[str]:
    # Bounded reads: a line with no end, or no end of lines, cannot fill the memory.
    return iter(lambda: sys.stdin.readline(MAX_LINE), "")


def _scans(lines: Iterable[str]) -> Iterator[tuple[int, str]]:
    """The lines that hold something, with their numbers; at most :data:`MAX_SCANS`."""
    for number, line in enumerate(lines, start=1):
        if number > MAX_SCANS:
            raise StationError(f"more than {MAX_SCANS:,} lines of UIDs; give them in parts")
        if line.strip():
            yield number, line


def uids_from_lines(lines: Iterable[str], where: str) -> list[str]:
    uids: list[str] = []
    for number, line in _scans(lines):
        try:
            uids.append(normalize(line))
        except StationError as exc:
            raise StationError(f"{where} {number}: ", *exc.parts) from None
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


def read_scans(count: int) -> list[str]:
    """Up to ``count`` non-empty lines of standard input as scanned (a scanner types each
    code and Enter), fewer if input ends first; each line bounded."""
    found: list[str] = []
    for _, line in _scans(_stdin_lines()):
        found.append(line.strip())
        if len(found) == count:
            break
    return found
