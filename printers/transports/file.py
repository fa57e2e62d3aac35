"""A file or device node: ``file:///dev/usb/lp0`` or ``file:///tmp/labels.zpl`` (appended)."""

from __future__ import annotations

from pathlib import Path
from typing import BinaryIO
from urllib.parse import unquote, urlsplit

from printers.errors import TransportError
from printers.transports.base import Transport


class FileTransport(Transport):
    schemes = ("file",)
    usage = "file:///PATH"

    def __init__(self, handle: BinaryIO, path: Path) -> None:
        self._handle = handle
        self.description = f"file {path}"

    @classmethod
    def check_url(cls, url: str) -> None:
        if not urlsplit(url).path:
            raise TransportError(f"{url!r} names no file: use {cls.usage}")

    @classmethod
    def open(cls, url: str, timeout: float) -> FileTransport:
        path = Path(unquote(urlsplit(url).path))
        try:
            handle = path.open("ab")
        except FileNotFoundError:
            raise TransportError(f"no such device or folder: {path}") from None
        except OSError as exc:
            raise TransportError(f"cannot open {path}: {exc.strerror}") from None
        return cls(handle, path)

    def _write(self, data: bytes) -> None:
        try:
            self._handle.write(data)
            self._handle.flush()
        except OSError as exc:
            raise TransportError(f"writing to {self.description} failed: {exc.strerror}") from None

    def close(self) -> None:
        try:
            self._handle.close()
        except OSError:
            pass
