"""A folder standing in for a printer: raw printer bytes plus PNG previews, one file each.

The default printer of a new station, so labels can be made and checked before any
hardware is attached. ``spool:`` alone means the station's own spool folder.
"""

from __future__ import annotations

import itertools
import os
import time
from pathlib import Path
from urllib.parse import unquote, urlsplit

import platformdirs
from PIL import Image

from printers.errors import TransportError
from printers.transports.base import Transport


def default_folder() -> Path:
    return Path(platformdirs.user_data_dir("tag-station")) / "spool"


def folder_of(url: str) -> Path:
    path = unquote(urlsplit(url).path)
    return Path(path) if path not in ("", "/") else default_folder()


class SpoolTransport(Transport):
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.description = f"spool folder {folder}"
        self._stamp = time.strftime("%Y%m%d-%H%M%S")
        self._count = itertools.count(1)

    @classmethod
    def open(cls, url: str, timeout: float) -> SpoolTransport:
        folder = folder_of(url)
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise TransportError(f"cannot create spool folder {folder}: {exc.strerror}") from None
        if not os.access(folder, os.W_OK):
            raise TransportError(f"spool folder {folder} is not writable")
        return cls(folder)

    def _next(self, suffix: str) -> Path:
        return self.folder / f"{self._stamp}-{os.getpid()}-{next(self._count):05d}{suffix}"

    def _write(self, data: bytes) -> None:
        self._save(self._next(".prn"), data)

    def preview(self, images: list[Image.Image], dpi: int) -> list[Path]:
        """Save PNG previews of what was just written."""
        paths = []
        for image in images:
            path = self._next(".png")
            try:
                image.save(path, dpi=(dpi, dpi))
            except OSError as exc:
                raise TransportError(f"cannot write {path}: {exc.strerror}") from None
            paths.append(path)
        return paths

    @staticmethod
    def _save(path: Path, data: bytes) -> None:
        try:
            path.write_bytes(data)
        except OSError as exc:
            raise TransportError(f"cannot write {path}: {exc.strerror}") from None
