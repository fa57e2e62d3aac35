"""Sending a print job: in chunks, with the printer's status checked between chunks.

Exactly once or visibly uncertain: a chunk's labels are marked ``sent`` (and audited) in a
committed transaction *before* their bytes go out, and ``done`` only once the printer has
confirmed them (Zebra: ready, with no formats left in its buffer; ESC/POS: ready) or the
connection cannot tell more (file, spool, spooler queue). A fault pauses the job and turns
every unconfirmed label uncertain; a crash leaves them ``sent``, which a resume turns
uncertain. Nothing is silently lost or silently printed twice.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass

from printers.device import preview_on_spool, render_chunks
from printers.errors import PrinterError, TransportError
from printers.render.zpl import cancel_all
from printers.status import PrinterStatus, escpos_status, zebra_status
from printers.transports import open_transport
from printers.transports.base import Transport
from station.db.models import PrintItem, PrintJob, Tag
from station.domain.errors import StationError
from station.domain.text import plural
from station.services import audit, printers
from station.services.context import Context
from station.services.labels import label_for
from station.services.printing import (
    get_job,
    held_by,
    lease,
    owner_alive,
    owner_token,
    uncertain_uids,
)
from station.services.tags import views_by_id

CHUNK = 25
PAUSED_BY_OPERATOR = "paused by the operator"
# How long to wait at the end of a job for a Zebra to empty its buffer, per label still in it.
DRAIN_SECONDS_PER_LABEL = 2.0
STATUS_TIMEOUT = 2.0

Progress = Callable[[int, int], None]


@dataclass
class Outcome:
    job_id: int
    state: str
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
        self.token = owner_token()
        self.lease = lease()

    def run(self) -> Outcome:
        job = self._claim()
        pending = list(
            PrintItem.select(PrintItem.id, PrintItem.tag)
            .where((PrintItem.job == job.id) & (PrintItem.state == "pending"))
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
            return Outcome(job.id, "cancelled", self._count(job, "done"), total, [])
        except KeyboardInterrupt:
            return self._pause(job, "stopped by the operator", total)
        except TakenOver:
            raise  # the job and its labels are the other station's now
        except Exception as exc:
            # Whatever went wrong, labels already sent must not look pending.
            self._pause(job, f"stopped by an error: {exc}", total)
            raise
        return Outcome(job.id, "done", total - self._count(job, "skipped"), total, [])

    # --- claiming and finishing ---------------------------------------------------------

    def _claim(self) -> PrintJob:
        with self.ctx.db.atomic():
            job = get_job(self.ctx, self.job_id, lock=True)
            now = self.ctx.now()
            if job.state in ("done", "cancelled"):
                raise StationError(f"job {job.id} is {job.state}")
            if job.state == "printing" and owner_alive(job, now) and job.owner != self.token:
                raise StationError(held_by(job))
            if uncertain_uids(job.id):
                raise StationError(
                    f"job {job.id} has uncertain labels; resolve them first: "
                    f"station job resume {job.id} --uncertain reprint|skip"
                )
            job.state, job.pause_reason = "printing", None
            job.owner, job.heartbeat_at, job.lease_until = self.token, now, now + self.lease
            job.save()
        return job

    def _finish(self, job: PrintJob) -> None:
        with self.ctx.db.atomic():
            self._still_mine(job)
            job.state, job.owner, job.finished_at = "done", None, self.ctx.now()
            job.save()
            audit.record(self.ctx, "print.done", f"job {job.id} finished", {"job_id": job.id})

    def _pause(self, job: PrintJob, reason: str, total: int) -> Outcome:
        with self.ctx.db.atomic():
            self._still_mine(job)
            sent = (PrintItem.job == job.id) & (PrintItem.state == "sent")
            tags = Tag.select().where(Tag.id.in_(PrintItem.select(PrintItem.tag).where(sent)))
            count = PrintItem.select().where(sent).count()
            PrintItem.update(state="uncertain").where(sent).execute()
            fresh = get_job(self.ctx, job.id)
            if fresh.state != "cancelled":
                fresh.state, fresh.pause_reason, fresh.owner = "paused", reason, None
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
        done = self._count(job, "done")
        return Outcome(job.id, "paused", done, total, uncertain_uids(job.id), reason)

    def _count(self, job: PrintJob, state: str) -> int:
        counted: int = (
            PrintItem.select().where((PrintItem.job == job.id) & (PrintItem.state == state)).count()
        )
        return counted

    # --- sending ------------------------------------------------------------------------

    def _send(self, job: PrintJob, pending: list[PrintItem], done: int, total: int) -> int:
        template = printers.template(job.template)
        views = views_by_id(self.ctx, [item.tag_id for item in pending])
        labels = [label_for(views[item.tag_id]) for item in pending]
        try:
            chunks = render_chunks(job.driver, template, labels)
        except PrinterError as exc:
            raise Paused(str(exc)) from None
        try:
            link = self.connect(job.connection)
        except TransportError as exc:
            raise Paused(str(exc)) from None
        try:
            self._check(job, link, in_flight=[])
            # The stored format (ZPL) goes again on every connection: the printer may have
            # been switched off since, and R: memory does not survive that.
            self._write(link, chunks[0])
            in_flight: list[int] = []
            for start in range(0, len(pending), self.chunk):
                batch = pending[start : start + self.chunk]
                if self._pause_requested(job):
                    # Let what is already sent finish, so an operator's pause leaves
                    # nothing uncertain.
                    self._drain(job, link, in_flight)
                    raise Paused(PAUSED_BY_OPERATOR)
                self._mark_sent(job, batch)
                self._write(link, b"".join(chunks[1 + start : 1 + start + len(batch)]))
                in_flight += [item.id for item in batch]
                in_flight = self._check(job, link, in_flight)
                done = total - len(pending) + start + len(batch) - len(in_flight)
                self.on_progress(done, total)
            self._drain(job, link, in_flight)
            preview_on_spool(link, template, labels)
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
        if fresh.state == "printing" and fresh.owner != self.token:
            raise TakenOver(job.id)

    def _mark_sent(self, job: PrintJob, batch: list[PrintItem]) -> None:
        ids = [item.id for item in batch]
        with self.ctx.db.atomic():
            state = PrintJob.select(PrintJob.state).where(PrintJob.id == job.id).scalar()
            if state == "cancelled":
                raise Cancelled
            now = self.ctx.now()
            PrintItem.update(state="sent", sent_at=now).where(PrintItem.id.in_(ids)).execute()
            self._renew(job, now)
            audit.record(
                self.ctx,
                "print.sent",
                f"job {job.id}: sending {plural(len(ids), 'label')}",
                {"job_id": job.id},
                tags=Tag.select().where(Tag.id.in_([item.tag_id for item in batch])),
                tag_count=len({item.tag_id for item in batch}),
            )

    def _mark_done(self, ids: list[int]) -> None:
        if ids:
            PrintItem.update(state="done", done_at=self.ctx.now()).where(
                PrintItem.id.in_(ids)
            ).execute()

    def _status(self, job: PrintJob, link: Transport) -> PrinterStatus:
        try:
            if job.driver == "zpl":
                return zebra_status(link, STATUS_TIMEOUT)
            return escpos_status(link, STATUS_TIMEOUT)
        except TransportError as exc:
            raise Paused(str(exc)) from None

    def _check(self, job: PrintJob, link: Transport, in_flight: list[int]) -> list[int]:
        """Ask the printer; confirm what it has printed; pause on any fault. Returns the
        labels still in flight (sent, not yet confirmed)."""
        if not link.two_way:
            self._mark_done(in_flight)  # nothing more can be known on this connection
            return []
        status = self._status(job, link)
        if not status.ready:
            if job.driver == "zpl" and status.answered:
                self._cancel_held(job, link, in_flight)
            raise Paused(status.summary())
        if job.driver != "zpl":
            self._mark_done(in_flight)  # ESC/POS prints as it receives: ready means printed
            return []
        # A Zebra's formats still in its buffer are the last labels sent, not yet printed;
        # the one before them may still be under the head, so it waits for the next check
        # unless the printer is idle.
        fields = status.fields
        waiting = fields.get("formats_in_buffer") or 0
        idle = (
            waiting == 0 and not fields.get("labels_remaining") and not fields.get("partial_format")
        )
        keep = 0 if idle else min(len(in_flight), waiting + 1)
        self._mark_done(in_flight[: len(in_flight) - keep])
        return in_flight[len(in_flight) - keep :]

    def _cancel_held(self, job: PrintJob, link: Transport, in_flight: list[int]) -> None:
        """On a Zebra fault: cancel what it still holds (``~JA``) and settle what is known.

        Only a printer that has stopped (paper out, head open, ribbon out, paused) gives a
        count of held labels that cannot change under us; then the held labels never
        printed (back to pending), the one before them was printing when the fault came
        (left uncertain), and the earlier ones left the buffer whole (done). Otherwise
        every unconfirmed label stays uncertain.
        """
        try:
            halted = zebra_status(link, STATUS_TIMEOUT)
            flags = halted.fields
            stopped = halted.answered and any(
                flags.get(name) for name in ("paper_out", "head_open", "ribbon_out", "paused")
            )
            held = flags.get("formats_in_buffer")
            link.write(cancel_all())
            after = zebra_status(link, STATUS_TIMEOUT)
        except TransportError:
            return
        if not stopped or not isinstance(held, int) or held > len(in_flight):
            return
        if after.fields.get("formats_in_buffer") != 0:
            return
        printing_when_faulted = len(in_flight) - held - 1
        self._mark_done(in_flight[: max(0, printing_when_faulted)])
        never_printed = in_flight[len(in_flight) - held :] if held else []
        if never_printed:
            with self.ctx.db.atomic():
                PrintItem.update(state="pending", sent_at=None).where(
                    PrintItem.id.in_(never_printed)
                ).execute()
                tags = PrintItem.select(PrintItem.tag).where(PrintItem.id.in_(never_printed))
                audit.record(
                    self.ctx,
                    "print.withdrawn",
                    f"job {job.id}: {plural(len(never_printed), 'label')} held by the printer "
                    "were cancelled (~JA) and will be sent again",
                    {"job_id": job.id},
                    tags=Tag.select().where(Tag.id.in_(tags)),
                    tag_count=len(never_printed),
                )

    def _drain(self, job: PrintJob, link: Transport, in_flight: list[int]) -> None:
        deadline = time.monotonic() + DRAIN_SECONDS_PER_LABEL * (len(in_flight) + 1)
        while in_flight:
            if time.monotonic() > deadline:
                raise Paused(
                    f"the printer still holds {plural(len(in_flight), 'label')} after waiting"
                )
            time.sleep(0.2)
            in_flight = self._check(job, link, in_flight)
