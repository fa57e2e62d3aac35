"""A folder standing in for a printer: raw printer bytes plus PNG previews, one file each.

A new station's first printer spools, so labels can be made and checked before any hardware
is attached. ``spool:`` with no folder is left for the application to fill in with a folder
of its own (the station uses its data folder); opened as it is, it is refused.
"""

from __future__ import annotations

import itertools
import os
import time
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlsplit

from printers.errors import TransportError
from printers.status import PrinterStatus
from printers.transports.base import Transport

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

    @classmethod
    def open(cls, url: str, timeout: float) -> SpoolTransport:
        path = unquote(urlsplit(url).path)
        if path in ("", "/"):
            raise TransportError(f"{url!r} names no folder: use {cls.usage}")
        folder = Path(path)
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise TransportError(f"cannot create spool folder {folder}: {exc.strerror}") from None
        if not os.access(folder, os.W_OK):
            raise TransportError(f"spool folder {folder} is not writable")
        return cls(folder)

    def own_status(self) -> PrinterStatus | None:
        return PrinterStatus(True, fields={"folder": str(self.folder)})

    def _next(self, suffix: str) -> Path:
        return self.folder / f"{self._stamp}-{os.getpid()}-{next(self._count):05d}{suffix}"

    def _write(self, data: bytes) -> None:
        path = self._next(".prn")
        try:
            path.write_bytes(data)
        except OSError as exc:
            raise TransportError(f"cannot write {path}: {exc.strerror}") from None

    def preview(self, images: list[Image.Image], dpi: int) -> None:
        """Save PNG previews of what was just written."""
        for image in images:
            path = self._next(".png")
            try:
                image.save(path, dpi=(dpi, dpi))
            except OSError as exc:
                raise TransportError(f"cannot write {path}: {exc.strerror}") from None
