"""``station backup|restore|stock|due``: the record kept safe, and what is about to run out
or fall due."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from station.cli.output import FORMATS, emit, message
from station.cli.state import State, pass_state
from station.domain.text import plural
from station.services.records import backups
from station.services.records import restore as restoring
from station.services.tags import deadlines
from station.services.tags import stock as stock_service

_STOCK = [
    "license_number",
    "facility",
    "type",
    "on_hand",
    "on_order",
    "used_30_days",
    "days_left",
    "suggested_reorder",
    "reorder_cost",
]
_DUE = ["kind", "license_number", "subject", "due_on", "days_over", "text"]


@click.command()
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@pass_state
def backup(state: State, file: Path) -> None:
    """Write a checked, consistent copy of the database to the new FILE (never over an
    existing one): an SQLite file, or a pg_dump archive on PostgreSQL."""
    made = backups.backup(state.context(daily_backup=False), file)
    click.echo(str(made.path))
    message(
        f"backed up {plural(made.tags, 'tag')} and {plural(made.events, 'audit event')} "
        f"({made.bytes / 1e6:.1f} MB, checked)"
    )


@click.command()
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--force",
    is_flag=True,
    help="Restore even if later work would be lost or the backup's history is not this one's.",
)
@pass_state
def restore(state: State, file: Path, force: bool) -> None:
    """Put the backup FILE back in place of the database, keeping the database as it was
    aside. A supervisor's command. Refused, unless --force, when the database holds audit
    events the backup lacks, or the backup's chain does not verify, is not this station's
    history, or has fewer operators. Close the other stations first."""
    # A damaged file is opened all the same: a restore is what puts it right.
    done = restoring.restore(state.context(daily_backup=False, damaged_ok=True), file, force)
    lost = f"; {plural(done.lost, 'later audit event')} dropped" if done.lost else ""
    message(f"restored {done.source} ({plural(done.events, 'audit event')}){lost}")
    if done.forced:
        message(f"forced past: {'; '.join(done.forced)}")
    message(f"the database as it was is kept in {done.aside}")


@click.command()
@click.option("--license", "license_number", help="One facility (default: every one).")
@click.option("--format", "fmt", type=FORMATS, default="table", show_default=True)
@pass_state
def stock(state: State, license_number: str | None, fmt: str) -> None:
    """Tags on hand, on order and used in the last 30 days per facility and type, the days
    the ones on hand last at that rate, and the tags to reorder (within the state's holding
    cap) with their cost where the state's tag price is known."""
    rows = stock_service.stock(state.context(), license_number)
    emit((row.as_dict() for row in rows), fmt, _STOCK)


@click.command()
@click.option("--format", "fmt", type=FORMATS, default="table", show_default=True)
@pass_state
def due(state: State, fmt: str) -> int:
    """Deadlines due or overdue, by each facility's state rules: receipts, orders that never
    arrived, Metrc reconciliation, Retail ID codes, uncertain labels; and the deadline rules
    not known for a state. Exit status 1 when anything is due (for a cron job), else 0."""
    found = deadlines.due(state.context())
    if fmt == "table" and not found:
        message("nothing is due")
    else:
        emit((item.as_dict() for item in found), fmt, _DUE)
    sys.stdout.flush()
    return 1 if any(item.is_due for item in found) else 0
