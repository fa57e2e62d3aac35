"""F9: the audit trail, newest first, a page at a time, filtered by tag, action, operator and
days."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.widgets import DataTable, Header, Input, Static

from station.domain import times
from station.domain.dates import parse_date
from station.domain.errors import StationError
from station.domain.uid import normalize
from station.services.records import audit
from station.ui import hints
from station.ui.screens.audit_event import open_event
from station.ui.screens.base import StationScreen, footer, plain

PAGE = 200


class AuditScreen(StationScreen):
    # The events first: a scan opens the tag's page; into the UID filter once it has focus.
    AUTO_FOCUS = "#events"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+n", "older", "Older", id="audit-older"),
        Binding("ctrl+r", "newest", "Newest", id="audit-newest"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.oldest: int | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(
            "Every change: who, when, what, how many tags (Enter: one in full)", classes="title"
        )
        with Horizontal(classes="row"):
            yield Input(placeholder="UID", id="uid", classes="takes-uid")
            yield Input(placeholder="Action (print, void...)", id="action")
            yield Input(placeholder="Operator", id="operator")
            yield Input(placeholder="From YYYY-MM-DD", id="from")
            yield Input(placeholder="To YYYY-MM-DD", id="to")
        yield Static("", id="filter-problem", classes="hint")
        yield DataTable(id="events", cursor_type="row")
        yield footer()

    def _filters(self) -> audit.Filters | None:
        """The filters typed so far; None (with the reason shown) while one cannot be used."""
        uid, start, end = self.typed_value("uid"), self.typed_value("from"), self.typed_value("to")
        try:
            filters = audit.Filters(
                uid=normalize(uid) if uid else None,
                action=self.typed_value("action"),
                operator=self.typed_value("operator"),
                start=parse_date(start, "from date") if start else None,
                end=parse_date(end, "to date") if end else None,
            )
        except StationError as exc:
            self.query_one("#filter-problem", Static).update(
                plain(f"Not filtered yet: {hints.message(exc)}")
            )
            return None
        self.query_one("#filter-problem", Static).update("")
        return filters

    @on(Input.Changed)
    def filters_changed(self) -> None:
        self.action_newest()

    def on_mount(self) -> None:
        self.query_one("#events", DataTable).add_columns(
            "#", "When", "Who", "Approver", "What", "Tags", "Summary"
        )
        self.action_newest()

    def on_screen_resume(self) -> None:
        self.action_newest()

    def action_newest(self) -> None:
        filters = self._filters()
        if filters is None:
            return
        self.oldest = None
        self.call(
            lambda: audit.recent(self.ctx, limit=PAGE, filters=filters),
            self._show,
            exclusive=True,
            group="audit",
        )

    def action_older(self) -> None:
        filters = self._filters()
        if filters is not None and self.oldest is not None and self.oldest > 1:
            before = self.oldest
            self.call(
                lambda: audit.recent(self.ctx, before_id=before, limit=PAGE, filters=filters),
                self._show,
                exclusive=True,
                group="audit",
            )

    def _show(self, events: list[audit.AuditRecord]) -> None:
        table = self.query_one("#events", DataTable)
        if not events and self.oldest is not None:
            self.say("no older events")
            return
        self.oldest = events[-1].id if events else None
        table.clear()
        for e in events:
            table.add_row(
                str(e.id),
                times.local(e.at),
                plain(e.operator),
                plain(e.approved_by),
                e.action,
                str(e.tag_count),
                plain(e.summary),
                key=str(e.id),
            )

    @on(DataTable.RowSelected, "#events")
    def event_chosen(self, event: DataTable.RowSelected) -> None:
        """Enter on a row: the event in full (the table cuts its summary)."""
        open_event(self, int(str(event.row_key.value)))
