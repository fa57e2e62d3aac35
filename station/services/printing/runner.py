"""Sending a print job: in chunks, with the printer's status checked between chunks.

Exactly once or visibly uncertain: a chunk's labels are marked ``sent`` (and audited) in a
committed transaction *before* their bytes go out, and ``done`` only once the printer has
confirmed them (what counts as confirmed is the printer language's driver's to say) or the
connection cannot tell more (file, spool, spooler queue). A fault pauses the job and turns
every unconfirmed label uncertain, unless the driver can settle them; a crash leaves them
``sent``, which a resume turns uncertain. Nothing is silently lost or printed twice.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from printers import drivers
from printers.device import keep_previews, shown_as
from printers.drivers import Driver
from printers.errors import PrinterError, TransportError
from printers.label import LabelData
from printers.status import PrinterStatus
from printers.transports import open_transport
from printers.transports.base import Transport
from station import gc_pause
from station.db.models import PrintItem, PrintJob, Tag
from station.domain.errors import StationError, run
from station.domain.states import FINISHED, ItemState, JobState
from station.domain.text import plural
from station.services.context import Context
from station.services.printing import labels, run_check, templates
from station.services.printing.control import PAUSED_BY_OPERATOR
from station.services.printing.jobs import get_job, uncertain_uids
from station.services.printing.leases import held, held_by, owner_alive, owner_token
from station.services.records import audit
from station.services.tags.lookup import views_by_id

CHUNK = 25
# How long to wait at the end of a job for a printer to empty its buffer, per label in it.
DRAIN_SECONDS_PER_LABEL = 2.0
STATUS_TIMEOUT = 2.0

Progress = Callable[[int, int], None]


@dataclass
class Outcome:
    job_id: int
    state: JobState
    done: int
    total: int
    uncertain: list[str]
    reason: str | None = None


class Paused(Exception):
    """The printer or the connection failed; the job waits for the operator."""


class Cancelled(Exception):
    """Someone cancelled the job while it was printing."""


class TakenOver(StationError):
    """This station's hold on the job ran out and another station resumed it."""

    def __init__(self, job_id: int) -> None:
        super().__init__(
            f"job {job_id} was taken over by another station after this one's hold ran out; "
            "stopped without sending more"
        )


