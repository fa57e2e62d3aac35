"""Reads from files a handheld app exported, or from standard input: CSV with an EPC column
(found by its header), or one EPC a line."""

from __future__ import annotations

import csv
import os
import stat
import time
from collections.abc import Callable, Iterator
from typing import TextIO, TypeVar

from station.devices.rfid.sources import Note, ReaderError
from station.domain.reads import MAX_EPC, Read
from station.domain.text import printable, show

# Bounds on what a file may hold: a handheld's export of a day is far below them.
MAX_LINE = 4096
MAX_LINES = 5_000_000
# Header words that name each column, compared without case, spaces or underscores.
_EPC = ("epc", "epchex", "idhex", "tagid", "tagepc", "epc96", "epcid")
_RSSI = ("rssi", "peakrssi", "rssidbm")
_ANTENNA = ("antenna", "antennaid", "ant", "antennaport")
_COUNT = ("count", "seen", "seencount", "tagseencount", "readcount", "reads")
_DELIMITERS = ",;\t"
N = TypeVar("N", int, float)


def from_file(path: str) -> Iterator[Read | Note]:
    try:
        # Looked at before it is opened: opening a named pipe would wait for a writer.
        if not stat.S_ISREG(os.stat(path).st_mode):
            raise ReaderError(f"{show(path)} is not a file")
        handle = open(path, encoding="utf-8-sig", errors="replace", newline="")  # noqa: SIM115
    except OSError as exc:
        raise ReaderError(f"cannot read {show(path)}: {exc.strerror or exc}") from None
    with handle:
        yield from from_text(handle, os.path.basename(path))


def from_text(handle: TextIO, source: str) -> Iterator[Read | Note]:
    now = time.time()
    first = _line(handle, 1)
    while first is not None and not first.strip():
        first = _line(handle, 1)
    if first is None:
        return
    delimiter = next((d for d in _DELIMITERS if d in first), None)
    if delimiter is None:
        # One EPC a line; a first line that is a header word is no read.
        if _word(first) not in _EPC:
            yield Read(first.strip(), now, source)
        yield from (Read(line.strip(), now, source) for line in _lines(handle) if line.strip())
        return
    header = next(csv.reader([first], delimiter=delimiter))
    names = [_word(cell) for cell in header]
    epc_at = _column(names, _EPC)
    if epc_at is None:
        raise ReaderError(
            f"{source}: no EPC column in the header "
            f"({printable(', '.join(header), 120)}); name one EPC"
        )
    rssi_at, antenna_at, count_at = (_column(names, words) for words in (_RSSI, _ANTENNA, _COUNT))
    number = 1
    rows = csv.reader(_lines(handle), delimiter=delimiter)
    for row in rows:
        number += 1
        if not row or not any(cell.strip() for cell in row):
            continue
        if epc_at >= len(row):
            raise ReaderError(f"{source} line {number}: no EPC in this row; nothing was read")
        yield Read(
            row[epc_at].strip(),
            now,
            source,
            antenna=_number(row, antenna_at, int),
            rssi=_number(row, rssi_at, float),
            seen=max(1, min(_number(row, count_at, int) or 1, 1_000_000)),
        )


def _lines(handle: TextIO) -> Iterator[str]:
    number = 1
    while (line := _line(handle, number + 1)) is not None:
        number += 1
        yield line


def _line(handle: TextIO, number: int) -> str | None:
    if number > MAX_LINES:
        raise ReaderError(f"more than {MAX_LINES:,} lines; split the file")
    line = handle.readline(MAX_LINE + 1)
    if not line:
        return None
    if len(line) > MAX_LINE:
        raise ReaderError(f"line {number} is over {MAX_LINE:,} characters; is this an export?")
    return line.rstrip("\r\n")


def _word(cell: str) -> str:
    return "".join(ch for ch in cell.lower() if ch.isalnum())[:40]


def _column(names: list[str], words: tuple[str, ...]) -> int | None:
    return next((at for at, name in enumerate(names) if name in words), None)


def _number(row: list[str], at: int | None, cast: Callable[[str], N]) -> N | None:
    if at is None or at >= len(row):
        return None
    try:
        value = cast(row[at].strip()[:MAX_EPC])
    except ValueError:
        return None
    # A number no reader reports (a spreadsheet's mangled cell) is dropped, not the read.
    return value if -1_000_000 <= value <= 1_000_000 else None
