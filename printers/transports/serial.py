"""Serial printers through pyserial: ``serial:///dev/ttyUSB0?baudrate=9600`` or any pyserial
URL (``socket://``, ``rfc2217://``, ``loop://``)."""

from __future__ import annotations

import time
from typing import Any
from urllib.parse import parse_qs, urlsplit

import serial

from printers.errors import TransportError
from printers.transports.base import Done, Transport

_CASTS: dict[str, Any] = {
    "baudrate": int,
    "bytesize": int,
    "parity": str,
    "stopbits": float,
    "xonxoff": lambda v: v.lower() in ("1", "true", "yes"),
    "rtscts": lambda v: v.lower() in ("1", "true", "yes"),
    "dsrdtr": lambda v: v.lower() in ("1", "true", "yes"),
}


def settings(url: str) -> tuple[str, dict[str, Any]]:
    """The device (or pyserial URL) and the port settings a ``serial://`` URL asks for."""
    parts = urlsplit(url)
    if parts.scheme != "serial":
        return url, {}
    options: dict[str, Any] = {"baudrate": 9600}
    for key, values in parse_qs(parts.query).items():
        if key in _CASTS:
            try:
                options[key] = _CASTS[key](values[-1])
            except ValueError:
                raise TransportError(f"bad serial setting {key}={values[-1]!r}") from None
    return parts.path, options


class SerialTransport(Transport):
    two_way = True

    def __init__(self, port: Any, description: str) -> None:
        self._port = port
        self.description = description

    @classmethod
    def open(cls, url: str, timeout: float) -> SerialTransport:
        device, options = settings(url)
        try:
            port = serial.serial_for_url(device, timeout=timeout, write_timeout=timeout, **options)
        except (serial.SerialException, ValueError) as exc:
            raise TransportError(f"cannot open serial printer {device}: {exc}") from None
        return cls(port, f"serial printer {device}")

    def _write(self, data: bytes) -> None:
        try:
            self._port.write(data)
            self._port.flush()
        except serial.SerialTimeoutException:
            raise TransportError(
                f"{self.description} stopped taking data (write timed out: paused, out of "
                "paper, or flow control holding?)"
            ) from None
        except (serial.SerialException, OSError) as exc:
            raise TransportError(f"{self.description} failed: {exc}") from None

    def _collect(self, done: Done, timeout: float) -> bytes:
        answer = b""
        deadline = time.monotonic() + timeout
        while not done(answer) and time.monotonic() < deadline:
            try:
                self._port.timeout = max(0.01, min(0.1, deadline - time.monotonic()))
                answer += self._port.read(self._port.in_waiting or 1)
            except (serial.SerialException, OSError) as exc:
                raise TransportError(f"{self.description} failed: {exc}") from None
        return answer

    def _drain(self) -> None:
        try:
            self._port.reset_input_buffer()
        except (serial.SerialException, OSError):
            pass

    def close(self) -> None:
        try:
            self._port.close()
        except (serial.SerialException, OSError):
            pass
