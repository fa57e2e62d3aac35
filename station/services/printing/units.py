"""Print jobs of Retail ID unit labels: one label per unit code of a package, through the same
persistent queue as tag labels (pause on fault, crash-safe resume, uncertain labels flagged).

A unit code never prints twice without a recorded reason: a unit whose label printed, or may
have, is refused unless the job is a reprint with a reason (a supervisor's), and audited.
"""

from __future__ import annotations

from peewee import fn

from printers import drivers
from printers.template import Template
from station.db.locking import lock_rows
from station.db.models import PrintItem, PrintJob, Tag
from station.db.rows import tuples
from station.domain import fields
from station.domain.errors import StationError, give, run
from station.domain.text import plural
from station.metrc.retail import Ranges, count_units
from station.services.context import Context
from station.services.metrc import retail_ids
from station.services.printing import labels, printer_setup
from station.services.printing.jobs import print_target
from station.services.printing.queueing import Label, Wanted, queue_labels
from station.services.tags import lookup

# The most unit labels one job takes.
MAX_UNITS = 100_000


def unit_template_name(ctx: Context, printer_name: str | None) -> str:
    """The bundled unit label template for the printer's language and resolution."""
    printer = printer_setup.chosen_printer(ctx, printer_name)
    found = drivers.get(printer.driver).unit_templates.get(printer.dpi)
    if found is None:
        raise StationError(
            f"no bundled Retail ID template for {printer.name} ({printer.driver}, "
            f"{printer.dpi} dpi): ",
            give("template", verb="give"),
            "; QR codes are printed by ZPL and ESC/POS label printers (through a PDF they often "
            "fail to scan)",
        )
    return found


def create_unit_job(
    ctx: Context,
    uid: str,
    printer_name: str | None,
    template_name: str | None = None,
    first_last: tuple[int, int] | None = None,
    reprint_reason: str | None = None,
    unprinted: bool = False,
) -> PrintJob:
    """A queued job of one label per issued unit of the package ``uid`` (or units
    ``first_last``; with ``unprinted``, only those whose label never printed), in index
    order."""
    reason = fields.text(reprint_reason, "reprint reason", 500, required=False)
    name = template_name or unit_template_name(ctx, printer_name)
    printer, chosen = print_target(ctx, printer_name, name)
    if not chosen.unit_labels:
        raise StationError(
            f"template {chosen.name} prints tag labels, not Retail ID unit labels (it has no QR)"
        )
    with ctx.db.atomic():
        tag = retail_ids.package_tag(ctx, uid)
        # Held until the job's labels are in, so a parallel job for the same units sees them
        # claimed (SQLite's write transaction already holds the file).
        lock_rows(Tag.select(Tag.id).where(Tag.id == tag.id))
        wanted = _wanted(retail_ids.stored_ranges(ctx, tag.id), first_last, uid)
        printed = _printed(ctx, tag.id, wanted)
        if unprinted:
            wanted = retail_ids.without_ranges(wanted, [(unit, unit) for unit, _ in printed])
            if not wanted:
                raise StationError(f"every unit of {uid} already printed or being printed")
            printed = []
        _refuse_cut(ctx, chosen, tag.id, wanted)
        indexes = (index for first, last in wanted for index in range(first, last + 1))
        queued = Wanted(
            labels=(Label(tag.id, unit=index) for index in indexes),
            summary=f"{plural(count_units(wanted), 'Retail ID unit label')} of {uid} "
            f"(units {retail_ids.describe_ranges(wanted)})",
            details={"retail_id_units": [list(pair) for pair in wanted]},
            uids=[uid],
            printed=[(f"unit {unit} of {uid}", job_id) for unit, job_id in printed],
            reprinted=("unit label", f" of {uid}"),
            reprint_details={"units": [unit for unit, _ in printed]},
        )
        job = queue_labels(ctx, printer, chosen, queued, reason)
    return job


def _wanted(issued: Ranges, first_last: tuple[int, int] | None, uid: str) -> Ranges:
    if not issued:
        raise StationError(
            f"{uid} has no Retail ID codes recorded: ",
            run(f"retailid generate {uid}", "quantity=N"),
        )
    if first_last is None:
        wanted = issued
    else:
        first, last = first_last
        if first > last:
            raise StationError(give("index"), f" {first} {last}: the first is after the last")
        wanted = [(max(a, first), min(b, last)) for a, b in issued if a <= last and b >= first]
        if count_units(wanted) != last - first + 1:
            raise StationError(
                f"units {first} to {last} of {uid} are not all issued; its codes are "
                f"{retail_ids.describe_ranges(issued)}"
            )
    if count_units(wanted) > MAX_UNITS:
        raise StationError(
            f"{count_units(wanted):,} unit labels; at most {MAX_UNITS:,} a job (",
            give("index", verb="use"),
            ")",
        )
    return wanted


def _refuse_cut(ctx: Context, chosen: Template, tag_id: int, wanted: Ranges) -> None:
    """The package's text must print in full on its first and last unit's labels (the
    longest number is the last)."""
    view = lookup.views_by_id(ctx, [tag_id])[tag_id]
    ends = {wanted[0][0], wanted[-1][1]}
    labels.refuse_cut(chosen, [labels.label_for(view, unit) for unit in sorted(ends)])


def _printed(ctx: Context, tag_id: int, wanted: Ranges) -> list[tuple[int, int]]:
    """Units among ``wanted`` whose label printed, may have, or is queued to (unit, the first
    job that holds one)."""
    counted = PrintItem.claims_label()
    found: list[tuple[int, int]] = []
    for first, last in wanted:
        query = (
            PrintItem.select(PrintItem.unit, fn.MIN(PrintItem.job))
            .where((PrintItem.tag == tag_id) & PrintItem.unit.between(first, last) & counted)
            .group_by(PrintItem.unit)
            .order_by(PrintItem.unit)
        )
        found.extend((unit, job_id) for unit, job_id in tuples(query))
    return found
