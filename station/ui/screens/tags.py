"""F5: browse tags a page at a time, filtered by state, type, order or UID; Enter opens a
tag with its history."""

from __future__ import annotations

from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.widgets import DataTable, Header, Input, Select, Static
from textual.worker import get_current_worker

from station.domain.states import TagStatus, TagType
from station.domain.text import plural
from station.services.context import FAILURES
from station.services.tags import lookup
from station.services.tags.lookup import TagView
from station.ui import hints
from station.ui.screens.base import StationScreen, footer, plain
from station.ui.screens.tag_detail import TagDetailScreen

PAGE = 100


class TagsScreen(StationScreen):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+n", "next_page", "Next page", id="tags-next"),
        Binding("ctrl+b", "previous_page", "Previous page", id="tags-previous"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[TagView] = []
        self.page_number = 1

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(classes="row"):
            yield Select([(s.value, s) for s in TagStatus], prompt="any state", id="status")
            yield Select([(t.value, t) for t in TagType], prompt="any type", id="type")
            yield Input(placeholder="Order id", id="order", restrict=r"[0-9]*")
            yield Input(placeholder="UID prefix", id="search")
        yield Static("", id="page", classes="hint")
        yield DataTable(id="tags", cursor_type="row")
        yield footer()

    def on_mount(self) -> None:
        self.query_one("#tags", DataTable).add_columns(
            "UID", "Type", "State", "Order", "Ordered", "Batch", "Item / strain", "License"
        )
        self.load()

    def _filters(self) -> dict[str, object]:
        status = self.query_one("#status", Select).value
        kind = self.query_one("#type", Select).value
        order = self.query_one("#order", Input).value
        return {
            "status": status if isinstance(status, str) else None,
            "tag_type": kind if isinstance(kind, str) else None,
            "order_id": int(order) if order else None,
            "uid_prefix": self.query_one("#search", Input).value.strip().upper(),
        }

    @on(Select.Changed)
    @on(Input.Changed)
    def filters_changed(self) -> None:
        self.page_number = 1
        self.load()

    def load(self, after: str | None = None, before: str | None = None) -> None:
        filters = self._filters()
        self._load_page(after, before, filters)

    @work(thread=True, group="tags", exclusive=True, exit_on_error=False)
    def _load_page(self, after: str | None, before: str | None, filters: dict[str, object]) -> None:
        """The page in a thread, handed straight to the screen: a worker's finished
        message came 30-40 ms after the page was read, most of a page change."""
        worker = get_current_worker()
        try:
            with self.ctx.bound():
                rows = lookup.page(self.ctx, after=after, before=before, limit=PAGE, **filters)  # type: ignore[arg-type]
        except FAILURES as exc:
            self.app.call_from_thread(self.fail, hints.message(exc))
            return
        if not worker.is_cancelled:
            self.app.call_from_thread(self._show, rows)

    def _show(self, rows: list[TagView]) -> None:
        if not rows and self.rows and self.page_number > 1:
            self.page_number -= 1
            self.say("no more tags")
            return
        self.rows = rows
        table = self.query_one("#tags", DataTable)
        table.clear()
        table.add_rows(
            [
                plain(t.uid),
                t.type,
                t.status,
                str(t.order_id),
                t.order_date.isoformat(),
                str(t.assignment_id or ""),
                plain(t.item or t.strain or ""),
                plain(t.license_number),
            ]
            for t in rows
        )
        first = rows[0].uid if rows else "-"
        self.query_one("#page", Static).update(
            plain(
                f"Page {self.page_number}: {plural(len(rows), 'tag')} from {first} "
                "(Ctrl+N next, Ctrl+B previous, Enter opens a tag)"
            )
        )

    def action_next_page(self) -> None:
        if len(self.rows) == PAGE:
            self.page_number += 1
            self.load(after=self.rows[-1].uid)
        else:
            self.say("this is the last page")

    def action_previous_page(self) -> None:
        if self.page_number > 1 and self.rows:
            self.page_number -= 1
            self.load(before=self.rows[0].uid)

    @on(DataTable.RowSelected, "#tags")
    def open_tag(self, event: DataTable.RowSelected) -> None:
        index = event.cursor_row
        if 0 <= index < len(self.rows):
            self.app.push_screen(TagDetailScreen(self.rows[index].uid))
