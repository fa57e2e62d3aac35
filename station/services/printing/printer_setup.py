"""Printers the station knows: adding and removing them, test labels and live status."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from typing import Any

from printers import drivers
from printers.device import TEST_LABEL, PrinterConfig, check_template, print_labels, query_status
from printers.errors import PrinterError
from printers.status import PrinterStatus
from printers.transports import check_url
from station.db.models import Printer
from station.domain import fields
from station.domain.changes import described, differences
from station.domain.errors import StationError, give, give_one
from station.domain.text import show
from station.services.context import Context
from station.services.people import roles
from station.services.printing import templates
from station.services.records import audit

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,39}$")
# The longest connection URL the database keeps.
CONNECTION_LENGTH = 500
# The printer languages a printer can be added with.
DRIVER_NAMES = drivers.NAMES


@dataclass(frozen=True)
class PrinterView:
    name: str
    driver: str
    connection: str
    dpi: int
    template: str
    default: bool = False

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class PrinterState:
    """A printer and how it is, in words ("ready", "not ready: paper out", "unreachable")."""

    printer: PrinterView
    summary: str


def _view(printer: Printer) -> PrinterView:
    return PrinterView(
        printer.name,
        printer.driver,
        printer.connection,
        printer.dpi,
        printer.template,
        bool(printer.is_default),
    )


def config_of(ctx: Context, printer: PrinterView | Printer) -> PrinterConfig:
    """The printer as the printer layer takes it, its connection ready to open."""
    return PrinterConfig(
        printer.name,
        printer.driver,
        ctx.folders.printer_url(printer.connection),
        printer.dpi,
        printer.template,
    )


def add_printer(
    ctx: Context,
    name: str,
    driver: str,
    connection: str,
    dpi: int | None = None,
    template_name: str | None = None,
) -> PrinterView:
    # Everything typed is checked before a supervisor is asked to approve it.
    if not _NAME.match(name):
        raise StationError(
            f"bad printer name {show(name)}: use up to 40 letters, digits, '.', '_' or '-'"
        )
    try:
        language = drivers.get(driver)
    except PrinterError as exc:
        raise StationError(str(exc)) from None
    if template_name is None:
        defaults = language.default_templates
        template_name = defaults.get(dpi) if dpi else next(iter(defaults.values()), None)
        if template_name is None:
            raise StationError(
                f"no bundled {driver} template for {dpi} dpi; ", give("template", verb="pass")
            )
    config = _checked(ctx, name, driver, connection, dpi, template_name)
    connection = config.connection
    with ctx.db.atomic():
        if Printer.get_or_none(Printer.name == name) is not None:
            raise StationError(f"a printer named {name} already exists")
        roles.require_supervisor(ctx, "adding a printer")
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
    return _view(printer)


def _checked(
    ctx: Context, name: str, driver: str, connection: str, dpi: int | None, template_name: str
) -> PrinterConfig:
    """The printer as it would be stored, its connection and template checked (the template
    must be for its language and fit its resolution)."""
    connection = fields.required_text(connection, "connection", CONNECTION_LENGTH)
    if any(char.isspace() for char in connection):
        raise StationError(f"connection {show(connection)} has a space in it")
    try:
        check_url(connection)
    except PrinterError as exc:
        raise StationError(str(exc)) from None
    chosen = templates.load(ctx.folders, template_name)
    config = PrinterConfig(name, driver, connection, dpi or chosen.dpi, template_name)
    try:
        check_template(config, chosen)
    except PrinterError as exc:
        raise StationError(str(exc)) from None
    return config


def set_printer(
    ctx: Context,
    name: str,
    template_name: str | None = None,
    connection: str | None = None,
    dpi: int | None = None,
) -> PrinterView:
    """Change a printer's default template, connection or resolution (checked as when it
    was added); labels of jobs already queued keep the printer they were queued with."""
    if template_name is None and connection is None and dpi is None:
        raise StationError(
            "nothing to change: ", give_one("template", "connection", "dpi", verb="give")
        )
    with ctx.db.atomic():
        printer = _row(ctx, name)
        before = _view(printer)
        config = _checked(
            ctx,
            name,
            printer.driver,
            printer.connection if connection is None else connection,
            printer.dpi if dpi is None else dpi,
            printer.template if template_name is None else template_name,
        )
        wanted = {"connection": config.connection, "dpi": config.dpi, "template": config.template}
        changed = differences(before, wanted)
        if not changed:
            raise StationError(f"printer {name} is already set that way")
        # Asked only for a change that is checked and would happen.
        roles.require_supervisor(ctx, "changing a printer")
        Printer.update(**wanted).where(Printer.id == printer.id).execute()
        audit.record(
            ctx,
            "printer.set",
            f"printer {name}: {described(changed)}",
            {"name": name, "changed": changed},
        )
        return _view(_row(ctx, name))


def make_default(ctx: Context, name: str) -> PrinterView:
    """``station print`` without ``--printer`` uses this printer from now on."""
    with ctx.db.atomic():
        roles.require_supervisor(ctx, "choosing the default printer")
        printer = _row(ctx, name)
        if printer.is_default:
            raise StationError(f"printer {name} is the default already")
        before = Printer.get_or_none(Printer.is_default == True)  # noqa: E712 - SQL, not Python
        Printer.update(is_default=False).where(Printer.is_default == True).execute()  # noqa: E712
        Printer.update(is_default=True).where(Printer.id == printer.id).execute()
        audit.record(
            ctx,
            "printer.default",
            f"printer {name} is the default"
            + (f" (was {before.name})" if before is not None else ""),
            {"name": name, "was": before.name if before is not None else None},
        )
        return _view(_row(ctx, name))


def chosen_printer(ctx: Context, name: str | None) -> PrinterView:
    """The printer a print goes to: ``name`` if given, else ``STATION_PRINTER``, else the
    default printer."""
    if name is not None:
        return get_printer(ctx, name)
    if ctx.settings.printer is not None:
        return get_printer(ctx, ctx.settings.printer)
    default: Printer | None = Printer.get_or_none(Printer.is_default == True)  # noqa: E712
    if default is None:
        raise StationError(
            "no printer chosen: ",
            give("printer=NAME", verb="pass"),
            ", set STATION_PRINTER, or make one the default with station printer default NAME",
        )
    return _view(default)


def list_printers(ctx: Context) -> list[PrinterView]:
    return [_view(printer) for printer in Printer.select().order_by(Printer.name)]


def get_printer(ctx: Context, name: str) -> PrinterView:
    return _view(_row(ctx, name))


def _row(ctx: Context, name: str) -> Printer:
    printer: Printer | None = Printer.get_or_none(Printer.name == name)
    if printer is None:
        known = ", ".join(p.name for p in list_printers(ctx)) or "none"
        raise StationError(f"no printer named {show(name)} (known: {known})")
    return printer


def remove_printer(ctx: Context, name: str) -> None:
    with ctx.db.atomic():
        roles.require_supervisor(ctx, "removing a printer")
        printer = _row(ctx, name)
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
        sent = print_labels(
            config_of(ctx, printer), templates.load(ctx.folders, printer.template), [TEST_LABEL]
        )
    except PrinterError as exc:
        raise StationError(str(exc)) from None
    audit.record(ctx, "printer.test", f"printed a test label on {name}", {"name": name})
    return sent


def status(ctx: Context, name: str, timeout: float = 2.0) -> PrinterStatus:
    printer = get_printer(ctx, name)
    try:
        return query_status(config_of(ctx, printer), timeout)
    except PrinterError as exc:
        raise StationError(str(exc)) from None


def statuses(ctx: Context, timeout: float = 1.0) -> list[PrinterState]:
    """Every printer with its status; one that cannot be reached does not hide the rest."""
    found = []
    for printer in list_printers(ctx):
        try:
            summary = query_status(config_of(ctx, printer), timeout).summary()
        except Exception as exc:  # any failure of one printer is that printer's state
            summary = f"unreachable: {exc}"
        found.append(PrinterState(printer, summary))
    return found
