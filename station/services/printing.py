"""Print jobs: creating them, listing them, resuming, resolving uncertain labels, cancelling.

The sending itself is in :mod:`station.services.job_runner`.
"""

from __future__ import annotations

import datetime as dt
import os
import socket
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from peewee import fn

from printers.device import check_template
from printers.errors import PrinterError
from station.db.bulk import insert_rows
from station.db.locking import locked
from station.db.models import PrintItem, PrintJob, Tag
from station.db.rows import slices, tuples
from station.domain.errors import StationError
from station.domain.text import plural
from station.services import audit, fields, printers
from station.services.context import Context
from station.services.rendering import tags_to_print

MAX_COPIES = 100
# How long a station holds a job it is printing without renewing (it renews every chunk,
# a few seconds apart). STATION_JOB_LEASE sets it in seconds. Stations compare leases with
# their own clocks, so their clocks must agree to well within it (NTP).
DEFAULT_LEASE = dt.timedelta(seconds=60)


class UncertainLabels(StationError):
    """A job cannot go on until its uncertain labels are reprinted or skipped."""

    def __init__(self, job_id: int, uids: list[str]) -> None:
        self.uids = uids
        super().__init__(
            f"job {job_id} has {plural(len(uids), 'uncertain label')} (they may or may not "
            "have printed); resume with --uncertain reprint or --uncertain skip"
        )


@dataclass
class JobSummary:
    id: int
    status: str
    printer: str
    template: str
    total: int
    counts: Counter[str] = field(default_factory=Counter)
    pause_reason: str | None = None
    created_at: dt.datetime | None = None
    created_by: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "status": self.status,
            "printer": self.printer,
            "template": self.template,
            "total": self.total,
            "done": self.counts["done"],
            "uncertain": self.counts["uncertain"] + self.counts["sent"],
            "pending": self.counts["pending"],
            "skipped": self.counts["skipped"],
            "pause_reason": self.pause_reason,
            "created_at": audit.iso_utc(self.created_at) if self.created_at else None,
            "created_by": self.created_by,
        }


def station_name() -> str:
    """This station in job ownership: ``STATION_NAME``, else the host name."""
    return os.environ.get("STATION_NAME", "").strip() or socket.gethostname()


def owner_token() -> str:
    return f"{station_name()}:{os.getpid()}"


def lease() -> dt.timedelta:
    raw = os.environ.get("STATION_JOB_LEASE", "").strip()
    if not raw:
        return DEFAULT_LEASE
    try:
        seconds = float(raw)
    except ValueError:
        raise StationError(f"STATION_JOB_LEASE must be a number of seconds, not {raw!r}") from None
    if not 1 <= seconds <= 3600:
        raise StationError(f"STATION_JOB_LEASE must be 1 to 3600 seconds, not {raw}")
    return dt.timedelta(seconds=seconds)


def owner_alive(job: PrintJob, now: dt.datetime) -> bool:
    """Whether the process that claimed ``job`` may still be printing it: its lease has not
    run out and, when it is this station, its process still exists."""
    if not job.owner:
        return False
    if job.lease_until is None or now > job.lease_until:
        return False
    name, _, pid = job.owner.rpartition(":")
    if name != station_name():
        return True  # another station; only its lease can tell
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except (PermissionError, ValueError):
        return True
    return True


