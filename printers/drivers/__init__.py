"""Printer languages, one driver class each: ZPL for Zebra printers, ESC/POS for thermal
receipt printers, PNG images (one label a file), PDF for office printers and label sheets.

A driver owns everything that differs between languages (see :class:`Driver`); the rest of
the station asks the driver by its recorded name and never compares names itself.
"""

from __future__ import annotations

from printers.drivers.base import Batch, Driver, Settlement
from printers.drivers.escpos import EscposDriver
from printers.drivers.pdf import PdfDriver
from printers.drivers.png import PngDriver
from printers.drivers.zpl import ZplDriver
from printers.errors import PrinterError

_DRIVERS: dict[str, Driver] = {
    driver.name: driver for driver in (ZplDriver(), EscposDriver(), PngDriver(), PdfDriver())
}
NAMES = tuple(_DRIVERS)


def get(name: str) -> Driver:
    try:
        return _DRIVERS[name]
    except KeyError:
        raise PrinterError(
            f"unknown printer driver {name!r}: use {', '.join(NAMES[:-1])} or {NAMES[-1]}"
        ) from None


__all__ = ["NAMES", "Batch", "Driver", "Settlement", "get"]
