"""Which reader a SOURCE names, and its reads as one stream.

SOURCE is ``-`` (standard input), ``llrp://HOST[:PORT]``, a serial URL (``serial:///dev/
ttyUSB0?baudrate=115200`` or any pyserial URL such as ``loop://`` or ``socket://``), or
the path of a file.
"""

from __future__ import annotations

import sys
from collections.abc import Generator
from dataclasses import dataclass
from typing import TextIO
from urllib.parse import urlsplit

from station.domain.errors import StationError
from station.domain.reads import Read
from station.domain.text import show

# A reader that is listened to (not a file) is read this long when no time is given.
DEFAULT_SECONDS = 10.0
MAX_SECONDS = 24 * 3600.0
# The serial printers' schemes (serial:// and pyserial's own URL handlers), written out:
# importing them loads every printer transport into `station receive` (a test holds the
# two equal).
SERIAL_SCHEMES = ("serial", "socket", "rfc2217", "loop", "spy", "hwgrep", "alt")


class ReaderError(StationError):
    """The reader could not be read, or stopped answering."""


@dataclass(frozen=True)
class Note:
    """News of the reader that is no read (gone, back again)."""

    text: str


Event = Read | Note


def kind_of(source: str) -> str:
    """``stdin``, ``llrp``, ``serial`` or ``file``; refuses what is none of them."""
    if source == "-":
        return "stdin"
    scheme = urlsplit(source).scheme.lower() if "://" in source else ""
    if scheme == "llrp":
        return "llrp"
    if scheme in SERIAL_SCHEMES:
        return "serial"
    if scheme:
        raise ReaderError(
            f"{show(source)} is no reader the station knows: give a file, '-', "
            "llrp://HOST[:PORT] or a serial URL such as serial:///dev/ttyUSB0?baudrate=115200"
        )
    return "file"


def listened(source: str) -> bool:
    """Whether the source goes on until stopped (a reader), rather than ending (a file)."""
    return kind_of(source) in ("llrp", "serial")


def check_seconds(seconds: float | None) -> None:
    if seconds is not None and not 0 < seconds <= MAX_SECONDS:
        raise ReaderError(f"--seconds must be more than 0 and at most {MAX_SECONDS:g}")


def reads(
    source: str, seconds: float | None = None, stdin: TextIO | None = None
) -> Generator[Event, None, None]:
    """Every read from ``source``: a file or standard input to its end, a reader for
    ``seconds`` (:data:`DEFAULT_SECONDS` when None). Raises
    :class:`ReaderError` when the source cannot be read or fails on the way; the reads
    before that have been yielded."""
    check_seconds(seconds)
    kind = kind_of(source)
    if kind in ("file", "stdin"):
        from station.devices.rfid import files

        if kind == "stdin":
            yield from files.from_text(stdin or sys.stdin, "stdin")
        else:
            yield from files.from_file(source)
        return
    limit = seconds if seconds is not None else DEFAULT_SECONDS
    if kind == "serial":
        from station.devices.rfid import serial_reader

        yield from serial_reader.reads(source, limit)
    else:
        from station.devices.rfid import llrp

        yield from llrp.reads(source, limit)
