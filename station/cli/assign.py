"""``station assign package|plant``: print the assigned UIDs, one per line."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click

from station.cli.output import message, warn_all, working
from station.cli.scans import read_uids
from station.cli.state import State, pass_state
from station.domain.text import plural
from station.services import printing
from station.services.printing import labels, templates
from station.services.tags import assignment
from station.services.tags.assignment import AssignResult
from station.services.tags.assignment_details import Details, package_details, plant_details


def _common(command: Callable[..., Any]) -> Callable[..., Any]:
    command = click.option(
        "--template", "template_name", help="With --print: instead of the printer's template."
    )(command)
    command = click.option(
        "--printer", "printer_name", help="With --print: instead of the default printer."
    )(command)
    command = click.option(
        "--print", "print_labels", is_flag=True, help="Print the labels of the assigned tags."
    )(command)
    command = click.option(
        "--tags", "tags_file", metavar="FILE|-", help="Assign exactly these scanned UIDs."
    )(command)
    command = click.option(
        "--license", "license_number", help="Facility (needed when several hold tags)."
    )(command)
    command = click.option(
        "--count", type=click.IntRange(min=1), help="How many tags (the next received ones)."
    )(command)
    return command


@click.group()
def assign() -> None:
    """Assign received tags to packages or plants."""


@assign.command("package")
@_common
@click.option("--item", required=True, help="Item name, as in Metrc.")
@click.option("--quantity", required=True, help="Quantity in each package.")
@click.option("--unit", required=True, help="Unit of measure, e.g. Grams, Each.")
@click.option("--batch", help="Production batch number.")
@click.option("--date", "packaged", help="Packaged date, YYYY-MM-DD (default today).")
@click.option("--location", help="Where the packages are (Metrc location).")
@click.option("--plant-batch", help="Metrc plant batch whose immature plants these packages hold.")
@pass_state
def package(
    state: State,
    count: int | None,
    license_number: str | None,
    tags_file: str | None,
    item: str,
    quantity: str,
    unit: str,
    batch: str | None,
    packaged: str | None,
    location: str | None,
    plant_batch: str | None,
    print_labels: bool,
    printer_name: str | None,
    template_name: str | None,
) -> None:
    """Assign package tags, e.g. --count 120 --item "Blue Dream 3.5g" --quantity 3.5 --unit g."""
    ctx = state.context()
    read = package_details(
        ctx.today(), item, quantity, unit, batch, packaged, location, plant_batch
    )
    target = _target(state, print_labels, printer_name, template_name)
    _run(state, read, count, license_number, tags_file, target)


@assign.command("plant")
@_common
@click.option("--strain", required=True)
@click.option("--location", help="Where the plants are.")
@click.option("--phase", help="Growth phase: Immature, Vegetative or Flowering.")
@click.option("--plant-batch", help="Metrc plant batch the plants come from.")
@pass_state
def plant(
    state: State,
    count: int | None,
    license_number: str | None,
    tags_file: str | None,
    strain: str,
    location: str | None,
    phase: str | None,
    plant_batch: str | None,
    print_labels: bool,
    printer_name: str | None,
    template_name: str | None,
) -> None:
    """Assign plant tags: e.g. --count 3 --strain "Blue Dream" --location "Room 2"."""
    details = plant_details(strain, location, phase, plant_batch)
    target = _target(state, print_labels, printer_name, template_name)
    _run(state, details, count, license_number, tags_file, target)


def _target(
    state: State, print_labels: bool, printer_name: str | None, template_name: str | None
) -> tuple[str, str] | None:
    """With --print, the printer and template, checked before anything is assigned: a
    printer that does not exist must not leave a batch assigned and its labels unprinted."""
    if not print_labels:
        if printer_name is not None or template_name is not None:
            raise click.UsageError("--printer and --template go with --print")
        return None
    printer, template = printing.print_target(state.context(), printer_name, template_name)
    return printer.name, template.name


def _run(
    state: State,
    details: Details,
    count: int | None,
    license_number: str | None,
    tags_file: str | None,
    target: tuple[str, str] | None,
) -> None:
    ctx = state.context()
    if target is not None:
        # An item or batch too long for the label is refused before anything is assigned.
        labels.refuse_cut_details(templates.load(ctx.folders, target[1]), details)
    result: AssignResult
    if tags_file is not None:
        uids = read_uids(tags_file)
        if count is not None and count != len(set(uids)):
            raise click.UsageError(f"--count {count} but {len(set(uids))} UIDs were given")
        with working(f"assigning {plural(len(set(uids)), details.kind + ' tag')}..."):
            result = assignment.assign_uids(ctx, details, uids, license_number)
    elif count is not None:
        with working(f"assigning {plural(count, details.kind + ' tag')}..."):
            result = assignment.assign_next(ctx, details, count, license_number)
    else:
        raise click.UsageError("give --count N or --tags FILE|-")
    warn_all(result.warnings)
    if result.uids:
        click.echo("\n".join(result.uids))  # one write: a batch can be 10,000 lines
    shape = "one contiguous run" if result.contiguous else "as listed"
    if tags_file is None and not result.contiguous:
        shape = "no contiguous run was long enough; lowest tags first"
    message(
        f"assigned {plural(len(result.uids), details.kind + ' tag')} "
        f"to batch {result.batch_id} ({shape})"
    )
    if target is not None:
        # The assignment is committed: a printer fault pauses the job, which resumes like
        # any other; the batch stays assigned.
        from station.cli.print_ import print_now, report

        report(print_now(ctx, printing.TagLabels(result.uids, *target), "label"))
