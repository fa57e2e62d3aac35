"""Print jobs: creating them (one label per tag and copy, in order) and reading them back."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from peewee import fn

from printers.device import check_template
from printers.errors import PrinterError
from printers.template import Template
from station.db.locking import lock_rows, locked
from station.db.models import PrintItem, PrintJob, Tag
from station.db.rows import slices, tuples
from station.domain import fields, times
from station.domain.errors import StationError, give
from station.domain.states import IN_DOUBT, ItemState, JobState
from station.domain.text import plural
from station.services.context import Context
from station.services.printing import labels, printer_setup, templates
from station.services.printing.leases import status_of
from station.services.printing.queueing import Label, Wanted, queue_labels

MAX_COPIES = 100


@dataclass
class JobSummary:
    id: int
    status: JobState
    printer: str
    template: str
    total: int
    counts: Counter[str] = field(default_factory=Counter)
    pause_reason: str | None = None
    created_at: dt.datetime | None = None
    created_by: str = ""
    reprint_reason: str | None = None

    @property
    def reason(self) -> str:
        """Why the job paused, else why it reprints; empty for neither."""
        if self.pause_reason:
            return self.pause_reason
        return f"reprint: {self.reprint_reason}" if self.reprint_reason else ""

    @property
    def uncertain(self) -> int:
        """Labels that may or may not have printed (a crash leaves them sent)."""
        return sum(self.counts[state] for state in IN_DOUBT)

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "status": self.status,
            "printer": self.printer,
            "template": self.template,
            "total": self.total,
            "done": self.counts[ItemState.DONE],
            "uncertain": self.uncertain,
            "pending": self.counts[ItemState.PENDING],
            "skipped": self.counts[ItemState.SKIPPED],
            "pause_reason": self.pause_reason,
            "reprint_reason": self.reprint_reason,
            "created_at": times.utc(self.created_at) if self.created_at else None,
            "created_by": self.created_by,
        }


def print_target(
    ctx: Context, printer_name: str | None, template_name: str | None = None
) -> tuple[printer_setup.PrinterView, Template]:
    """The printer labels go to (``printer_name``, else ``STATION_PRINTER``, else the default
    printer) and the template, its default unless ``template_name``; refused when the
    template is not for that printer (checked before anything is done for the print)."""
    printer = printer_setup.chosen_printer(ctx, printer_name)
    chosen = templates.load(ctx.folders, template_name or printer.template)
    try:
        check_template(printer_setup.config_of(ctx, printer), chosen)
    except PrinterError as exc:
        raise StationError(str(exc)) from None
    return printer, chosen


def create_job(
    ctx: Context,
    uids: Sequence[str],
    printer_name: str,
    template_name: str | None = None,
    copies: int = 1,
    reverse: bool = False,
    reprint_reason: str | None = None,
) -> PrintJob:
    """A queued job for ``uids`` (received or used tags), ``copies`` labels each."""
    if not 1 <= copies <= MAX_COPIES:
        raise StationError(f"copies must be 1 to {MAX_COPIES}, not {copies}")
    reason = fields.text(reprint_reason, "reprint reason", 500, required=False)
    printer, chosen = print_target(ctx, printer_name, template_name)
    with ctx.db.atomic():
        found = labels.printable(ctx, uids)
        if not found:
            raise StationError("no tags to print")
        if chosen.unit_labels:
            raise StationError(
                f"template {chosen.name} prints Retail ID unit labels: print them with ",
                give("retail-id=PACKAGE_UID"),
            )
        labels.refuse_other_tag_types(chosen, (view for _, view in found))
        labels.refuse_cut(chosen, (labels.label_for(view) for _, view in found))
        ids = {view.uid: tag_id for tag_id, view in found}
        # Held until the job's labels are in: another job for the same tags waits here,
        # then sees them claimed (SQLite's write transaction already holds the file).
        for part in slices(sorted(ids), 1000):
            lock_rows(Tag.select(Tag.id).where(Tag.uid.in_(part)).order_by(Tag.uid))
        printed = _already_printed(ctx, list(ids.values()))
        ordered = list(reversed(ids)) if reverse else list(ids)
        wanted = Wanted(
            labels=(Label(ids[uid], copy=copy) for uid in ordered for copy in range(1, copies + 1)),
            summary=plural(len(ids) * copies, "label"),
            details={"copies": copies, "reverse": reverse},
            tag_ids=list(ids.values()),
            printed=list(printed.items()),
            reprint_tag_ids=[ids[uid] for uid in printed],
        )
        job = queue_labels(ctx, printer, chosen, wanted, reason, reverse)
    return job


def _already_printed(ctx: Context, tag_ids: list[int]) -> dict[str, int]:
    """Tags with a label that printed, may have, or is queued to (uid -> the first job that
    holds one); a Retail ID unit label is not the tag's label."""
    printed: dict[str, int] = {}
    counted = PrintItem.claims_label()
    for part in slices(tag_ids):
        query = (
            PrintItem.select(Tag.uid, fn.MIN(PrintItem.job))
            .join(Tag, on=(PrintItem.tag == Tag.id))
            .where(PrintItem.tag.in_(part) & PrintItem.unit.is_null() & counted)
            .group_by(Tag.uid)
        )
        printed.update(dict(tuples(query)))
    return printed