def status_of(job: PrintJob, now: dt.datetime) -> str:
    if job.state == "printing" and not owner_alive(job, now):
        return "interrupted"
    return str(job.state)


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
    lease()  # a bad STATION_JOB_LEASE is refused before a job exists that could not run
    if not 1 <= copies <= MAX_COPIES:
        raise StationError(f"copies must be 1 to {MAX_COPIES}, not {copies}")
    reason = fields.text(reprint_reason, "reprint reason", 500, required=False)
    printer = printers.get_printer(ctx, printer_name)
    chosen = printers.template(template_name or printer.template)
    try:
        check_template(printers.config_of(printer), chosen)
    except PrinterError as exc:
        raise StationError(str(exc)) from None
    with ctx.db.atomic():
        views = tags_to_print(ctx, uids)
        if not views:
            raise StationError("no tags to print")
        ids = {view.uid: tag_id for view, tag_id in zip(views, _tag_ids(views), strict=True)}
        printed = _already_printed(list(ids.values()))
        if printed and reason is None:
            uid, job_id = next(iter(printed.items()))
            more = f" (and {len(printed) - 1:,} more)" if len(printed) > 1 else ""
            raise StationError(
                f"{uid}{more} already has a printed label (job {job_id}); to print again, "
                "give --reprint --reason TEXT"
            )
        ordered = list(reversed(views)) if reverse else views
        job: PrintJob = PrintJob.create(
            printer=printer.name,
            driver=printer.driver,
            connection=printer.connection,
            template=chosen.name,
            template_version=chosen.version,
            state="queued",
            reprint_reason=reason,
            reverse=reverse,
            created_at=ctx.now(),
            created_by=ctx.operator,
        )
        rows = (
            (job.id, position, ids[view.uid], copy, "pending")
            for position, (view, copy) in enumerate(
                ((view, copy) for view in ordered for copy in range(1, copies + 1)), start=1
            )
        )
        insert_rows(
            ctx.db,
            PrintItem,
            [PrintItem.job, PrintItem.position, PrintItem.tag, PrintItem.copy, PrintItem.state],
            rows,
        )
        audit.record(
            ctx,
            "print.job",
            f"queued job {job.id}: {plural(len(views) * copies, 'label')} on {printer.name}",
            {
                "job_id": job.id,
                "printer": printer.name,
                "template": chosen.name,
                "template_version": chosen.version,
                "copies": copies,
                "reverse": reverse,
            },
            tags=Tag.select().where(Tag.id.in_(list(ids.values()))),
            tag_count=len(ids),
        )
        if reason is not None:
            audit.record(
                ctx,
                "print.reprint",
                f"reprint in job {job.id} of {plural(len(printed), 'label')}: {reason}",
                {"job_id": job.id, "reason": reason},
                tags=Tag.select().where(Tag.id.in_([ids[uid] for uid in printed])),
                tag_count=len(printed),
            )
    return job


def _tag_ids(views: Sequence[Any]) -> list[int]:
    uids = [view.uid for view in views]
    found = dict(tuples(Tag.select(Tag.uid, Tag.id).where(Tag.uid.in_(uids))))
    return [found[uid] for uid in uids]


def _already_printed(tag_ids: list[int]) -> dict[str, int]:
    """Tags with a label that printed or may have (uid -> a job that printed it)."""
    printed: dict[str, int] = {}
    for part in slices(tag_ids):
        query = (
            PrintItem.select(Tag.uid, fn.MIN(PrintItem.job))
            .join(Tag, on=(PrintItem.tag == Tag.id))
            .where(PrintItem.tag.in_(part) & PrintItem.state.in_(["sent", "done", "uncertain"]))
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


def held_by(job: PrintJob) -> str:
    assert job.lease_until is not None  # only asked of a job whose owner is alive
    until = job.lease_until.replace(tzinfo=dt.UTC).astimezone().strftime("%H:%M:%S")
    return (
        f"job {job.id} is being printed now by {job.owner} (its hold lasts until {until} "
        "unless that station renews it)"
    )


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
            status_of(job, now),
            job.printer,
            job.template,
            0,
            pause_reason=job.pause_reason,
            created_at=job.created_at,
            created_by=job.created_by,
        )
        for job in jobs
    }
    for job_id, state, count in tuples(counts):
        # A job created after the first query is read in this one; it waits for next time.
        if job_id in found:
            found[job_id].counts[state] = count
            found[job_id].total += count
    return list(found.values())


def items(ctx: Context, job_id: int) -> list[dict[str, Any]]:
    query = (
        PrintItem.select(PrintItem.position, Tag.uid, PrintItem.copy, PrintItem.state)
        .join(Tag, on=(PrintItem.tag == Tag.id))
        .where(PrintItem.job == job_id)
        .order_by(PrintItem.position)
    )
    return [
        {"position": position, "uid": uid, "copy": copy, "state": state}
        for position, uid, copy, state in tuples(query)
    ]


def uncertain_uids(job_id: int) -> list[str]:
    query = (
        PrintItem.select(Tag.uid)
        .join(Tag, on=(PrintItem.tag == Tag.id))
        .where((PrintItem.job == job_id) & PrintItem.state.in_(["sent", "uncertain"]))
        .order_by(PrintItem.position)
    )
    return [uid for (uid,) in tuples(query)]


