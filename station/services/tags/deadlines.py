"""What is due: the deadlines that cost licensees most because nothing shows them, by each
facility's state rules (``station.states``; a rule no source states is listed once as "not
known", never guessed):

- ``receipt``: an order with tags still not received more than the state's receipt days
  after its order date (California: 3; the station does not know the arrival, so it counts
  from the order date);
- ``not-arrived``: an order with nothing received after the state's days for it (California
  asks to be told when ordered tags never arrive); it takes the place of ``receipt``;
- ``reconcile``: a facility not compared with Metrc (``metrc reconcile`` or ``pull``) at the
  state's cadence: every so many days (California: 30), counted from the facility's creation
  until its first comparison; or each morning by an hour (Oregon: 08:00), due when no
  comparison was made in the 24 hours before it;
- ``retail-id``: where Retail ID is required (New York, from its date), a package assigned
  there without its unit codes generated and every unit's label printed;
- ``uncertain-labels``: a print job whose labels may or may not have printed for a day;
- ``not-known``: a deadline rule no source states for a state the station has facilities in.

Each item carries the day it fell due and the days since. A receipt is late the day after its
days; the others are listed from the day itself, as their rules read. Counts come from the tag
tally (``station.services.tags.tally``): fast with a million tags.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from peewee import fn

from station.db.models import (
    Facility,
    PrintItem,
    PrintJob,
    Reconciliation,
    RetailIssuance,
    Tag,
    TagOrder,
)
from station.db.rows import slices, tuples
from station.domain.states import FINISHED, IN_DOUBT, IssuanceState, TagStatus, TagType
from station.domain.text import plural
from station.services import state_rules
from station.services.context import Context
from station.services.tags import tally

if TYPE_CHECKING:
    from station.states.profiles import Profile, Rule

UNCERTAIN_AFTER = dt.timedelta(days=1)
NOT_KNOWN = "not-known"


@dataclass(frozen=True)
class Due:
    kind: str
    license_number: str | None
    subject: str
    due_on: dt.date
    days_over: int
    text: str
    # The state rule behind it, as people read it ("every 30 days"), and its source.
    rule: str | None = None
    source: str | None = None

    @classmethod
    def by_rule(
        cls,
        kind: str,
        license_number: str,
        subject: str,
        due_on: dt.date,
        today: dt.date,
        text: str,
        rule: Rule,
    ) -> Due:
        """An item due by a state rule, which it names with its source."""
        days = (today - due_on).days
        return cls(kind, license_number, subject, due_on, days, text, rule.said(), rule.cited())

    @property
    def is_due(self) -> bool:
        """False for a rule listed as not known (nothing falls due by it)."""
        return self.kind != NOT_KNOWN

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "license_number": self.license_number,
            "subject": self.subject,
            "due_on": self.due_on.isoformat(),
            "days_over": self.days_over,
            "text": self.text,
            "rule": self.rule,
            "source": self.source,
        }


def due(ctx: Context) -> list[Due]:
    """Everything due today or overdue, most overdue first; then what is not known."""
    today = ctx.today()
    rules = _Rules(ctx)
    found = [
        *_orders(rules, today),
        *_reconciliations(ctx, rules, today),
        *_retail_ids(rules, today),
        *_uncertain(ctx, today),
    ]
    ordered = sorted(found, key=lambda item: (-item.days_over, item.kind, item.subject))
    return ordered + rules.not_known(today)


class _Rules:
    """Each facility's state profile, read once a listing; and the deadline rules not known
    for a state the station has facilities in, to be listed once each."""

    # The rules deadlines fall due by (Retail ID is listed only where a state requires it).
    DEADLINES = ("receipt_days", "reconcile")

    def __init__(self, ctx: Context) -> None:
        self.states: dict[int, str] = dict(tuples(Facility.select(Facility.id, Facility.state)))
        self._profiles = {
            state: state_rules.profile(ctx, state) for state in sorted(set(self.states.values()))
        }

    def profile(self, facility_id: int) -> Profile:
        return self._profiles[self.states[facility_id]]

    def rule(self, facility_id: int, name: str) -> Rule | None:
        return self.profile(facility_id).rule(name)

    def not_known(self, today: dt.date) -> list[Due]:
        return [
            Due(
                NOT_KNOWN,
                None,
                f"{profile.code} {name}",
                today,
                0,
                f"{profile.not_known(name)}: no source states it, so nothing is listed as "
                "due by it",
            )
            for profile in self._profiles.values()
            for name in self.DEADLINES
            if profile.rule(name) is None
        ]


def _orders(rules: _Rules, today: dt.date) -> list[Due]:
    found: list[Due] = []
    orders = TagOrder.select(
        TagOrder.id, TagOrder.order_date, Facility.id, Facility.license_number
    ).join(Facility)
    counts = tally.by_order()
    for order_id, order_date, facility_id, license_number in tuples(orders):
        receipt = rules.rule(facility_id, "receipt_days")
        if receipt is None:
            continue
        days = (today - order_date).days
        if days <= receipt.value:
            continue
        mine = counts.get(order_id, Counter())
        waiting = mine[TagStatus.ORDERED]
        if not waiting:
            continue
        subject = f"order {order_id}"
        never = rules.rule(facility_id, "not_arrived_days")
        if never is not None and days >= never.value and waiting == mine.total():
            due_on = order_date + dt.timedelta(days=never.value)
            text = (
                f"{subject}: nothing received {days} days after the order date; if the tags "
                f"never arrived, say so as the rule asks ({never.source})"
            )
            found.append(
                Due.by_rule("not-arrived", license_number, subject, due_on, today, text, never)
            )
            continue
        due_on = order_date + dt.timedelta(days=receipt.value)
        text = (
            f"{subject}: {plural(waiting, 'tag')} not received {days} days after the order "
            f"date; record receipt within {receipt.value} days of arrival"
        )
        found.append(Due.by_rule("receipt", license_number, subject, due_on, today, text, receipt))
    return found


def last_reconciled(ctx: Context) -> dict[int, dt.datetime]:
    """When each facility was last compared with Metrc (UTC), by facility id."""
    query = Reconciliation.select(Reconciliation.facility, fn.MAX(Reconciliation.at)).group_by(
        Reconciliation.facility
    )
    return {facility_id: at for facility_id, at in tuples(query)}


def _reconciliations(ctx: Context, rules: _Rules, today: dt.date) -> list[Due]:
    last = last_reconciled(ctx)
    now = ctx.now().replace(tzinfo=dt.UTC).astimezone()
    found: list[Due] = []
    for facility in Facility.select().order_by(Facility.license_number):
        rule = rules.rule(facility.id, "reconcile")
        if rule is None:
            continue
        since = last.get(facility.id)
        start = _local(since or facility.created_at)
        if rule.value.every_days is not None:
            due_on = start.date() + dt.timedelta(days=rule.value.every_days)
            if today < due_on:
                continue
        else:
            # Each morning at the hour, due when no comparison came in the 24 hours before.
            hour, minute = (int(part) for part in rule.value.daily_by.split(":"))
            earliest = start + dt.timedelta(days=1)
            deadline = earliest.replace(hour=hour, minute=minute, second=0, microsecond=0)
            if deadline < earliest:
                deadline += dt.timedelta(days=1)
            if now < deadline:
                continue
            due_on = deadline.date()
        what = (
            f"last compared with Metrc on {start.date().isoformat()}"
            if since
            else f"never compared with Metrc since it was added on {start.date().isoformat()}"
        )
        text = f"{facility.license_number}: {what}; run station metrc reconcile (due {rule.said()})"
        lic = facility.license_number
        found.append(Due.by_rule("reconcile", lic, lic, due_on, today, text, rule))
    return found


def _retail_ids(rules: _Rules, today: dt.date) -> list[Due]:
    """Packages assigned where Retail ID is required (from its date) whose units lack codes,
    or whose codes' labels have not all printed."""
    required: dict[int, tuple[Rule, dt.date]] = {}
    for facility_id in rules.states:
        rule = rules.profile(facility_id).rule("retail_id")
        if rule is not None and rule.value.mode == "required":
            since = rule.value.since or dt.date.min
            if today >= since:
                required[facility_id] = (rule, since)
    if not required:
        return []
    found: list[Due] = []
    packages = (
        Tag.select(Tag.id, Tag.uid, Tag.facility, Tag.used_at, Facility.license_number)
        .join(Facility)
        .where(
            Tag.facility.in_(list(required))
            & (Tag.tag_type == TagType.PACKAGE)
            & (Tag.status == TagStatus.USED)
        )
        .order_by(Tag.uid)
    )
    rows = [row for row in tuples(packages) if row[3] is not None]
    issued: dict[int, int] = {}
    printed: dict[int, int] = {}
    for part in slices([row[0] for row in rows]):
        units = (
            RetailIssuance.select(RetailIssuance.tag, fn.SUM(RetailIssuance.units))
            .where(RetailIssuance.tag.in_(part) & (RetailIssuance.state == IssuanceState.ISSUED))
            .group_by(RetailIssuance.tag)
        )
        issued.update((tag, int(count or 0)) for tag, count in tuples(units))
        printed_query = (
            PrintItem.select(PrintItem.tag, fn.COUNT(fn.DISTINCT(PrintItem.unit)))
            .where(
                PrintItem.tag.in_(part)
                & PrintItem.unit.is_null(False)
                & PrintItem.counts_as_printed()
            )
            .group_by(PrintItem.tag)
        )
        printed.update((tag, int(count)) for tag, count in tuples(printed_query))
    for tag_id, uid, facility_id, used_at, license_number in rows:
        rule, since = required[facility_id]
        assigned = _local(used_at).date()
        if assigned < since:
            continue
        codes, done = issued.get(tag_id, 0), printed.get(tag_id, 0)
        if codes and done >= codes:
            continue
        state = rules.states[facility_id]
        missing = (
            "no unit codes generated"
            if not codes
            else f"{plural(codes - done, 'unit label')} of {codes:,} not printed"
        )
        text = (
            f"package {uid}: {missing}; {state} requires a Retail ID on every unit "
            "(station retailid generate, then print the units)"
        )
        subject = f"package {uid}"
        found.append(Due.by_rule("retail-id", license_number, subject, assigned, today, text, rule))
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


def _local(moment: dt.datetime) -> dt.datetime:
    """A stored (naive UTC) moment in the station's time zone."""
    return moment.replace(tzinfo=dt.UTC).astimezone()


def _local_date(moment: dt.datetime) -> dt.date:
    """The station's calendar date of a stored (naive UTC) moment."""
    return _local(moment).date()