def get_job(ctx: Context, job_id: int, lock: bool = False) -> PrintJob:
    """The job; with ``lock`` (inside a transaction) its row stays locked until the end of
    it, so two stations claiming or changing one job go one after the other."""
    query = PrintJob.select().where(PrintJob.id == job_id)
    job: PrintJob | None = (locked(query) if lock else query).first()
    if job is None:
        raise StationError(f"no print job {job_id}")
    return job


def summaries(ctx: Context, job_ids: Sequence[int] | None = None) -> list[JobSummary]:
    jobs = PrintJob.select().order_by(PrintJob.id)
    counts = PrintItem.select(PrintItem.job, PrintItem.state, fn.COUNT(PrintItem.id)).group_by(
        PrintItem.job, PrintItem.state
    )
    if job_ids is not None:
        jobs = jobs.where(PrintJob.id.in_(list(job_ids)))
        counts = counts.where(PrintItem.job.in_(list(job_ids)))
    now = ctx.now()
    found = {
        job.id: JobSummary(
            job.id,
            status_of(ctx, job, now),
            job.printer,
            job.template,
            0,
            pause_reason=job.pause_reason,
            created_at=job.created_at,
            created_by=job.created_by,
            reprint_reason=job.reprint_reason,
        )
        for job in jobs
    }
    for job_id, state, count in tuples(counts):
        # A job created after the first query is read in this one; it waits for next time.
        if job_id in found:
            found[job_id].counts[state] = count
            found[job_id].total += count
    return list(found.values())


def job_summary(ctx: Context, job_id: int) -> JobSummary:
    """One job as ``summaries`` lists it; refused if there is no such job."""
    found = summaries(ctx, [job_id])
    if not found:
        raise StationError(f"no print job {job_id}")
    return found[0]


def label_count(ctx: Context, job_id: int) -> int:
    """How many labels the job holds."""
    return int(PrintItem.select().where(PrintItem.job == job_id).count())


def items(ctx: Context, job_id: int) -> list[dict[str, Any]]:
    query = (
        PrintItem.select(
            PrintItem.position, Tag.uid, PrintItem.unit, PrintItem.copy, PrintItem.state
        )
        .join(Tag, on=(PrintItem.tag == Tag.id))
        .where(PrintItem.job == job_id)
        .order_by(PrintItem.position)
    )
    return [
        {"position": position, "uid": uid, "unit": unit, "copy": copy, "state": state}
        for position, uid, unit, copy, state in tuples(query)
    ]


def uncertain_uids(ctx: Context, job_id: int) -> list[str]:
    """The labels in doubt: a tag's UID, or a unit label's ``UID unit N``."""
    query = (
        PrintItem.select(Tag.uid, PrintItem.unit)
        .join(Tag, on=(PrintItem.tag == Tag.id))
        .where((PrintItem.job == job_id) & PrintItem.state.in_(IN_DOUBT))
        .order_by(PrintItem.position)
    )
    return [uid if unit is None else f"{uid} unit {unit}" for uid, unit in tuples(query)]
