"""A configured printer: its language, its connection, and what it can be asked."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from printers.errors import PrinterError
from printers.label import LabelData
from printers.render import escpos, image, zpl
from printers.status import PrinterStatus, escpos_status, zebra_status
from printers.template import Template
from printers.transports import open_transport
from printers.transports.base import Transport
from printers.transports.spool import SpoolTransport

DRIVERS = ("zpl", "escpos")

TEST_LABEL = LabelData(
    uid="TEST0000000000000000TEST",
    license_number="TEST-LICENSE",
    facility_name="Tag Station test label",
    order_date="2026-01-01",
    type="package",
    item="Test item",
    quantity="1",
    unit="Each",
    production_batch="TEST",
    packaged_date="2026-01-01",
    strain="Test strain",
    location="Test location",
    growth_phase="Vegetative",
)


@dataclass(frozen=True)
class PrinterConfig:
    name: str
    driver: str
    connection: str
    dpi: int
    template: str


def check_template(config: PrinterConfig, template: Template) -> None:
    """Refuse a template this printer cannot print as designed."""
    if template.driver != config.driver:
        raise PrinterError(
            f"template {template.name} is for {template.driver} printers; "
            f"{config.name} is {config.driver}"
        )
    if template.dpi != config.dpi:
        raise PrinterError(
            f"template {template.name} is laid out for {template.dpi} dpi; "
            f"{config.name} prints at {config.dpi} dpi"
        )


def render_chunks(
    driver: str, template: Template, labels: Sequence[LabelData], copies: int = 1
) -> list[bytes]:
    """Printer bytes: a setup chunk (may be empty), then one chunk per label."""
    if driver == "zpl":
        batch = zpl.render_batch(template, labels, copies)
        return [batch.format, *batch.recalls]
    if driver == "escpos":
        return [b"", *(escpos.render(template, [label], copies) for label in labels)]
    raise PrinterError(f"unknown printer driver {driver!r}: use {' or '.join(DRIVERS)}")


def print_labels(
    config: PrinterConfig,
    template: Template,
    labels: Sequence[LabelData],
    copies: int = 1,
    transport: Transport | None = None,
) -> int:
    """Render and send ``labels``; returns the bytes sent."""
    check_template(config, template)
    chunks = render_chunks(config.driver, template, labels, copies)
    own = transport is None
    link = transport or open_transport(config.connection)
    try:
        for chunk in chunks:
            link.write(chunk)
        preview_on_spool(link, template, labels)
    finally:
        if own:
            link.close()
    return sum(len(chunk) for chunk in chunks)


def preview_on_spool(link: Transport, template: Template, labels: Sequence[LabelData]) -> None:
    """A spool folder keeps a PNG of every label beside the printer bytes."""
    if isinstance(link, SpoolTransport):
        link.preview([image.render_label(template, label) for label in labels], template.dpi)


def query_status(config: PrinterConfig, timeout: float = 2.0) -> PrinterStatus:
    with open_transport(config.connection, timeout) as link:
        if isinstance(link, SpoolTransport):
            return PrinterStatus(True, fields={"folder": str(link.folder)})
        if not link.two_way:
            return PrinterStatus(
                False, [f"{link.description} cannot report the printer's own status"]
            )
        if config.driver == "zpl":
            return zebra_status(link, timeout)
        return escpos_status(link, timeout)
