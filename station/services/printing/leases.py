"""Which station holds a print job: a lease it renews with every chunk of labels. Past the
lease the job counts as interrupted and any station may resume it."""

from __future__ import annotations

import datetime as dt
import os

from station.db.models import PrintJob
from station.domain.states import JobState
from station.services.context import Context


def owner_token(ctx: Context) -> str:
    """This process in job ownership: ``STATION_NAME`` (else the host name) and its pid."""
    return f"{ctx.settings.station_name}:{os.getpid()}"


def owner_alive(ctx: Context, job: PrintJob, now: dt.datetime) -> bool:
    """Whether the process that claimed ``job`` may still be printing it: its lease has not
    run out and, when it is this station, its process still exists."""
    if not job.owner:
        return False
    if job.lease_until is None or now > job.lease_until:
        return False
    name, _, pid = job.owner.rpartition(":")
    if name != ctx.settings.station_name:
        return True  # another station; only its lease can tell
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except (PermissionError, ValueError):
        return True
    return True


def held(job: PrintJob) -> bool:
    """Whether ``job`` is in a station's hands: being printed, or queued by a station that
    is about to print it."""
    return job.state == JobState.PRINTING or (job.state == JobState.QUEUED and bool(job.owner))


def interrupted(ctx: Context, job: PrintJob, now: dt.datetime) -> bool:
    """Held by a station that is gone (or whose hold ran out): anyone may resume it."""
    return held(job) and not owner_alive(ctx, job, now)


def status_of(ctx: Context, job: PrintJob, now: dt.datetime) -> JobState:
    if interrupted(ctx, job, now):
        return JobState.INTERRUPTED
    return JobState(job.state)


def held_by(job: PrintJob) -> str:
    assert job.lease_until is not None  # only asked of a job whose owner is alive
    until = job.lease_until.replace(tzinfo=dt.UTC).astimezone().strftime("%H:%M:%S")
    return (
        f"job {job.id} is {'being printed now' if job.state == JobState.PRINTING else 'queued'} "
        f"by {job.owner} (its hold lasts until {until} "
        "unless that station renews it)"
    )
