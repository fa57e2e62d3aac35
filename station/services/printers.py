"""Printers the station knows, their templates, test labels and live status."""

from __future__ import annotations

import re
from pathlib import Path

import platformdirs

from printers import catalog
from printers.device import DRIVERS, TEST_LABEL, PrinterConfig, check_template, print_labels
from printers.device import query_status as device_status
from printers.errors import PrinterError
from printers.status import PrinterStatus
from printers.template import Template
from printers.transports import check_url
from station.db.models import Printer
from station.domain.errors import StationError
from station.domain.text import show
from station.services import audit
from station.services.context import Context

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,39}$")
DEFAULT_TEMPLATES = {
    ("zpl", 203): "uid-3x1-203",
    ("zpl", 300): "uid-2x1-300",
    ("escpos", 203): "escpos-80mm",
}


def user_templates_dir() -> Path:
    """Templates here override bundled ones of the same name."""
    return Path(platformdirs.user_config_dir("tag-station")) / "templates"


def template(name: str) -> Template:
    try:
        return catalog.get(name, user_templates_dir())
    except PrinterError as exc:
        raise StationError(str(exc)) from None


def config_of(printer: Printer) -> PrinterConfig:
    return PrinterConfig(
        printer.name, printer.driver, printer.connection, printer.dpi, printer.template
    )


def add_printer(
    ctx: Context,
    name: str,
    driver: str,
    connection: str,
    dpi: int | None = None,
    template_name: str | None = None,
) -> Printer:
    if not _NAME.match(name):
        raise StationError(
            f"bad printer name {show(name)}: use up to 40 letters, digits, '.', '_' or '-'"
        )
    if driver not in DRIVERS:
        raise StationError(f"unknown driver {show(driver)}: use {' or '.join(DRIVERS)}")
    try:
        check_url(connection)
    except PrinterError as exc:
        raise StationError(str(exc)) from None
    if template_name is None:
        template_name = DEFAULT_TEMPLATES.get((driver, dpi or 203))
        if template_name is None:
            raise StationError(f"no bundled {driver} template for {dpi} dpi; pass --template")
    chosen = template(template_name)
    config = PrinterConfig(name, driver, connection, dpi or chosen.dpi, template_name)
    try:
        check_template(config, chosen)
    except PrinterError as exc:
        raise StationError(str(exc)) from None
    with ctx.db.atomic():
        if Printer.get_or_none(Printer.name == name) is not None:
            raise StationError(f"a printer named {name} already exists")
        printer: Printer = Printer.create(
            name=name,
            driver=driver,
            connection=connection,
            dpi=config.dpi,
            template=template_name,
            created_at=ctx.now(),
        )
        audit.record(
            ctx,
            "printer.add",
            f"added printer {name} ({driver}, {connection})",
            {
                "name": name,
                "driver": driver,
                "connection": connection,
                "dpi": config.dpi,
                "template": template_name,
            },
        )
    return printer


def list_printers(ctx: Context) -> list[Printer]:
    return list(Printer.select().order_by(Printer.name))


def get_printer(ctx: Context, name: str) -> Printer:
    printer: Printer | None = Printer.get_or_none(Printer.name == name)
    if printer is None:
        known = ", ".join(p.name for p in list_printers(ctx)) or "none"
        raise StationError(f"no printer named {show(name)} (known: {known})")
    return printer


def remove_printer(ctx: Context, name: str) -> None:
    with ctx.db.atomic():
        printer = get_printer(ctx, name)
        printer.delete_instance()
        audit.record(
            ctx,
            "printer.remove",
            f"removed printer {name}",
            {"name": name, "connection": printer.connection},
        )


def print_test_label(ctx: Context, name: str) -> int:
    """Send one clearly marked test label (no real UID); returns the bytes sent."""
    printer = get_printer(ctx, name)
    try:
        sent = print_labels(config_of(printer), template(printer.template), [TEST_LABEL])
    except PrinterError as exc:
        raise StationError(str(exc)) from None
    audit.record(ctx, "printer.test", f"printed a test label on {name}", {"name": name})
    return sent


def status(ctx: Context, name: str, timeout: float = 2.0) -> PrinterStatus:
    printer = get_printer(ctx, name)
    try:
        return device_status(config_of(printer), timeout)
    except PrinterError as exc:
        raise StationError(str(exc)) from None