class JobRunner:
    def __init__(
        self,
        ctx: Context,
        job_id: int,
        on_progress: Progress | None = None,
        chunk: int = CHUNK,
        connect: Callable[[str], Transport] = open_transport,
    ) -> None:
        self.ctx = ctx
        self.job_id = job_id
        self.on_progress = on_progress or (lambda done, total: None)
        self.chunk = chunk
        self.connect = connect
        self.token = owner_token(ctx)
        self.lease = ctx.settings.job_lease

    def run(self) -> Outcome:
        job = self._claim()
        pending = list(
            PrintItem.select(PrintItem.id, PrintItem.tag, PrintItem.unit)
            .where((PrintItem.job == job.id) & (PrintItem.state == ItemState.PENDING))
            .order_by(PrintItem.position)
        )
        total = PrintItem.select().where(PrintItem.job == job.id).count()
        done = total - len(pending)
        try:
            if pending:
                done = self._send(job, pending, done, total)
            self._finish(job)
        except Paused as pause:
            return self._pause(job, str(pause), total)
        except Cancelled:
            return Outcome(job.id, JobState.CANCELLED, self._count(job, ItemState.DONE), total, [])
        except KeyboardInterrupt:
            return self._pause(job, "stopped by the operator", total)
        except TakenOver:
            raise  # the job and its labels are the other station's now
        except Exception as exc:
            # Whatever went wrong, labels already sent must not look pending.
            self._pause(job, f"stopped by an error: {exc}", total)
            raise
        skipped = self._count(job, ItemState.SKIPPED)
        return Outcome(job.id, JobState.DONE, total - skipped, total, [])

    # --- claiming and finishing ---------------------------------------------------------

    def _claim(self) -> PrintJob:
        with self.ctx.db.atomic():
            job = get_job(self.ctx, self.job_id, lock=True)
            now = self.ctx.now()
            if job.state in FINISHED:
                raise StationError(f"job {job.id} is {job.state}")
            if held(job) and owner_alive(self.ctx, job, now) and job.owner != self.token:
                raise StationError(held_by(job))
            if uncertain_uids(self.ctx, job.id):
                raise StationError(
                    f"job {job.id} has uncertain labels; resolve them first: ",
                    run(f"job resume {job.id}", "uncertain=reprint|skip"),
                )
            job.state, job.pause_reason = JobState.PRINTING, None
            job.owner, job.heartbeat_at, job.lease_until = self.token, now, now + self.lease
            job.save()
        return job

    def _finish(self, job: PrintJob) -> None:
        with self.ctx.db.atomic():
            self._still_mine(job)
            job.state, job.owner, job.finished_at = JobState.DONE, None, self.ctx.now()
            job.save()
            audit.record(self.ctx, "print.done", f"job {job.id} finished", {"job_id": job.id})

    def _pause(self, job: PrintJob, reason: str, total: int) -> Outcome:
        with self.ctx.db.atomic():
            self._still_mine(job)
            sent = (PrintItem.job == job.id) & (PrintItem.state == ItemState.SENT)
            tags = Tag.select().where(Tag.id.in_(PrintItem.select(PrintItem.tag).where(sent)))
            count = PrintItem.select().where(sent).count()
            PrintItem.update(state=ItemState.UNCERTAIN).where(sent).execute()
            fresh = get_job(self.ctx, job.id)
            if fresh.state != JobState.CANCELLED:
                fresh.state, fresh.pause_reason, fresh.owner = JobState.PAUSED, reason, None
                fresh.save()
            audit.record(
                self.ctx,
                "print.paused",
                f"job {job.id} paused: {reason}"
                + (f"; {plural(count, 'label')} uncertain" if count else ""),
                {"job_id": job.id, "reason": reason},
                tags=tags,
                tag_count=count,
            )
        done = self._count(job, ItemState.DONE)
        return Outcome(
            job.id, JobState.PAUSED, done, total, uncertain_uids(self.ctx, job.id), reason
        )

    def _count(self, job: PrintJob, state: ItemState) -> int:
        counted: int = (
            PrintItem.select().where((PrintItem.job == job.id) & (PrintItem.state == state)).count()
        )
        return counted

    # --- sending ------------------------------------------------------------------------

    def _send(self, job: PrintJob, pending: list[PrintItem], done: int, total: int) -> int:
        template = templates.load(self.ctx.folders, job.template)
        driver = drivers.get(job.driver)
        views = views_by_id(self.ctx, [item.tag_id for item in pending])
        # Runs only where a scan-back check showed the printer steps ^SF on a QR field.
        runs = (
            self.ctx.settings.unit_runs
            and any(item.unit is not None for item in pending)
            and run_check.runs_verified(self.ctx, job.printer, job.connection)
        )
        # A label and its fields a unit, all at once: no cycles, and the collector's passes
        # over them were up to a third of the time (bench: retail).
        with gc_pause.paused():
            found = labels.job_labels(views, [(item.tag_id, item.unit) for item in pending])
            try:
                batch = (
                    driver.serial_batch(template, found) if runs else driver.batch(template, found)
                )
            except PrinterError as exc:
                raise Paused(str(exc)) from None
        try:
            link = self.connect(self.ctx.folders.printer_url(job.connection))
        except TransportError as exc:
            raise Paused(str(exc)) from None
        step = driver.labels_per_chunk(template) or self.chunk
        try:
            self._check(driver, job, link, Flight())
            # The setup goes again on every connection: a Zebra's stored format lives in
            # memory that does not survive the printer being switched off since.
            link.name_next(f"job{job.id}-setup")
            self._write(link, batch.setup)
            in_flight = Flight()
            for start in range(0, len(pending), step):
                chunk = pending[start : start + step]
                if self._pause_requested(job):
                    # Let what is already sent finish, so an operator's pause leaves
                    # nothing uncertain.
                    self._drain(driver, job, link, in_flight)
                    raise Paused(PAUSED_BY_OPERATOR)
                self._mark_sent(job, chunk, [views[item.tag_id].uid for item in chunk])
                link.name_next(_chunk_name(job, found[start], found[start + len(chunk) - 1]))
                data, formats = batch.formats(start, start + len(chunk))
                self._write(link, data)
                in_flight.add([item.id for item in chunk], formats)
                self._check(driver, job, link, in_flight)
                done = total - len(pending) + start + len(chunk) - len(in_flight.items)
                self.on_progress(done, total)
            self._drain(driver, job, link, in_flight)
            keep_previews(link, template, found, f"job{job.id}-")
        finally:
            link.close()
        self.on_progress(total, total)
        return total

    def _write(self, link: Transport, data: bytes) -> None:
        try:
            link.write(data)
        except TransportError as exc:
            raise Paused(str(exc)) from None

    def _pause_requested(self, job: PrintJob) -> bool:
        reason = PrintJob.select(PrintJob.pause_reason).where(PrintJob.id == job.id).scalar()
        return bool(reason == PAUSED_BY_OPERATOR)

    def _renew(self, job: PrintJob, now: dt.datetime) -> None:
        """Extend the hold on the job; if it ran out and another station took the job over,
        stop before sending anything more."""
        renewed = (
            PrintJob.update(heartbeat_at=now, lease_until=now + self.lease)
            .where((PrintJob.id == job.id) & (PrintJob.owner == self.token))
            .execute()
        )
        if not renewed:
            raise TakenOver(job.id)

    def _still_mine(self, job: PrintJob) -> None:
        fresh = get_job(self.ctx, job.id, lock=True)
        if fresh.state == JobState.PRINTING and fresh.owner != self.token:
            raise TakenOver(job.id)

    def _mark_sent(self, job: PrintJob, chunk: list[PrintItem], uids: list[str]) -> None:
        ids = [item.id for item in chunk]
        with self.ctx.db.atomic():
            state = PrintJob.select(PrintJob.state).where(PrintJob.id == job.id).scalar()
            if state == JobState.CANCELLED:
                raise Cancelled
            now = self.ctx.now()
            PrintItem.update(state=ItemState.SENT, sent_at=now).where(
                PrintItem.id.in_(ids)
            ).execute()
            self._renew(job, now)
            named = sorted(set(uids))  # at hand: no query for them
            units = [item.unit for item in chunk if item.unit is not None]
            audit.record(
                self.ctx,
                "print.sent",
                f"job {job.id}: sending {plural(len(ids), 'label')}",
                {"job_id": job.id, **({"units": [units[0], units[-1]]} if units else {})},
                uids=named,
                tag_count=len(named),
            )

    def _mark_done(self, ids: list[int]) -> None:
        if ids:
            PrintItem.update(state=ItemState.DONE, done_at=self.ctx.now()).where(
                PrintItem.id.in_(ids)
            ).execute()

    def _status(self, driver: Driver, link: Transport) -> PrinterStatus:
        try:
            return driver.status(link, STATUS_TIMEOUT)
        except TransportError as exc:
            raise Paused(str(exc)) from None

    def _check(self, driver: Driver, job: PrintJob, link: Transport, in_flight: Flight) -> None:
        """Ask the printer; confirm what it has printed (taken out of ``in_flight``); pause
        on any fault."""
        if not (link.two_way and driver.reports_status):
            self._mark_done(in_flight.take(len(in_flight.items)))  # nothing more to know here
            return
        status = self._status(driver, link)
        if not status.ready:
            if status.answered:
                self._settle(driver, job, link, in_flight)
            raise Paused(status.summary())
        self._mark_done(in_flight.take(driver.confirmed(status, in_flight.formats)))

    def _settle(self, driver: Driver, job: PrintJob, link: Transport, in_flight: Flight) -> None:
        """On a fault the printer reported: mark what its driver can tell of the labels in
        flight; labels it withdrew from the printer go back to pending."""
        settled = driver.settle_fault(link, in_flight.formats, STATUS_TIMEOUT)
        if settled is None:
            return
        items = in_flight.items
        self._mark_done(items[: settled.printed])
        withdrawn = items[len(items) - settled.withdrawn :] if settled.withdrawn else []
        if not withdrawn:
            return
        with self.ctx.db.atomic():
            PrintItem.update(state=ItemState.PENDING, sent_at=None).where(
                PrintItem.id.in_(withdrawn)
            ).execute()
            tags = PrintItem.select(PrintItem.tag).where(PrintItem.id.in_(withdrawn))
            audit.record(
                self.ctx,
                "print.withdrawn",
                f"job {job.id}: {plural(len(withdrawn), 'label')} held by the printer "
                "were cancelled and will be sent again",
                {"job_id": job.id},
                tags=Tag.select().where(Tag.id.in_(tags)),
                tag_count=len(withdrawn),
            )

    def _drain(self, driver: Driver, job: PrintJob, link: Transport, in_flight: Flight) -> None:
        deadline = time.monotonic() + DRAIN_SECONDS_PER_LABEL * (len(in_flight.items) + 1)
        while in_flight.items:
            if time.monotonic() > deadline:
                raise Paused(
                    f"the printer still holds {plural(len(in_flight.items), 'label')} after waiting"
                )
            time.sleep(0.2)
            self._check(driver, job, link, in_flight)


