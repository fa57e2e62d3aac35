"""A configured printer: its language, its connection, and what it can be asked."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from printers import drivers
from printers.errors import PrinterError
from printers.label import LabelData
from printers.status import PrinterStatus
from printers.template import Template
from printers.transports import open_transport
from printers.transports.base import Transport

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


def print_labels(
    config: PrinterConfig,
    template: Template,
    labels: Sequence[LabelData],
    copies: int = 1,
    transport: Transport | None = None,
) -> int:
    """Render and send ``labels``; returns the bytes sent."""
    check_template(config, template)
    driver = drivers.get(config.driver)
    batch = driver.batch(template, labels, copies)
    step = driver.labels_per_chunk(template) or 1
    chunks = [batch.setup, *(batch.chunk(at, at + step) for at in range(0, len(labels), step))]
    own = transport is None
    link = transport or open_transport(config.connection)
    try:
        for chunk in chunks:
            link.write(chunk)
        keep_previews(link, template, labels)
    finally:
        if own:
            link.close()
    return sum(len(chunk) for chunk in chunks)


def keep_previews(
    link: Transport, template: Template, labels: Sequence[LabelData], prefix: str = ""
) -> None:
    """A spool folder keeps a PNG of every label beside the printer bytes, named
    ``prefix`` and the label's UID (and unit)."""
    if link.keeps_previews:
        from printers.render import image  # Pillow loads only for previews.

        link.preview(
            [image.render_label(template, label) for label in labels],
            template.dpi,
            [f"{prefix}{shown_as(label)}" for label in labels],
        )


def shown_as(label: LabelData) -> str:
    """A label in a file name: its UID, and a Retail ID unit label's unit number."""
    return f"{label.uid}-unit{label.unit_index}" if label.unit_index else label.uid


def query_status(config: PrinterConfig, timeout: float = 2.0) -> PrinterStatus:
    with open_transport(config.connection, timeout) as link:
        return link.own_status() or drivers.get(config.driver).status(link, timeout)
