"""What an operator does to a print job that is not running smoothly: resume it (deciding
on labels that may or may not have printed), ask it to pause, cancel it."""

from __future__ import annotations

from peewee import Expression

from printers import drivers
from printers.errors import TransportError
from printers.transports import open_transport
from station.db.models import PrintItem, PrintJob, Tag
from station.db.rows import tuples
from station.domain.errors import StationError, give, give_one
from station.domain.states import FINISHED, ItemState, JobState
from station.domain.text import plural
from station.services.context import Context
from station.services.people import roles
from station.services.printing.jobs import get_job, uncertain_uids
from station.services.printing.leases import held, held_by, owner_alive, status_of
from station.services.records import audit

PAUSED_BY_OPERATOR = "paused by the operator"
# What to do with labels that may or may not have printed.
UNCERTAIN_DECISIONS = {"reprint": ItemState.PENDING, "skip": ItemState.SKIPPED}


class UncertainLabels(StationError):
    """A job cannot go on until its uncertain labels are reprinted or skipped."""

    def __init__(self, job_id: int, uids: list[str]) -> None:
        self.job_id = job_id
        self.uids = uids
        super().__init__(
            f"job {job_id} has {plural(len(uids), 'uncertain label')} (they may or may not "
            "have printed); resume with ",
            give_one("uncertain=reprint", "uncertain=skip"),
        )


def prepare_resume(ctx: Context, job_id: int, uncertain: str | None) -> PrintJob:
    """Make ``job_id`` ready to run again: refuse finished or live jobs, turn labels a crash
    left "sent" into uncertain ones, and apply the operator's decision on those."""
    if uncertain is not None and uncertain not in UNCERTAIN_DECISIONS:
        raise StationError(give("uncertain"), " takes reprint or skip")
    with ctx.db.atomic():
        job = get_job(ctx, job_id, lock=True)
        now = ctx.now()
        if job.state in FINISHED:
            raise StationError(f"job {job_id} is {job.state}; nothing to resume")
        if held(job) and owner_alive(ctx, job, now):
            raise StationError(held_by(job))
        left = (PrintItem.job == job_id) & (PrintItem.state == ItemState.SENT)
        leftover = PrintItem.select(PrintItem.tag).where(left)
        count = leftover.count()
        if count:
            audit.record(
                ctx,
                "print.interrupted",
                f"job {job_id} was interrupted with {plural(count, 'label')} in flight",
                {"job_id": job_id, **_units(left)},
                tags=Tag.select().where(Tag.id.in_(leftover)),
                tag_count=count,
            )
            PrintItem.update(state=ItemState.UNCERTAIN).where(left).execute()
        if held(job):
            job.state, job.pause_reason, job.owner = JobState.PAUSED, "interrupted", None
            job.save()
        doubtful = uncertain_uids(ctx, job_id)
        if doubtful and uncertain is None:
            raise UncertainLabels(job_id, doubtful)
        if doubtful and uncertain is not None:
            roles.require_supervisor(ctx, f"{uncertain} of uncertain labels")
            where = (PrintItem.job == job_id) & (PrintItem.state == ItemState.UNCERTAIN)
            tags = Tag.select().where(Tag.id.in_(PrintItem.select(PrintItem.tag).where(where)))
            audit.record(
                ctx,
                f"print.uncertain.{uncertain}",
                f"{uncertain} {plural(len(doubtful), 'uncertain label')} of job {job_id}",
                {"job_id": job_id, "decision": uncertain, **_units(where)},
                tags=tags,
                tag_count=len(set(doubtful)),
            )
            PrintItem.update(state=UNCERTAIN_DECISIONS[uncertain]).where(where).execute()
    return job


def _units(where: Expression) -> dict[str, list[int]]:
    """For an event about some labels of a job: which Retail ID units they are (none for tag
    labels). At most the labels in flight: a few chunks."""
    query = PrintItem.select(PrintItem.unit).where(where & PrintItem.unit.is_null(False))
    units = sorted(unit for (unit,) in tuples(query))
    return {"units": units} if units else {}


def request_pause(ctx: Context, job_id: int) -> None:
    """Ask the station printing ``job_id`` to stop after the labels it has already sent."""
    with ctx.db.atomic():
        job = get_job(ctx, job_id, lock=True)
        if job.state != JobState.PRINTING or not owner_alive(ctx, job, ctx.now()):
            raise StationError(
                f"job {job_id} is not printing (it is {status_of(ctx, job, ctx.now())})"
            )
        job.pause_reason = PAUSED_BY_OPERATOR
        job.save()
        audit.record(ctx, "print.pause", f"asked job {job_id} to pause", {"job_id": job_id})


def cancel(ctx: Context, job_id: int) -> str | None:
    """Stop a job: pending labels are skipped; a process printing it stops at its next chunk;
    and what the printer still holds of it is cleared. A note if that could not be done."""
    with ctx.db.atomic():
        roles.require_supervisor(ctx, "cancelling a print job")
        job = get_job(ctx, job_id, lock=True)
        if job.state in FINISHED:
            raise StationError(f"job {job_id} is already {job.state}")
        job.state, job.finished_at = JobState.CANCELLED, ctx.now()
        job.save()
        pending = (PrintItem.job == job_id) & (PrintItem.state == ItemState.PENDING)
        skipped = PrintItem.update(state=ItemState.SKIPPED).where(pending).execute()
        audit.record(
            ctx,
            "print.cancel",
            f"cancelled job {job_id}; {plural(skipped, 'label')} not printed",
            {"job_id": job_id, "skipped": skipped},
        )
    return clear_printer(ctx, job)


def clear_printer(ctx: Context, job: PrintJob) -> str | None:
    """Cancel what the printer still holds for this job (a Zebra's buffer); a note if it
    could not be done."""
    driver = drivers.get(job.driver)
    if not driver.holds_labels:
        return None
    try:
        with open_transport(ctx.folders.printer_url(job.connection), timeout=2) as link:
            driver.cancel(link)
    except TransportError as exc:
        return f"could not clear the printer's buffer: {exc}"
    return None
