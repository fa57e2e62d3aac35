"""Reading a text file staff hand the station: UTF-8 (with or without a BOM), checked.

Spreadsheets and scanners save files in several ways; the ones that would silently corrupt
UIDs (UTF-16, other code pages, two files joined with a BOM between them) are refused.
"""

from __future__ import annotations

import codecs
from pathlib import Path

from station.domain.errors import StationError

_FOREIGN_BOMS = (
    (codecs.BOM_UTF32_LE, "UTF-32"),
    (codecs.BOM_UTF32_BE, "UTF-32"),
    (codecs.BOM_UTF16_LE, "UTF-16"),
    (codecs.BOM_UTF16_BE, "UTF-16"),
)


def read_text(path: Path) -> str:
    """The text of ``path``; a one-line error for a missing, empty or non-UTF-8 file."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise StationError(f"no such file: {path}") from None
    except IsADirectoryError:
        raise StationError(f"{path} is a folder, not a file") from None
    except OSError as exc:
        raise StationError(f"cannot read {path}: {exc.strerror}") from None
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
