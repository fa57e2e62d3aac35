"""A barcode scanner set to serial mode (USB CDC, a virtual COM port), read with pyserial.

Each scan is one line (CR, LF or CR LF). A scan is handed on as text, or, when it cannot be
a code at all (too long, not ASCII), as a reason to refuse it; the screens decide what a
good one means, exactly as for a keyboard-wedge scan. A scanner unplugged and plugged back
in is opened again.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from printers.errors import TransportError
from printers.transports.serial import settings as serial_settings

# The longest scan taken: well over any UID, license or Retail ID URL. A longer line is a
# scanner in the wrong mode or noise on the line, and must not grow without bound.
MAX_SCAN = 256
# How often the reader looks whether it should stop, and how long it waits to open a port
# that went away again (seconds).
POLL_SECONDS = 0.2
REOPEN_SECONDS = 2.0


@dataclass(frozen=True)
class Scan:
    code: str | None
    """The scanned text, or None when the scan was refused."""
    problem: str = ""
    """Why the scan was refused, or what went wrong with the scanner (code None)."""
    note: str = ""
    """News of the scanner that is not a problem (code None)."""
    unreadable: bool = False
    """The problem is the line read (it cannot be a code), not the scanner."""


def _open(url: str) -> Any:
    import serial  # pyserial loads only when a serial scanner is set.

    device, options = serial_settings(url)
    options.pop("timeout", None)
    try:
        return serial.serial_for_url(device, timeout=POLL_SECONDS, **options)
    except (serial.SerialException, ValueError, OSError) as exc:
        raise TransportError(f"cannot open the scanner {device}: {exc}") from None


def _decoded(line: bytes) -> Scan:
    if len(line) > MAX_SCAN:
        return Scan(
            None,
            f"a scan of over {MAX_SCAN} characters (is the scanner set up right?)",
            unreadable=True,
        )
    try:
        text = line.decode("ascii")
    except UnicodeDecodeError:
        return Scan(None, "a scan with characters no tag or code has (not ASCII)", unreadable=True)
    if not text.isprintable():
        return Scan(None, "a scan with control characters in it", unreadable=True)
    return Scan(text.strip())


def split_lines(pending: bytes, chunk: bytes) -> tuple[list[bytes], bytes]:
    """Complete lines in ``pending + chunk`` and what is left after the last line end. What is
    left is cut at :data:`MAX_SCAN` + 1 bytes: enough to know the line is too long."""
    data = (pending + chunk).replace(b"\r\n", b"\n").replace(b"\r", b"\n")
    *lines, rest = data.split(b"\n")
    return [line for line in lines if line.strip()], rest[: MAX_SCAN + 1]


def read_scans(url: str, hand_on: Callable[[Scan], None], stopped: Callable[[], bool]) -> None:
    """Read scans from the serial scanner at ``url`` until ``stopped()``: each good or refused
    scan, and each loss and return of the port, goes to ``hand_on``."""
    import serial

    port: Any = None
    pending = b""
    missing = False  # said once that the port is gone; said again only when it is back
    while not stopped():
        if port is None:
            try:
                port = _open(url)
            except TransportError as exc:
                if not missing:
                    hand_on(Scan(None, f"{exc}; trying again every {REOPEN_SECONDS:g} s"))
                missing = True
                _wait(REOPEN_SECONDS, stopped)
                continue
            if missing:
                hand_on(Scan(None, note="the scanner is back"))
            missing = False
        try:
            chunk = port.read(port.in_waiting or 1)
        except (serial.SerialException, OSError) as exc:
            hand_on(Scan(None, f"the scanner stopped answering ({exc}); opening it again"))
            port.close()
            port, pending, missing = None, b"", True
            continue
        if chunk:
            lines, pending = split_lines(pending, chunk)
            for line in lines:
                hand_on(_decoded(line))
    if port is not None:
        port.close()


def _wait(seconds: float, stopped: Callable[[], bool]) -> None:
    deadline = time.monotonic() + seconds
    while not stopped() and time.monotonic() < deadline:
        time.sleep(POLL_SECONDS)
