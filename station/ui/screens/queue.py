"""F4: the print queue: jobs with their progress; resume, resolve uncertain labels,
cancel, and reprint a tag with a reason."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.widgets import DataTable, Header, Input, ProgressBar, Select, Static
from textual.worker import Worker, WorkerState

from station.domain.errors import StationError
from station.domain.states import ItemState, JobState
from station.domain.text import plural
from station.domain.uid import normalize, runs_text
from station.services import printing
from station.services.printing import JobSummary, Outcome
from station.ui import hints
from station.ui.screens.base import StationScreen, footer, plain

REFRESH_SECONDS = 2.0
NEEDS_YOU = (JobState.PAUSED, JobState.INTERRUPTED)


class QueueScreen(StationScreen):
    BINDINGS: ClassVar[list[BindingType]] = [
        # Short in the footer; the tooltip is the full name (the palette and keys panel).
        Binding("f10", "resume(None)", "Resume", id="queue-resume"),
        Binding(
            "f11",
            "resume('reprint')",
            "Reprint unsure",
            tooltip="Resume, reprint uncertain",
            id="queue-reprint",
        ),
        Binding(
            "f12",
            "resume('skip')",
            "Skip unsure",
            tooltip="Resume, skip uncertain",
            id="queue-skip",
        ),
        Binding("ctrl+s", "pause_job", "Pause", tooltip="Pause job", id="queue-pause"),
        Binding("ctrl+o", "cancel_job", "Cancel", tooltip="Cancel job", id="queue-cancel"),
        # Named on the screen beside its fields ("Reprint a tag (Ctrl+R)"), not in the footer.
        Binding("ctrl+r", "reprint", "Reprint tag", id="queue-reprint-tag", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.cancel_armed: int | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("Print jobs (newest last)", classes="title")
        yield DataTable(id="jobs", cursor_type="row")
        yield ProgressBar(id="progress", show_eta=False)
        yield Static("", id="note", classes="hint")
        yield Static(
            "Reprint a tag (Ctrl+R): the reason goes into the audit trail", classes="title"
        )
        with Horizontal(classes="row"):
            yield Input(placeholder="UID to reprint", id="reprint-uid", classes="uid")
            yield Input(placeholder="Why reprint it?", id="reprint-reason")
            yield Select([], prompt="printer", id="reprint-printer")
        yield footer()

    def on_mount(self) -> None:
        self.query_one("#jobs", DataTable).add_columns(
            "Job", "Status", "Printer", "Template", "Done", "Total", "Uncertain", "Reason"
        )
        self.query_one("#progress").display = False
        self.refresh_jobs()
        self.set_interval(REFRESH_SECONDS, self.refresh_jobs)
        self.load_printers("#reprint-printer")

    def refresh_jobs(self) -> None:
        self.call(lambda: printing.summaries(self.ctx), self._show, group="jobs", exclusive=True)

    def _show(self, jobs: list[JobSummary]) -> None:
        table = self.query_one("#jobs", DataTable)
        first_load = table.row_count == 0
        for job in jobs:
            values = (
                str(job.id),
                job.status,
                plain(job.printer),
                plain(job.template),
                str(job.counts[ItemState.DONE]),
                str(job.total),
                str(job.uncertain),
                plain(job.reason),
            )
            key = str(job.id)
            if key in table.rows:
                for column, value in zip(table.columns, values, strict=True):
                    table.update_cell(key, column, value)
            else:
                table.add_row(*values, key=key)
        if first_load and jobs:
            # Open on the job that needs the operator (paused, interrupted, or with labels
            # in doubt), else the newest: not on job 1 of a long history.
            waiting = [job for job in jobs if job.status in NEEDS_YOU or job.uncertain]
            chosen = waiting[0] if waiting else jobs[-1]
            table.move_cursor(row=table.get_row_index(str(chosen.id)))

    def _selected(self) -> int | None:
        table = self.query_one("#jobs", DataTable)
        if table.row_count == 0:
            self.fail("no print job to act on")
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return int(key) if key is not None else None

    def action_resume(self, uncertain: str | None) -> None:
        job_id = self._selected()
        if job_id is None:
            return

        def work() -> Outcome:
            return printing.resume_now(self.ctx, job_id, uncertain, self._progress)

        self.query_one("#note", Static).update(f"Printing job {job_id}...")
        self.call(work, self._finished, group="print")

    def _progress(self, done: int, total: int) -> None:
        def show() -> None:
            bar = self.query_one("#progress", ProgressBar)
            bar.display = True
            bar.update(total=total, progress=done)

        self.app.call_from_thread(show)

    def _finished(self, outcome: Outcome) -> None:
        self.refresh_jobs()
        if outcome.state == JobState.DONE:
            note = f"Job {outcome.job_id} done: {plural(outcome.done, 'label')} printed."
            self.say(note)
        else:
            note = (
                f"Job {outcome.job_id} {outcome.state}: {outcome.reason}. "
                f"Uncertain: {runs_text(outcome.uncertain)}."
            )
            if outcome.uncertain:
                note += " F11 reprints them, F12 skips them."
            self.fail(note)
        self.query_one("#note", Static).update(plain(note))

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        super().on_worker_state_changed(event)
        if event.worker.group == "print" and event.state == WorkerState.ERROR:
            error = event.worker.error
            if isinstance(error, printing.UncertainLabels):
                # The keys of this screen, not the command line's flags.
                self.query_one("#note", Static).update(
                    plain(
                        f"Job {error.job_id} has {plural(len(error.uids), 'uncertain label')} "
                        f"(they may or may not have printed): {runs_text(error.uids)}. "
                        "F11 reprints them, F12 skips them."
                    )
                )

    def action_pause_job(self) -> None:
        job_id = self._selected()
        if job_id is None:
            return
        self.call(
            lambda: printing.request_pause(self.ctx, job_id),
            self.then_say(
                lambda _: f"Job {job_id} will pause after the labels already sent",
                self.refresh_jobs,
            ),
        )

    def action_cancel_job(self) -> None:
        job_id = self._selected()
        if job_id is None:
            return
        if self.cancel_armed != job_id:
            self.cancel_armed = job_id
            self.query_one("#note", Static).update(f"Press Ctrl+O again to cancel job {job_id}.")
            return
        self.cancel_armed = None

        def work() -> str | None:
            return printing.cancel(self.ctx, job_id)

        self.call(
            work,
            self.then_say(
                lambda warning: f"Cancelled job {job_id}" + (f" ({warning})" if warning else ""),
                self.refresh_jobs,
            ),
        )

    def take_scan(self, code: str) -> None:
        """A scan here is the tag to reprint: it fills the UID (never adds to it); the
        reason comes next."""
        uid = self.scanned_uid(code)
        if uid is None:
            return
        self.query_one("#reprint-uid", Input).value = uid
        self.query_one("#reprint-reason", Input).focus()
        self.say(f"{uid} to reprint: type the reason, then Ctrl+R")

    def action_reprint(self) -> None:
        try:
            uid = normalize(self.query_one("#reprint-uid", Input).value)
        except StationError as exc:
            self.fail(hints.message(exc))
            return
        reason = self.query_one("#reprint-reason", Input).value
        if not reason.strip():
            self.fail("a reprint needs a reason")
            return
        printer = self.query_one("#reprint-printer", Select).value
        if not isinstance(printer, str):
            self.fail("choose a printer")
            return

        def work() -> Outcome:
            wanted = printing.TagLabels([uid], printer, reprint_reason=reason)
            return printing.print_now(self.ctx, wanted, on_progress=self._progress)

        self.call(work, self._finished, group="print")
