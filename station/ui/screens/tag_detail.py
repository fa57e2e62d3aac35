"""One tag: everything known about it, its history, and voiding it with a reason."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import DataTable, Footer, Header, Input, Static

from station.services import audit, tags, voiding
from station.services.tags import TagView
from station.ui.screens.base import StationScreen, plain


class TagDetailScreen(StationScreen):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "app.pop_screen", "Back", id="tag-back"),
        Binding("f12", "void", "Void (with the reason below)", id="tag-void"),
    ]

    def __init__(self, uid: str) -> None:
        super().__init__()
        self.uid = uid

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("", id="fields", classes="panel")
        yield Input(placeholder="Reason to void this tag (then F12)", id="reason")
        yield Static("History", classes="title")
        yield DataTable(id="history", cursor_type="row")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#history", DataTable).add_columns("When", "Who", "What", "Summary")
        self.load()

    def load(self) -> None:
        self.call(
            lambda: (tags.get_tag(self.ctx, self.uid), tags.history(self.ctx, self.uid)), self._show
        )

    def _show(self, result: tuple[TagView, list[audit.AuditRecord]]) -> None:
        view, events = result
        lines = [f"{k.replace('_', ' ')}: {v}" for k, v in view.as_dict().items() if v is not None]
        self.query_one("#fields", Static).update(plain("\n".join(lines)))
        table = self.query_one("#history", DataTable)
        table.clear()
        table.add_rows(
            [audit.iso_utc(e.at), plain(e.operator), e.action, plain(e.summary)] for e in events
        )

    def action_void(self) -> None:
        reason = self.query_one("#reason", Input).value
        self.call(
            lambda: voiding.void(self.ctx, [self.uid], reason),
            self.then_say(lambda _: f"Voided {self.uid}", self.load),
        )
