"""``station printer add|set|default|list|test|status|remove``."""

from __future__ import annotations

import click

from station.cli.output import FORMATS, emit, message
from station.cli.scans import read_scans
from station.cli.state import State, pass_state
from station.domain.errors import StationError
from station.services.printing import printer_setup, run_check


@click.group()
def printer() -> None:
    """Label printers: Zebra (zpl), ESC/POS (escpos), office printers (pdf), images (png)."""


@printer.command("add")
@click.argument("name")
@click.option("--driver", type=click.Choice(printer_setup.DRIVER_NAMES), required=True)
@click.option(
    "--connection",
    required=True,
    metavar="URL",
    help="tcp://HOST[:PORT], serial:///dev/ttyUSB0?baudrate=9600, cups://QUEUE, "
    "usb://VID:PID, file:///PATH or spool:///FOLDER",
)
@click.option("--dpi", type=click.Choice(["203", "300", "600"]), help="Print resolution.")
@click.option("--template", "template_name", help="Default label template.")
@pass_state
def add(
    state: State,
    name: str,
    driver: str,
    connection: str,
    dpi: str | None,
    template_name: str | None,
) -> None:
    """Add a printer, e.g. station printer add shelf --driver zpl --connection tcp://10.0.0.9."""
    added = printer_setup.add_printer(
        state.context(), name, driver, connection, int(dpi) if dpi else None, template_name
    )
    message(
        f"added printer {added.name}: {added.driver} at {added.connection}, "
        f"{added.dpi} dpi, template {added.template}"
    )


@printer.command("set")
@click.argument("name")
@click.option("--template", "template_name", help="Default label template.")
@click.option("--connection", metavar="URL", help="Where the printer is (as for add).")
@click.option("--dpi", type=click.Choice(["203", "300", "600"]), help="Print resolution.")
@pass_state
def set_(
    state: State, name: str, template_name: str | None, connection: str | None, dpi: str | None
) -> None:
    """Change a printer's default template, connection or resolution."""
    changed = printer_setup.set_printer(
        state.context(), name, template_name, connection, int(dpi) if dpi else None
    )
    message(
        f"printer {changed.name}: {changed.driver} at {changed.connection}, "
        f"{changed.dpi} dpi, template {changed.template}"
    )


@printer.command("default")
@click.argument("name")
@pass_state
def default(state: State, name: str) -> None:
    """Make NAME the printer station print uses without --printer."""
    printer_setup.make_default(state.context(), name)
    message(f"printer {name} is the default")


@printer.command("list")
@click.option("--format", "fmt", type=FORMATS, default="table", show_default=True)
@pass_state
def list_(state: State, fmt: str) -> None:
    """List printers."""
    rows = (p.as_dict() for p in printer_setup.list_printers(state.context()))
    emit(rows, fmt, ["name", "driver", "connection", "dpi", "template", "default"])


@printer.command("test")
@click.argument("name")
@pass_state
def test(state: State, name: str) -> None:
    """Print one test label (marked TEST, no real UID)."""
    sent = printer_setup.print_test_label(state.context(), name)
    message(f"sent a test label to {name} ({sent:,} bytes)")


@printer.command("status")
@click.argument("name")
@click.option("--timeout", type=click.FloatRange(0.1, 60), default=2.0, show_default=True)
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True
)
@pass_state
def status(state: State, name: str, timeout: float, fmt: str) -> None:
    """Ask the printer how it is; exit 1 unless it is ready."""
    result = printer_setup.status(state.context(), name, timeout)
    if fmt == "json":
        import json

        click.echo(
            json.dumps(
                {
                    "name": name,
                    "ready": result.ready,
                    "answered": result.answered,
                    "problems": result.problems,
                    "warnings": result.warnings,
                    "fields": result.fields,
                }
            )
        )
    else:
        click.echo(f"{name}: {result.summary()}")
        for key, value in result.fields.items():
            click.echo(f"  {key.replace('_', ' ')}: {value}")
    if not result.ready:
        raise StationError(f"printer {name} is not ready: {result.summary()}")


@printer.command("verify-runs")
@click.argument("name")
@click.option(
    "--count",
    type=click.IntRange(2, 50),
    default=6,
    show_default=True,
    help="Test labels in the run.",
)
@pass_state
def verify_runs(state: State, name: str, count: int) -> None:
    """Print a short test run of Retail ID unit labels that the Zebra NAME serializes itself,
    then scan every label's QR code (one a line, from a scanner or standard input). Only if
    every code reads back right, and no two are the same, does NAME get its units as runs;
    otherwise, and until then, one label at a time."""
    ctx = state.context()
    expected = run_check.send_test_run(ctx, name, count)
    message(f"sent a test run of {count} labels to {name}: scan each label's QR code")
    scanned = read_scans(count)
    result = run_check.record(ctx, name, expected, scanned)
    if not result.passed:
        raise StationError(
            f"{name} failed the run check: {result.problem}; it keeps printing Retail ID "
            "units one label at a time"
        )
    message(f"{name} passed: its Retail ID units now go as runs it serializes")


@printer.command("remove")
@click.argument("name")
@pass_state
def remove(state: State, name: str) -> None:
    """Remove a printer."""
    printer_setup.remove_printer(state.context(), name)
    message(f"removed printer {name}")
