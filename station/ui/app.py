"""The terminal UI's first version: the dashboard of tag counts.

Scanning, receiving, assigning and printing screens come with the UI issue; every action is
already available from the command line (see the README).
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import work
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import DataTable, Footer, Header, Static

from station.services.context import Context
from station.services.dashboard import CountRow, tag_counts

_HINT = (
    "Tags by facility, type and state. Receive, assign and void from the command line for "
    "now: station --help."
)
_EMPTY_HINT = (
    "No tags yet. Add a facility and an order: station facility add LICENSE NAME; "
    "station order add ... (see the README)."
)
_COLUMNS = ("License", "Facility", "Type", "Ordered", "Received", "Used", "Voided")


class StationApp(App[None]):
    """Tag Station. The service context is injected, so tests can give it any database."""

    TITLE = "Tag Station"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f5", "refresh", "Refresh", id="refresh"),
        Binding("ctrl+q", "quit", "Quit", id="quit"),
    ]
    CSS = """
    #hint { padding: 1 2; color: $text-muted; }
    DataTable { height: 1fr; }
    """

    def __init__(self, ctx: Context) -> None:
        super().__init__()
        self.ctx = ctx

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(_HINT, id="hint")
        yield DataTable(id="counts", cursor_type="row")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(DataTable).add_columns(*_COLUMNS)
        self.action_refresh()

    def action_refresh(self) -> None:
        self._load()

    @work(thread=True, exclusive=True, exit_on_error=False, group="counts")
    def _load(self) -> None:
        # The count is a database query; it never runs on the event loop.
        rows = tag_counts(self.ctx)
        self.call_from_thread(self._show, rows)

    def _show(self, rows: list[CountRow]) -> None:
        table = self.query_one(DataTable)
        table.clear()
        for row in rows:
            table.add_row(
                Text(row.license_number),
                Text(row.facility_name),
                row.type,
                f"{row.ordered:,}",
                f"{row.received:,}",
                f"{row.used:,}",
                f"{row.voided:,}",
            )
        self.query_one("#hint", Static).update(_HINT if rows else _EMPTY_HINT)


def run_ui(ctx: Context) -> None:
    StationApp(ctx).run()
