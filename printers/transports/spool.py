"""A folder standing in for a printer: raw printer bytes plus PNG previews, one file each.

A new station's first printer spools, so labels can be made and checked before any hardware
is attached. ``spool:`` with no folder is left for the application to fill in with a folder
of its own (the station uses its data folder); opened as it is, it is refused.
"""

from __future__ import annotations

import io
import itertools
import os
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlsplit

from printers.errors import TransportError
from printers.status import PrinterStatus
from printers.transports.base import Transport
from safefiles import private_folder_made, random_name, write_new

if TYPE_CHECKING:
    from PIL import Image


class SpoolTransport(Transport):
    schemes = ("spool",)
    usage = "spool:///FOLDER"
    keeps_previews = True

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.description = f"spool folder {folder}"
        self._stamp = time.strftime("%Y%m%d-%H%M%S")
        self._count = itertools.count(1)
        self._next = ""

    def name_next(self, name: str) -> None:
        self._next = _safe(name)

    @classmethod
    def open(cls, url: str, timeout: float) -> SpoolTransport:
        path = unquote(urlsplit(url).path)
        if path in ("", "/"):
            raise TransportError(f"{url!r} names no folder: use {cls.usage}")
        folder = Path(path)
        try:
            private_folder_made(folder)
        except OSError as exc:
            raise TransportError(f"cannot create spool folder {folder}: {exc.strerror}") from None
        if not os.access(folder, os.W_OK):
            raise TransportError(f"spool folder {folder} is not writable")
        return cls(folder)

    def own_status(self) -> PrinterStatus | None:
        return PrinterStatus(True, fields={"folder": str(self.folder)})

    def _save(self, suffix: str, data: bytes, name: str = "") -> None:
        # In write order by name, then what it holds (job and UID), and unguessable: a link
        # planted at the next name in a shared folder can neither be written through nor
        # make a file go elsewhere.
        stem = f"{self._stamp}-{os.getpid()}-{next(self._count):05d}"
        if name:
            stem += f"-{name}"
        path = self.folder / random_name(stem, suffix)
        try:
            write_new(path, data)
        except OSError as exc:
            raise TransportError(f"cannot write {path}: {exc.strerror}") from None

    def _write(self, data: bytes) -> None:
        self._save(".prn", data, self._next)
        self._next = ""

    def preview(self, images: list[Image.Image], dpi: int, names: Sequence[str] = ()) -> None:
        """Save PNG previews of what was just written, each named for what it shows."""
        names = [*names[: len(images)], *[""] * (len(images) - len(names))]
        for image, name in zip(images, names, strict=True):
            out = io.BytesIO()
            image.save(out, "PNG", dpi=(dpi, dpi))
            self._save(".png", out.getvalue(), _safe(name))


# Names come from data (UIDs, job numbers): only these characters reach a file name, and
# not too many of them.
_NAME_CHARACTERS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-")
_NAME_LENGTH = 80


def _safe(name: str) -> str:
    return "".join(c if c in _NAME_CHARACTERS else "_" for c in name[:_NAME_LENGTH])
