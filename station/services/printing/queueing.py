"""The one step that queues labels, tag labels and Retail ID unit labels alike: the reprint
guard (a label that printed, may have, or is queued to prints again only as a supervisor's
reprint with a reason), the job's row, its labels in order, and the audit events. The
callers say which labels they want (``jobs.create_job``, ``units.create_unit_job``); this
decides whether they may have them, inside the caller's transaction."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from printers.template import Template
from station.db.bulk import insert_rows
from station.db.models import PrintItem, PrintJob
from station.domain.errors import REPRINT, StationError
from station.domain.states import ItemState, JobState
from station.domain.text import plural
from station.services.context import Context
from station.services.people import roles
from station.services.printing import printer_setup
from station.services.printing.leases import owner_token
from station.services.records import audit


@dataclass(frozen=True, slots=True)
class Label:
    """One label of a job: the tag's, or with ``unit`` one of its Retail ID units."""

    tag_id: int
    unit: int | None = None
    copy: int = 1


@dataclass
class Wanted:
    """Labels a job is to print, and what the audit says of them."""

    labels: Iterable[Label]
    summary: str  # "120 labels", "40 Retail ID unit labels of 1A4... (units 1-40)"
    details: dict[str, Any]
    # The tags the job's event names: by id, or by UID.
    tag_ids: Sequence[int] = ()
    uids: Sequence[str] = ()
    # What of them printed before: (how it is named, the first job that holds it).
    printed: list[tuple[str, int]] = field(default_factory=list)
    # The reprint event: what it counts ("label", "unit label of 1A4..."), its details
    # beside the job and reason, and its tags (as tag ids, or the UIDs above).
    reprinted: tuple[str, str] = ("label", "")
    reprint_details: dict[str, Any] = field(default_factory=dict)
    reprint_tag_ids: Sequence[int] = ()


def queue_labels(
    ctx: Context,
    printer: printer_setup.PrinterView,
    chosen: Template,
    wanted: Wanted,
    reason: str | None,
    reverse: bool = False,
) -> PrintJob:
    """A queued job of ``wanted`` on ``printer`` with ``chosen``, or the refusal to reprint
    without a supervisor and a reason. Runs inside the caller's transaction, which holds the
    rows the labels claim."""
    if wanted.printed:
        roles.require_supervisor(ctx, "reprinting labels")
        if reason is None:
            first, job_id = wanted.printed[0]
            more = f" (and {len(wanted.printed) - 1:,} more)" if len(wanted.printed) > 1 else ""
            raise StationError(
                f"{first}{more} already printed or being printed (job {job_id}); to print again, ",
                REPRINT,
            )
    job = _job_row(ctx, printer, chosen, reason, reverse)
    rows = (
        (job.id, position, label.tag_id, label.unit, label.copy, ItemState.PENDING)
        for position, label in enumerate(wanted.labels, start=1)
    )
    insert_rows(
        ctx.db,
        PrintItem,
        [
            PrintItem.job,
            PrintItem.position,
            PrintItem.tag,
            PrintItem.unit,
            PrintItem.copy,
            PrintItem.state,
        ],
        rows,
    )
    audit.record(
        ctx,
        "print.job",
        f"queued job {job.id}: {wanted.summary} on {printer.name}",
        {
            "job_id": job.id,
            "printer": printer.name,
            "template": chosen.name,
            "template_version": chosen.version,
            **wanted.details,
        },
        tag_ids=list(wanted.tag_ids),
        tag_count=len(wanted.tag_ids) + len(wanted.uids),
        uids=list(wanted.uids),
    )
    if wanted.printed and reason is not None:
        noun, of = wanted.reprinted
        by_id = list(wanted.reprint_tag_ids)
        audit.record(
            ctx,
            "print.reprint",
            f"reprint in job {job.id} of {plural(len(wanted.printed), noun)}{of}: {reason}",
            {"job_id": job.id, "reason": reason, **wanted.reprint_details},
            tag_ids=by_id,
            tag_count=len(by_id) if by_id else len(wanted.uids),
            uids=[] if by_id else list(wanted.uids),
        )
    return job


def _job_row(
    ctx: Context,
    printer: printer_setup.PrinterView,
    chosen: Template,
    reason: str | None,
    reverse: bool = False,
) -> PrintJob:
    """A new job's row, queued (its labels are the caller's to add, in the same
    transaction)."""
    now = ctx.now()
    # The station that queues a job holds it until it claims it, so a job whose creator
    # died before printing shows as interrupted and can be resumed, not queued for ever.
    job: PrintJob = PrintJob.create(
        printer=printer.name,
        driver=printer.driver,
        connection=printer.connection,
        template=chosen.name,
        template_version=chosen.version,
        state=JobState.QUEUED,
        reprint_reason=reason,
        reverse=reverse,
        created_at=now,
        created_by=ctx.operator,
        owner=owner_token(ctx),
        heartbeat_at=now,
        lease_until=now + ctx.settings.job_lease,
    )
    return job
