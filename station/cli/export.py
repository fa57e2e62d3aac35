"""``station export ...``: Metrc import files and a CSV of tags."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from station.cli.output import message
from station.cli.state import State, pass_state
from station.domain.dates import parse_date
from station.domain.states import TagStatus, TagType
from station.domain.text import plural
from station.services.metrc import exports

WHAT = {
    "plant-tags": "Metrc import CSVs assigning plant tags to immature plants (promote).",
    "replaced-tags": "Metrc import CSVs of replaced plant tags.",
    "packed-plants": "Metrc import CSVs packing immature plants into packages.",
    "packages": "JSON files of the POST /packages/v2/ payloads, 500 packages a file.",
}


@click.group()
def export() -> None:
    """Files for Metrc's Data Import page and for spreadsheets."""


def _file_command(kind: str) -> click.Command:
    @click.command(kind, help=WHAT[kind] + " At most 500 rows a file, one set per license.")
    @click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
    @click.option("--license", "license_number", help="One facility (default: every one).")
    @click.option("--batch", "batches", type=int, multiple=True, help="Only these assignments.")
    @pass_state
    def command(
        state: State, folder: Path, license_number: str | None, batches: tuple[int, ...]
    ) -> None:
        written = exports.export(
            state.context(), kind, folder, license_number, list(batches) or None
        )
        for path in written.files:
            click.echo(str(path))
        for skipped in written.skipped:
            message(f"not exported: batch {skipped.assignment_id} {skipped.reason}")
        message(f"wrote {plural(written.rows, 'row')} in {plural(len(written.files), 'file')}")

    return command


for _kind in exports.KINDS:
    export.add_command(_file_command(_kind))


@export.command("tags")
@click.argument("file", default="-")
@click.option("--status", type=click.Choice([status.value for status in TagStatus]))
@click.option("--type", "tag_type", type=click.Choice([kind.value for kind in reversed(TagType)]))
@pass_state
def tags(state: State, file: str, status: str | None, tag_type: str | None) -> None:
    """Every tag with its state, order and assignment, as CSV with a header (FILE or -)."""
    ctx = state.context()
    if file == "-":
        count = exports.tags_csv(ctx, sys.stdout, status, tag_type)
    else:
        count = exports.tags_file(ctx, Path(file), status, tag_type)
    message(f"exported {plural(count, 'tag')}")


@export.command("audit")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--from", "start", metavar="DATE", help="First day (YYYY-MM-DD), station time.")
@click.option("--to", "end", metavar="DATE", help="Last day (YYYY-MM-DD), included.")
@click.option("--format", "fmt", type=click.Choice(exports.AUDIT_FORMATS))
@pass_state
def audit(state: State, file: Path, start: str | None, end: str | None, fmt: str | None) -> None:
    """The audit trail for an inspector, every event with every UID it touched, as CSV or
    JSON lines (by FILE's suffix, .csv or .jsonl, or --format); never over an existing file."""
    first = parse_date(start, "--from date") if start is not None else None
    last = parse_date(end, "--to date") if end is not None else None
    count = exports.audit_file(state.context(), file, fmt, first, last)
    message(f"exported {plural(count, 'audit event')} to {file}")
