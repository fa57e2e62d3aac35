"""Serial printers through pyserial: ``serial:///dev/ttyUSB0?baudrate=9600`` or any pyserial
URL (``socket://``, ``rfc2217://``, ``loop://``)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, urlsplit

from printers.errors import TransportError
from printers.transports.base import Done, TwoWayTransport

# pyserial's own URL handlers, passed to it as they are.
PYSERIAL_SCHEMES = ("socket", "rfc2217", "loop", "spy", "hwgrep", "alt")
# The longest a serial write or read may be told to wait, in seconds.
MAX_TIMEOUT = 60.0


def _flag(value: str) -> bool:
    return value.lower() in ("1", "true", "yes")


def _one_of(*allowed: Any) -> Callable[[Any], Any]:
    def check(value: Any) -> Any:
        if value not in allowed:
            raise ValueError(value)
        return value

    return check


def _between(low: float, high: float, cast: Callable[[str], Any]) -> Callable[[str], Any]:
    def check(text: str) -> Any:
        value = cast(text)
        if not low <= value <= high:
            raise ValueError(text)
        return value

    return check


# Each setting a serial:// URL may carry, read and checked.
_SETTINGS: dict[str, Callable[[str], Any]] = {
    "baudrate": _between(50, 4_000_000, int),
    "bytesize": lambda v: _one_of(5, 6, 7, 8)(int(v)),
    "parity": lambda v: _one_of("N", "E", "O", "M", "S")(v.upper()),
    "stopbits": lambda v: _one_of(1, 1.5, 2)(float(v)),
    "xonxoff": _flag,
    "rtscts": _flag,
    "dsrdtr": _flag,
    # Seconds a write may stall (a paused printer holding flow control) before it fails.
    "timeout": _between(0.01, MAX_TIMEOUT, float),
}


def settings(url: str) -> tuple[str, dict[str, Any]]:
    """The device (or pyserial URL) and the port settings a ``serial://`` URL asks for."""
    parts = urlsplit(url)
    if parts.scheme != "serial":
        return url, {}
    options: dict[str, Any] = {"baudrate": 9600}
    for key, values in parse_qs(parts.query, keep_blank_values=True).items():
        if key not in _SETTINGS:
            raise TransportError(f"{url!r}: unknown serial setting {key!r}")
        try:
            options[key] = _SETTINGS[key](values[-1])
        except ValueError:
            raise TransportError(f"bad serial setting {key}={values[-1]!r}") from None
    return parts.path, options


class SerialTransport(TwoWayTransport):
    schemes = ("serial", *PYSERIAL_SCHEMES)
    usage = "serial:///dev/ttyUSB0"

    def __init__(self, port: Any, description: str, baudrate: int = 9600) -> None:
        self._port = port
        self.description = description
        # Seconds a byte takes on the line (start bit, 8 data bits, stop bit), and when the
        # bytes written so far will have crossed it: an answer cannot come before then.
        self._byte_time = 10 / baudrate
        self._line_busy_until = 0.0

    @classmethod
    def check_url(cls, url: str) -> None:
        parts = urlsplit(url)
        if parts.scheme == "serial" and not parts.path:
            raise TransportError(
                f"{url!r} names no device: use serial:///dev/ttyUSB0?baudrate=9600"
            )
        settings(url)

    @classmethod
    def open(cls, url: str, timeout: float) -> SerialTransport:
        import serial  # pyserial loads only for a serial printer.

        device, options = settings(url)
        # A timeout in the URL is the printer's own: it wins over the caller's default.
        wait = options.pop("timeout", timeout)
        try:
            port = serial.serial_for_url(device, timeout=wait, write_timeout=wait, **options)
        except (serial.SerialException, ValueError) as exc:
            raise TransportError(f"cannot open serial printer {device}: {exc}") from None
        return cls(port, f"serial printer {device}", options.get("baudrate", 9600))

    def query(self, request: bytes, done: Done, timeout: float) -> bytes:
        """As on any two-way link, with the time the labels still on their way take added to
        the wait: on a slow line the answer queues behind them (a 2 KB chunk is 2 s at
        9600 baud)."""
        backlog = max(0.0, self._line_busy_until - time.monotonic())
        return super().query(request, done, timeout + backlog)

    def _write(self, data: bytes) -> None:
        import serial

        start = max(time.monotonic(), self._line_busy_until)
        self._line_busy_until = start + len(data) * self._byte_time
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
        import serial

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
        import serial

        try:
            self._port.reset_input_buffer()
        except (serial.SerialException, OSError):
            pass

    def close(self) -> None:
        import serial

        try:
            self._port.close()
        except (serial.SerialException, OSError):
            pass
