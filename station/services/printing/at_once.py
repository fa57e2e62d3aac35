"""Printing right away, the one call every front end makes to print ("print", assign's "print
right away", a tag's reprint, a package's Retail ID units): the labels asked for are queued
through the one queueing step (``queueing``, with its reprint guard), then sent at once. A
job that pauses resumes like any other (``control``, ``runner``)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from station.services.context import Context
from station.services.printing.control import prepare_resume
from station.services.printing.jobs import create_job, label_count
from station.services.printing.runner import JobRunner, Outcome
from station.services.printing.units import create_unit_job


@dataclass(frozen=True)
class TagLabels:
    """Tag labels: ``copies`` of each tag's, in order (or the reverse)."""

    uids: Sequence[str]
    printer: str
    template: str | None = None
    copies: int = 1
    reverse: bool = False
    reprint_reason: str | None = None


@dataclass(frozen=True)
class UnitLabels:
    """Retail ID unit labels of the package ``uid``: every issued unit, the ``units`` from
    first to last, or (``unprinted``) those never printed."""

    uid: str
    printer: str | None
    template: str | None = None
    units: tuple[int, int] | None = None
    reprint_reason: str | None = None
    unprinted: bool = False


@dataclass(frozen=True)
class Queued:
    job_id: int
    printer: str
    labels: int


def queue(ctx: Context, wanted: TagLabels | UnitLabels) -> Queued:
    """The job for ``wanted``, queued and not yet sent."""
    if isinstance(wanted, UnitLabels):
        job = create_unit_job(
            ctx,
            wanted.uid,
            wanted.printer,
            wanted.template,
            wanted.units,
            wanted.reprint_reason,
            wanted.unprinted,
        )
    else:
        job = create_job(
            ctx,
            wanted.uids,
            wanted.printer,
            wanted.template,
            wanted.copies,
            wanted.reverse,
            wanted.reprint_reason,
        )
    return Queued(job.id, job.printer, label_count(ctx, job.id))


def resume_now(
    ctx: Context,
    job_id: int,
    uncertain: str | None = None,
    on_progress: Callable[[int, int], None] | None = None,
) -> Outcome:
    """Make the job ready again (deciding its uncertain labels: ``reprint`` or ``skip``) and
    send the rest of it."""
    prepare_resume(ctx, job_id, uncertain)
    return JobRunner(ctx, job_id, on_progress=on_progress).run()


def print_now(
    ctx: Context,
    wanted: TagLabels | UnitLabels,
    on_queued: Callable[[Queued], None] | None = None,
    on_progress: Callable[[int, int], None] | None = None,
) -> Outcome:
    """Queue ``wanted`` and send it; ``on_queued`` hears of the job before its first label,
    ``on_progress`` after each chunk."""
    queued = queue(ctx, wanted)
    if on_queued is not None:
        on_queued(queued)
    return JobRunner(ctx, queued.job_id, on_progress=on_progress).run()
