"""USB printers through python-escpos (pyusb): ``usb://04b8:0202``."""

from __future__ import annotations

import re
from typing import Any

from printers.errors import TransportError
from printers.transports.base import Done, Transport

_IDS = re.compile(r"^usb://([0-9a-fA-F]{1,4}):([0-9a-fA-F]{1,4})/?$")


def parse_ids(url: str) -> tuple[int, int]:
    match = _IDS.match(url)
    if not match:
        raise TransportError(f"{url!r}: use usb://VID:PID in hex, e.g. usb://04b8:0202")
    return int(match.group(1), 16), int(match.group(2), 16)


class UsbTransport(Transport):
    two_way = True

    def __init__(self, device: Any, description: str) -> None:
        self._device = device
        self.description = description

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
            device = Usb(vendor, product, timeout=int(timeout * 1000))
            device.open()
        except DeviceNotFoundError:
            raise TransportError(f"{description} is not connected") from None
        except Exception as exc:  # pyusb raises its own errors, e.g. for permissions
            raise TransportError(f"cannot open {description}: {exc}") from None
        return cls(device, description)

    def _write(self, data: bytes) -> None:
        try:
            self._device._raw(data)
        except Exception as exc:
            raise TransportError(f"{self.description} failed: {exc}") from None

    def _collect(self, done: Done, timeout: float) -> bytes:
        try:
            answer: bytes = bytes(self._device._read())
        except Exception:
            return b""  # many USB printers do not answer: the caller reads that as unknown
        return answer

    def close(self) -> None:
        try:
            self._device.close()
        except Exception:
            pass
