"""Counts for the station's first screen: tags by facility, type and state."""

from __future__ import annotations

from dataclasses import dataclass

from station.domain.states import JobState, TagStatus
from station.domain.text import plural
from station.services.context import Context
from station.services.printing import JobSummary, summaries
from station.services.records import backups
from station.services.rfid import counts as inventory_counts
from station.services.tags import deadlines, facilities, stock, tally
from station.services.tags.facilities import FacilityView
from station.services.tags.orders import OrderSummary, list_orders


@dataclass(frozen=True)
class CountRow:
    license_number: str
    facility_name: str
    state: str
    type: str
    ordered: int
    received: int
    used: int
    voided: int


def tag_counts(ctx: Context) -> list[CountRow]:
    """One row per facility and tag type that has tags (from the tally: a few rows per
    order, not a million tags)."""
    names = {f.id: (f.license_number, f.name, f.state) for f in facilities.list_facilities(ctx)}
    rows = [
        CountRow(
            *names[facility_id],
            kind,
            c[TagStatus.ORDERED],
            c[TagStatus.RECEIVED],
            c[TagStatus.USED],
            c[TagStatus.VOIDED],
        )
        for (facility_id, kind), c in tally.by_facility().items()
    ]
    return sorted(rows, key=lambda row: (row.license_number, row.facility_name, row.type))


@dataclass(frozen=True)
class Attention:
    """What the first screen asks the operator to look at."""

    open_orders: list[OrderSummary]
    stopped_jobs: list[JobSummary]
    uncertain_labels: int
    # The open orders whose receipt is late by their state's rule (ids).
    late_orders: frozenset[int] = frozenset()


def attention(ctx: Context, due: list[deadlines.Due] | None = None) -> Attention:
    open_orders = [order for order in list_orders(ctx) if order.counts[TagStatus.ORDERED]]
    waiting = (JobState.PAUSED, JobState.INTERRUPTED)
    stopped = [job for job in summaries(ctx) if job.status in waiting]
    uncertain = sum(job.uncertain for job in stopped)
    late_subjects = {
        item.subject
        for item in (deadlines.due(ctx) if due is None else due)
        if item.kind in ("receipt", "not-arrived")
    }
    late = {order.id for order in open_orders if f"order {order.id}" in late_subjects}
    return Attention(open_orders, stopped, uncertain, frozenset(late))


def notices(
    ctx: Context, backup: backups.BackupStatus, due: list[deadlines.Due] | None = None
) -> list[str]:
    """What the first screen warns about, most pressing first: a failed or old ``backup``,
    tags running low, then what ``station due`` lists (Retail ID codes missing as a count)."""
    found: list[str] = []
    backup_warning = backup.warning(ctx.now(), daily=ctx.settings.backups > 0)
    if backup_warning is not None:
        found.append(backup_warning)
    found.extend(row.warning() for row in stock.running_low(ctx))
    items = deadlines.due(ctx) if due is None else due
    # What `station due` lists, item for item, in its order; packages lacking Retail ID
    # codes are counted in one line (there can be hundreds; `station due` lists them).
    found.extend(item.text for item in items if item.kind != "retail-id")
    lacking = sum(item.kind == "retail-id" for item in items)
    if lacking:
        found.append(
            f"{plural(lacking, 'package')} without every unit's Retail ID code and label "
            "where the state requires them (station due lists them)"
        )
    # A count left open (a crash, a shift's end) is resumed, not forgotten.
    found.extend(
        f"count {view.id} of {view.where} is open since {view.started_at:%Y-%m-%d}: "
        "resume or finish it (Ctrl+O)"
        for view in inventory_counts.counts(ctx, open_only=True)[:3]
    )
    return found


def backup_line(ctx: Context, backup: backups.BackupStatus) -> str:
    """The last good backup's age, for the first screen."""
    age = backup.age(ctx.now())
    return (
        "Last backup: none yet" if age is None else f"Last backup: {backups.describe_age(age)} ago"
    )


@dataclass(frozen=True)
class Home:
    """Everything the first screen shows, read in one go (off the UI thread)."""

    facilities: list[FacilityView]
    counts: list[CountRow]
    attention: Attention
    notices: list[str]
    backup: str


def home(ctx: Context) -> Home:
    backup = backups.status(ctx)  # read once, for the warning and the age
    due = deadlines.due(ctx)  # and the deadlines, for the notices and the late orders
    return Home(
        facilities.list_facilities(ctx),
        tag_counts(ctx),
        attention(ctx, due),
        notices(ctx, backup, due),
        backup_line(ctx, backup),
    )
