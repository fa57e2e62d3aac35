"""F9: the audit trail, newest first, a page at a time."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import DataTable, Footer, Header, Static

from station.services import audit
from station.ui.screens.base import StationScreen, plain

PAGE = 200


class AuditScreen(StationScreen):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+n", "older", "Older", id="audit-older"),
        Binding("ctrl+r", "newest", "Newest", id="audit-newest"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.oldest: int | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("Every change: who, when, what, how many tags", classes="title")
        yield DataTable(id="events", cursor_type="row")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#events", DataTable).add_columns(
            "#", "When", "Who", "What", "Tags", "Summary"
        )
        self.action_newest()

    def on_screen_resume(self) -> None:
        self.action_newest()

    def action_newest(self) -> None:
        self.call(
            lambda: audit.recent(self.ctx, limit=PAGE), self._show, exclusive=True, group="audit"
        )

    def action_older(self) -> None:
        if self.oldest is not None and self.oldest > 1:
            before = self.oldest
            self.call(
                lambda: audit.recent(self.ctx, before_id=before, limit=PAGE),
                self._show,
                exclusive=True,
                group="audit",
            )

    def _show(self, events: list[audit.AuditRecord]) -> None:
        if not events:
            return
        self.oldest = events[-1].id
        table = self.query_one("#events", DataTable)
        table.clear()
        table.add_rows(
            [
                str(e.id),
                audit.iso_utc(e.at),
                plain(e.operator),
                e.action,
                str(e.tag_count),
                plain(e.summary),
            ]
            for e in events
        )
