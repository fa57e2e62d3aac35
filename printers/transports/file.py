"""A file or device node: ``file:///dev/usb/lp0`` or ``file:///tmp/labels.zpl`` (appended).

Opened without blocking, and every write bounded in time: a FIFO nobody reads, or a device
whose printer stopped taking data, would otherwise hold the command for ever. A new file is
created private (0600) and never through a symlink; an existing path may be one (udev names
printers by links such as ``/dev/zebra``)."""

from __future__ import annotations

import errno
import os
import select
import time
from pathlib import Path
from urllib.parse import unquote, urlsplit

from printers.errors import TransportError
from printers.transports.base import Transport


class FileTransport(Transport):
    schemes = ("file",)
    usage = "file:///PATH"

    def __init__(self, fd: int, path: Path, timeout: float) -> None:
        self._fd: int | None = fd
        self._timeout = timeout
        self.description = f"file {path}"

    @classmethod
    def check_url(cls, url: str) -> None:
        if not urlsplit(url).path:
            raise TransportError(f"{url!r} names no file: use {cls.usage}")

    @classmethod
    def open(cls, url: str, timeout: float) -> FileTransport:
        path = Path(unquote(urlsplit(url).path))
        flags = os.O_WRONLY | os.O_APPEND | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0)
        try:
            try:
                fd = os.open(path, flags)
            except FileNotFoundError:
                fd = os.open(path, flags | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
        except FileNotFoundError:
            raise TransportError(f"no such device or folder: {path}") from None
        except OSError as exc:
            if exc.errno == errno.ENXIO:
                # POSIX: a FIFO opened to write without blocking, with no reader.
                raise TransportError(f"nothing is reading {path} (a pipe with no reader)") from None
            raise TransportError(f"cannot open {path}: {exc.strerror}") from None
        return cls(fd, path, timeout)

    def _write(self, data: bytes) -> None:
        if self._fd is None:
            raise TransportError(f"{self.description} is closed")
        left = memoryview(data)
        deadline = time.monotonic() + self._timeout
        while left:
            try:
                left = left[os.write(self._fd, left) :]
                # Bounded is time without progress: a slow device is not a stopped one.
                deadline = time.monotonic() + self._timeout
                continue
            except BlockingIOError:
                pass
            except OSError as exc:
                raise TransportError(
                    f"writing to {self.description} failed: {exc.strerror}"
                ) from None
            wait = deadline - time.monotonic()
            if wait <= 0:
                raise TransportError(
                    f"{self.description} took no data for {self._timeout:g} s (a printer that "
                    "stopped, or a reader that went away)"
                )
            select.select([], [self._fd], [], wait)

    def close(self) -> None:
        if self._fd is not None:
            fd, self._fd = self._fd, None
            try:
                os.close(fd)
            except OSError:
                pass
