"""One tag: everything known about it, its history; reprinting its label and voiding it, each
with a reason. Voiding shows exactly what will be voided first (F12), then F12 again."""

from __future__ import annotations

import datetime as dt
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.widgets import DataTable, Header, Input, Select, Static

from station.domain import changes, times
from station.domain.states import JobState, TagStatus
from station.services import printing
from station.services.printing import Outcome
from station.services.records import audit
from station.services.tags import batch_corrections, lookup, voiding
from station.services.tags.lookup import TagView
from station.ui.screens.audit_event import open_event
from station.ui.screens.base import StationScreen, footer, plain


class TagDetailScreen(StationScreen):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "app.pop_screen", "Back", id="tag-back"),
        Binding("f10", "reprint", "Reprint", id="tag-reprint"),
        Binding("f12", "void", "Void", id="tag-void"),
        Binding(
            "ctrl+e",
            "fill_batch",
            "Fill in batch",
            tooltip="Fill in the batch's Metrc plant batch or location (typed below)",
            id="tag-batch",
            # Priority: a text field would take Ctrl+E (end of line) first.
            priority=True,
        ),
    ]

    def __init__(self, uid: str) -> None:
        super().__init__()
        self.uid = uid
        self.view: TagView | None = None
        self.void_armed = False

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("", id="fields", classes="panel")
        with Horizontal(classes="row"):
            yield Input(placeholder="Reason (F10 reprints, F12 voids)", id="reason")
            yield Select([], prompt="printer", id="printer")
        yield Static("", id="confirm", classes="hint")
        with Horizontal(classes="row"):
            yield Input(placeholder="Its batch's plant batch", id="plant-batch")
            yield Input(placeholder="Its batch's location (Ctrl+E)", id="location")
        yield Static("History (Enter: one in full)", classes="title")
        yield DataTable(id="history", cursor_type="row")
        yield footer()

    def on_mount(self) -> None:
        self.query_one("#history", DataTable).add_columns("When", "Who", "What", "Summary")
        self.load_printers("#printer")
        self.load()

    def load(self) -> None:
        self.call(
            lambda: (lookup.get_tag(self.ctx, self.uid), lookup.history(self.ctx, self.uid)),
            self._show,
        )

    def _show(self, result: tuple[TagView, list[audit.AuditRecord]]) -> None:
        view, events = result
        self.view = view
        lines = [
            f"{k.replace('_', ' ')}: {times.local(v) if isinstance(v, dt.datetime) else v}"
            for k, v in view.as_dict().items()
            if v is not None
        ]
        self.query_one("#fields", Static).update(plain("\n".join(two_columns(lines))))
        table = self.query_one("#history", DataTable)
        table.clear()
        for e in events:
            table.add_row(
                times.local(e.at), plain(e.operator), e.action, plain(e.summary), key=str(e.id)
            )

    @on(DataTable.RowSelected, "#history")
    def event_chosen(self, event: DataTable.RowSelected) -> None:
        """Enter on a row of the history: that event in full."""
        open_event(self, int(str(event.row_key.value)))

    def take_scan(self, code: str) -> None:
        """Another tag scanned here: its detail, in place of this one."""
        uid = self.scanned_uid(code)
        if uid is not None:
            self.show_tag(uid, self.app.switch_screen)

    def _reason(self) -> str | None:
        reason = self.query_one("#reason", Input).value.strip()
        if not reason:
            self.fail("type the reason first: it goes into the audit trail")
            return None
        return reason

    @on(Input.Changed, "#reason")
    def reason_changed(self) -> None:
        # A confirmation holds only for the reason it showed.
        self._disarm()

    def _disarm(self) -> None:
        self.void_armed = False
        self.query_one("#confirm", Static).update("")

    def action_void(self) -> None:
        view, reason = self.view, self._reason()
        if view is None or reason is None:
            return
        if view.status in (TagStatus.USED, TagStatus.VOIDED):
            self.fail(f"{view.uid} is {view.status}: only an ordered or received tag is voided")
            return
        if not self.void_armed:
            self.void_armed = True
            self.query_one("#confirm", Static).update(
                plain(
                    f"F12 again voids 1 {view.type} tag, {view.uid} ({view.status}, order "
                    f"{view.order_id}, {view.license_number} {view.facility_name}), for the "
                    f"reason {reason!r}. It cannot be used afterwards."
                )
            )
            return
        self._disarm()
        self.call(
            lambda: voiding.void(self.ctx, [self.uid], reason),
            self.then_say(lambda _: f"Voided {self.uid}", self.load),
        )

    def action_fill_batch(self) -> None:
        """What the tag's batch lacks for Metrc, until it has been pushed; with the reason."""
        view, reason = self.view, self._reason()
        if view is None or reason is None:
            return
        if view.assignment_id is None:
            self.fail(f"{view.uid} is not assigned to a batch")
            return
        batch_id = view.assignment_id
        plant_batch = self.typed_value("plant-batch")
        location = self.typed_value("location")
        if plant_batch is None and location is None:
            self.fail("type the plant batch or the location the batch should have")
            return
        self.call(
            lambda: batch_corrections.set_batch(self.ctx, batch_id, reason, plant_batch, location),
            self.then_say(
                lambda changed: f"Batch {batch_id}: {changes.described(changed)}", self.load
            ),
        )

    def action_reprint(self) -> None:
        self._disarm()
        reason = self._reason()
        printer = self.query_one("#printer", Select).value
        if reason is None:
            return
        if not isinstance(printer, str):
            self.fail("choose the printer for the new label")
            return

        def work() -> Outcome:
            wanted = printing.TagLabels([self.uid], printer, reprint_reason=reason)
            return printing.print_now(self.ctx, wanted)

        self.call(work, self._printed, group="print")

    def _printed(self, outcome: Outcome) -> None:
        if outcome.state == JobState.DONE:
            self.say(f"Printed a new label for {self.uid} (job {outcome.job_id})")
        else:
            self.fail(
                f"Job {outcome.job_id} {outcome.state}: {outcome.reason}; the print queue (F4) "
                "resumes it"
            )
        self.load()


def two_columns(lines: list[str]) -> list[str]:
    """``lines`` down two columns, the first as wide as its longest line: half the height,
    so the history below keeps its rows at 24 lines."""
    half = (len(lines) + 1) // 2
    left, right = lines[:half], lines[half:]
    width = max((len(line) for line in left), default=0) + 3
    return [f"{line:<{width}}{right[n]}" if n < len(right) else line for n, line in enumerate(left)]
