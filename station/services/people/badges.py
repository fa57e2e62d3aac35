"""Operator badges: a label with the operator's name and role and a Code 128 of a fresh
badge code, written to a PNG or PDF file or printed (``templates/badges/``)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from printers import catalog, drivers
from printers.device import print_labels
from printers.errors import PrinterError
from printers.label import LabelData
from printers.template import Template
from station.domain.errors import StationError
from station.services.context import Context
from station.services.people import operators
from station.services.people.operators import SignedIn
from station.services.printing import printer_setup, rendering

T = TypeVar("T")
FILE_FORMATS = ("png", "pdf")
# A badge drawn as an image (a file, or a printer that takes images) uses the Zebra layout.
_IMAGE_TEMPLATE = ("zpl", 203)


def to_file(ctx: Context, name: str, output: Path, force: bool = False) -> bool:
    """A new badge for ``name`` in ``output`` (.png or .pdf), created private; returns
    whether it replaced a badge."""
    fmt = output.suffix.lower().removeprefix(".")
    if fmt not in FILE_FORMATS:
        raise StationError(f"a badge file is .png or .pdf, not {output.name}")
    if not output.parent.is_dir():
        raise StationError(f"no such folder: {output.parent}")
    template = _template(*_IMAGE_TEMPLATE)

    def write(signed: SignedIn, code: str) -> None:
        data = _rendered(lambda: drivers.get(fmt).files(template, [_label(signed, code)])[0])
        rendering.write_output(output, data, force)

    return operators.issue_badge(ctx, name, write)


def to_printer(ctx: Context, name: str, printer_name: str | None) -> tuple[str, bool]:
    """A new badge for ``name``, printed; returns the printer's name, and whether it replaced
    a badge."""
    printer = printer_setup.chosen_printer(ctx, printer_name)
    try:
        template = catalog.badge_template(printer.driver, printer.dpi)
    except PrinterError as exc:
        # A printer of images (PNG, PDF) draws the Zebra layout; any other has no badge.
        template = _template(*_IMAGE_TEMPLATE)
        if not drivers.get(printer.driver).renders(template):
            raise StationError(str(exc)) from None
    config = printer_setup.config_of(ctx, printer)

    def send(signed: SignedIn, code: str) -> None:
        _rendered(lambda: print_labels(config, template, [_label(signed, code)]))

    return printer.name, operators.issue_badge(ctx, name, send)


def _label(signed: SignedIn, code: str) -> LabelData:
    return LabelData("", "", "", "", operator=signed.name, role=signed.role, badge=code)


def _template(driver: str, dpi: int) -> Template:
    try:
        return catalog.badge_template(driver, dpi)
    except PrinterError as exc:
        raise StationError(str(exc)) from None


def _rendered(work: Callable[[], T]) -> T:
    try:
        return work()
    except PrinterError as exc:
        raise StationError(str(exc)) from None
