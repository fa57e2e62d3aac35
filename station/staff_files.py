"""Reading a text file staff hand the station: UTF-8 (with or without a BOM), checked.

Spreadsheets and scanners save files in several ways; the ones that would silently corrupt
UIDs (UTF-16, other code pages, two files joined with a BOM between them) are refused.
"""

from __future__ import annotations

import codecs
import os
import stat
from pathlib import Path

from station.domain.errors import StationError

# The largest file the station reads: a million tags one to a line take about 26 MiB.
MAX_FILE_BYTES = 128 * 2**20
_FOREIGN_BOMS = (
    (codecs.BOM_UTF32_LE, "UTF-32"),
    (codecs.BOM_UTF32_BE, "UTF-32"),
    (codecs.BOM_UTF16_LE, "UTF-16"),
    (codecs.BOM_UTF16_BE, "UTF-16"),
)


def read_text(path: Path) -> str:
    """The text of ``path``; a one-line error for a missing, empty, oversized, non-UTF-8 or
    not regular file (a FIFO would hang the read, /dev/zero never end it)."""
    try:
        # Non-blocking, so that opening a FIFO with no writer returns at once to be refused.
        with os.fdopen(os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0)), "rb") as handle:
            info = os.fstat(handle.fileno())
            if stat.S_ISDIR(info.st_mode):
                raise IsADirectoryError
            if not stat.S_ISREG(info.st_mode):
                raise StationError(f"{path} is not a regular file (a device, pipe or socket)")
            data = handle.read(MAX_FILE_BYTES + 1)
    except FileNotFoundError:
        raise StationError(f"no such file: {path}") from None
    except IsADirectoryError:
        raise StationError(f"{path} is a folder, not a file") from None
    except OSError as exc:
        raise StationError(f"cannot read {path}: {exc.strerror}") from None
    if len(data) > MAX_FILE_BYTES:
        raise StationError(f"{path} is over {MAX_FILE_BYTES // 2**20} MiB; split it")
    for bom, name in _FOREIGN_BOMS:
        if data.startswith(bom):
            raise StationError(f"{path} is {name} text; save it as UTF-8 (CSV UTF-8)")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise StationError(
            f"{path} is not UTF-8 text (byte 0x{data[exc.start]:02x} at offset {exc.start}); "
            "save it as UTF-8 (CSV UTF-8)"
        ) from None
    if "\ufeff" in text:
        line = text[: text.index("\ufeff")].count("\n") + 1
        raise StationError(
            f"{path} line {line}: a byte-order mark inside the file (two files joined "
            "together?); save it as one UTF-8 file"
        )
    if not text.strip():
        raise StationError(f"{path} is empty")
    return text