@dataclass
class Flight:
    """The labels sent and not yet confirmed (print item ids, oldest first), and how many
    of them each format still in the printer prints: a format that prints a run of labels
    is confirmed label by label as the printer counts them down."""

    items: list[int] = field(default_factory=list)
    formats: list[int] = field(default_factory=list)

    def add(self, items: list[int], formats: list[int]) -> None:
        assert sum(formats) == len(items), "formats must cover the chunk's labels"
        self.items += items
        self.formats += formats

    def take(self, count: int) -> list[int]:
        """The oldest ``count`` labels, confirmed: out of flight, and out of their formats."""
        taken, self.items = self.items[:count], self.items[count:]
        left = count
        while left and self.formats:
            if self.formats[0] <= left:
                left -= self.formats.pop(0)
            else:
                self.formats[0] -= left
                left = 0
        return taken


def _chunk_name(job: PrintJob, first: LabelData, last: LabelData) -> str:
    """What a chunk holds, for a transport that names what it writes: the job and UIDs
    (and the units of Retail ID labels)."""
    if shown_as(first) == shown_as(last):
        return f"job{job.id}-{shown_as(first)}"
    if first.uid == last.uid and last.unit_index:
        return f"job{job.id}-{shown_as(first)}-{last.unit_index}"
    return f"job{job.id}-{shown_as(first)}-{shown_as(last)}"