def prepare_resume(ctx: Context, job_id: int, uncertain: str | None) -> PrintJob:
    """Make ``job_id`` ready to run again: refuse finished or live jobs, turn labels a crash
    left "sent" into uncertain ones, and apply the operator's decision on those."""
    if uncertain not in (None, "reprint", "skip"):
        raise StationError("--uncertain takes reprint or skip")
    with ctx.db.atomic():
        job = get_job(ctx, job_id, lock=True)
        now = ctx.now()
        if job.state in ("done", "cancelled"):
            raise StationError(f"job {job_id} is {job.state}; nothing to resume")
        if job.state == "printing" and owner_alive(job, now):
            raise StationError(held_by(job))
        left = (PrintItem.job == job_id) & (PrintItem.state == "sent")
        leftover = PrintItem.select(PrintItem.tag).where(left)
        count = leftover.count()
        if count:
            audit.record(
                ctx,
                "print.interrupted",
                f"job {job_id} was interrupted with {plural(count, 'label')} in flight",
                {"job_id": job_id},
                tags=Tag.select().where(Tag.id.in_(leftover)),
                tag_count=count,
            )
            PrintItem.update(state="uncertain").where(left).execute()
        if job.state == "printing":
            job.state, job.pause_reason, job.owner = "paused", "interrupted", None
            job.save()
        doubtful = uncertain_uids(job_id)
        if doubtful and uncertain is None:
            raise UncertainLabels(job_id, doubtful)
        if doubtful:
            where = (PrintItem.job == job_id) & (PrintItem.state == "uncertain")
            tags = Tag.select().where(Tag.id.in_(PrintItem.select(PrintItem.tag).where(where)))
            audit.record(
                ctx,
                f"print.uncertain.{uncertain}",
                f"{uncertain} {plural(len(doubtful), 'uncertain label')} of job {job_id}",
                {"job_id": job_id, "decision": uncertain},
                tags=tags,
                tag_count=len(set(doubtful)),
            )
            new_state = "pending" if uncertain == "reprint" else "skipped"
            PrintItem.update(state=new_state).where(where).execute()
    return job


def request_pause(ctx: Context, job_id: int) -> PrintJob:
    """Ask the station printing ``job_id`` to stop after the labels it has already sent."""
    from station.services.job_runner import PAUSED_BY_OPERATOR

    with ctx.db.atomic():
        job = get_job(ctx, job_id, lock=True)
        if job.state != "printing" or not owner_alive(job, ctx.now()):
            raise StationError(f"job {job_id} is not printing (it is {status_of(job, ctx.now())})")
        job.pause_reason = PAUSED_BY_OPERATOR
        job.save()
        audit.record(ctx, "print.pause", f"asked job {job_id} to pause", {"job_id": job_id})
    return job


def cancel(ctx: Context, job_id: int) -> PrintJob:
    """Stop a job: pending labels are skipped; a process printing it stops at its next chunk."""
    with ctx.db.atomic():
        job = get_job(ctx, job_id, lock=True)
        if job.state in ("done", "cancelled"):
            raise StationError(f"job {job_id} is already {job.state}")
        job.state, job.finished_at = "cancelled", ctx.now()
        job.save()
        pending = (PrintItem.job == job_id) & (PrintItem.state == "pending")
        skipped = PrintItem.update(state="skipped").where(pending).execute()
        audit.record(
            ctx,
            "print.cancel",
            f"cancelled job {job_id}; {plural(skipped, 'label')} not printed",
            {"job_id": job_id, "skipped": skipped},
        )
    return job


def clear_printer(job: PrintJob) -> str | None:
    """Cancel what a Zebra still holds for this job (``~JA``); a note if it could not be done."""
    if job.driver != "zpl":
        return None
    from printers.errors import TransportError
    from printers.render.zpl import cancel_all
    from printers.transports import open_transport

    try:
        with open_transport(job.connection, timeout=2) as link:
            if link.two_way:
                link.write(cancel_all())
    except TransportError as exc:
        return f"could not clear the printer's buffer: {exc}"
    return None
