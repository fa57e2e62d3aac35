"""USB printers through python-escpos (pyusb): ``usb://04b8:0202``.

python-escpos finds the device, detaches the kernel's driver and picks the endpoints; the
bytes then go through pyusb's own ``write`` and ``read`` on the device it opened.
"""

from __future__ import annotations

import re
from typing import Any

from printers.errors import TransportError
from printers.transports.base import Done, TwoWayTransport

_IDS = re.compile(r"^usb://([0-9a-fA-F]{1,4}):([0-9a-fA-F]{1,4})/?$")
# Bytes asked for in one status read (ESC/POS answers are one byte).
_READ_SIZE = 16


def parse_ids(url: str) -> tuple[int, int]:
    match = _IDS.match(url)
    if not match:
        raise TransportError(f"{url!r}: use usb://VID:PID in hex, e.g. usb://04b8:0202")
    return int(match.group(1), 16), int(match.group(2), 16)


class UsbTransport(TwoWayTransport):
    schemes = ("usb",)
    usage = "usb://VID:PID"

    def __init__(self, printer: Any, description: str) -> None:
        self._printer = printer
        self.description = description

    @classmethod
    def check_url(cls, url: str) -> None:
        parse_ids(url)

    @classmethod
    def open(cls, url: str, timeout: float) -> UsbTransport:
        vendor, product = parse_ids(url)
        description = f"USB printer {vendor:04x}:{product:04x}"
        try:
            from escpos.exceptions import DeviceNotFoundError
            from escpos.printer import Usb
        except ImportError:
            raise TransportError("USB printing needs pyusb: pip install pyusb") from None
        try:
            printer = Usb(vendor, product, timeout=int(timeout * 1000))
            printer.open()
        except DeviceNotFoundError:
            raise TransportError(f"{description} is not connected") from None
        except Exception as exc:  # pyusb raises its own errors, e.g. for permissions
            raise TransportError(f"cannot open {description}: {exc}") from None
        return cls(printer, description)

    def _write(self, data: bytes) -> None:
        printer = self._printer
        try:
            printer.device.write(printer.out_ep, data, printer.timeout)
        except Exception as exc:
            raise TransportError(f"{self.description} failed: {exc}") from None

    def _collect(self, done: Done, timeout: float) -> bytes:
        printer = self._printer
        try:
            answer = bytes(printer.device.read(printer.in_ep, _READ_SIZE, int(timeout * 1000)))
        except Exception:
            return b""  # many USB printers do not answer: the caller reads that as unknown
        return answer

    def close(self) -> None:
        try:
            self._printer.close()
        except Exception:
            pass
