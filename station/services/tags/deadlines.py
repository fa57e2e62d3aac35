"""What is due: the deadlines that cost licensees most because nothing shows them.

- ``receipt``: an order with tags still not received more than 3 calendar days after its
  order date (California wants receipt recorded within 3 days of arrival; the station does
  not know the arrival, so it counts from the order date);
- ``not-arrived``: an order with nothing received 14 days after its order date (California
  asks to be told when ordered tags never arrive); it takes the place of ``receipt``;
- ``reconcile``: a facility not compared with Metrc (``metrc reconcile`` or ``pull``) for 30
  days, counted from the facility's creation until its first comparison (reviews are due at
  least every 30 calendar days);
- ``uncertain-labels``: a print job whose labels may or may not have printed for a day.

Each item carries the day it fell due and the days since. A receipt is late the day after its
3 days; the others are listed from the day itself (14 days with nothing received, 30 days
without a comparison), as their rules read. Counts come from the tag tally
(``station.services.tags.tally``): fast with a million tags.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from typing import Any

from peewee import fn

from station.db.models import Facility, PrintItem, PrintJob, Reconciliation, TagOrder
from station.db.rows import tuples
from station.domain.states import FINISHED, IN_DOUBT, TagStatus
from station.domain.text import plural
from station.services.context import Context
from station.services.tags import tally

RECEIPT_DAYS = 3
NOT_ARRIVED_DAYS = 14
RECONCILE_DAYS = 30
UNCERTAIN_AFTER = dt.timedelta(days=1)


@dataclass(frozen=True)
class Due:
    kind: str
    license_number: str | None
    subject: str
    due_on: dt.date
    days_over: int
    text: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "license_number": self.license_number,
            "subject": self.subject,
            "due_on": self.due_on.isoformat(),
            "days_over": self.days_over,
            "text": self.text,
        }


def due(ctx: Context) -> list[Due]:
    """Everything due today or overdue, most overdue first."""
    today = ctx.today()
    found = [*_orders(today), *_reconciliations(ctx, today), *_uncertain(ctx, today)]
    return sorted(found, key=lambda item: (-item.days_over, item.kind, item.subject))


def _orders(today: dt.date) -> list[Due]:
    found: list[Due] = []
    orders = TagOrder.select(TagOrder.id, TagOrder.order_date, Facility.license_number).join(
        Facility
    )
    counts = tally.by_order()
    for order_id, order_date, license_number in tuples(orders):
        days = (today - order_date).days
        if days <= RECEIPT_DAYS:
            continue
        mine = counts.get(order_id, Counter())
        waiting = mine[TagStatus.ORDERED]
        if not waiting:
            continue
        subject = f"order {order_id}"
        if days >= NOT_ARRIVED_DAYS and waiting == mine.total():
            due_on = order_date + dt.timedelta(days=NOT_ARRIVED_DAYS)
            text = (
                f"{subject}: nothing received {days} days after the order date; if the tags "
                "never arrived, tell the DCC"
            )
            found.append(
                Due("not-arrived", license_number, subject, due_on, (today - due_on).days, text)
            )
            continue
        due_on = order_date + dt.timedelta(days=RECEIPT_DAYS)
        text = (
            f"{subject}: {plural(waiting, 'tag')} not received {days} days after the order "
            "date; record receipt within 3 days of arrival"
        )
        found.append(Due("receipt", license_number, subject, due_on, (today - due_on).days, text))
    return found


def last_reconciled(ctx: Context) -> dict[int, dt.datetime]:
    """When each facility was last compared with Metrc (UTC), by facility id."""
    query = Reconciliation.select(Reconciliation.facility, fn.MAX(Reconciliation.at)).group_by(
        Reconciliation.facility
    )
    return {facility_id: at for facility_id, at in tuples(query)}


def _reconciliations(ctx: Context, today: dt.date) -> list[Due]:
    last = last_reconciled(ctx)
    found: list[Due] = []
    for facility in Facility.select().order_by(Facility.license_number):
        since = last.get(facility.id)
        start = _local_date(since or facility.created_at)
        due_on = start + dt.timedelta(days=RECONCILE_DAYS)
        if today < due_on:
            continue
        what = (
            f"last compared with Metrc on {start.isoformat()}"
            if since
            else f"never compared with Metrc since it was added on {start.isoformat()}"
        )
        text = f"{facility.license_number}: {what}; run station metrc reconcile (due every 30 days)"
        found.append(
            Due(
                "reconcile",
                facility.license_number,
                facility.license_number,
                due_on,
                (today - due_on).days,
                text,
            )
        )
    return found


def _uncertain(ctx: Context, today: dt.date) -> list[Due]:
    cutoff = ctx.now() - UNCERTAIN_AFTER
    found: list[Due] = []
    open_jobs = PrintJob.select(PrintJob.id).where(PrintJob.state.not_in(FINISHED))
    for (job_id,) in tuples(open_jobs):
        doubtful = PrintItem.select(fn.COUNT(PrintItem.id), fn.MIN(PrintItem.sent_at)).where(
            (PrintItem.job == job_id) & PrintItem.state.in_(IN_DOUBT)
        )
        count, oldest = next(tuples(doubtful))
        if not count or oldest is None or oldest > cutoff:
            continue
        due_on = _local_date(oldest + UNCERTAIN_AFTER)
        subject = f"job {job_id}"
        text = (
            f"{subject}: {plural(count, 'label')} may or may not have printed since "
            f"{_local_date(oldest).isoformat()}; check them and resume the job (F4)"
        )
        found.append(
            Due("uncertain-labels", None, subject, due_on, max((today - due_on).days, 0), text)
        )
    return found


def _local_date(moment: dt.datetime) -> dt.date:
    """The station's calendar date of a stored (naive UTC) moment."""
    return moment.replace(tzinfo=dt.UTC).astimezone().date()
