"""F7: printers with their live status, adding one, and a test label."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.widgets import DataTable, Footer, Header, Input, Select, Static

from printers.status import PrinterStatus
from station.db.models import Printer
from station.services import printers
from station.ui.screens.base import StationScreen, plain

POLL_SECONDS = 5.0


class PrintersScreen(StationScreen):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f10", "add_printer", "Add printer", id="printers-add"),
        Binding("f11", "test_print", "Test label", id="printers-test"),
        Binding("ctrl+r", "poll", "Check status now", id="printers-poll"),
    ]

    def compose(self) -> ComposeResult:
        yield Header()
        yield DataTable(id="printers", cursor_type="row")
        yield Static("Add a printer (F10)", classes="title")
        with Horizontal(classes="row"):
            yield Input(placeholder="Name", id="name")
            yield Select(
                [("zpl", "zpl"), ("escpos", "escpos")], value="zpl", allow_blank=False, id="driver"
            )
            yield Input(
                placeholder="tcp://HOST, serial:///dev/ttyUSB0, cups://QUEUE...", id="connection"
            )
            yield Input(placeholder="Template (default for the driver)", id="template")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#printers", DataTable).add_columns(
            "Name", "Driver", "Connection", "dpi", "Template", "Status"
        )
        self.action_poll()
        self.set_interval(POLL_SECONDS, self.action_poll)

    def action_poll(self) -> None:
        # Status questions wait on printers: always in a thread, never on the UI.
        def work() -> list[tuple[Printer, str]]:
            found = []
            for printer in printers.list_printers(self.ctx):
                try:
                    status: PrinterStatus = printers.status(self.ctx, printer.name, timeout=1.0)
                    found.append((printer, status.summary()))
                except Exception as exc:  # one unreachable printer must not hide the rest
                    found.append((printer, f"unreachable: {exc}"))
            return found

        self.call(work, self._show, group="poll", exclusive=True)

    def _show(self, found: list[tuple[Printer, str]]) -> None:
        table = self.query_one("#printers", DataTable)
        table.clear()
        table.add_rows(
            [
                plain(p.name),
                p.driver,
                plain(p.connection),
                str(p.dpi),
                plain(p.template),
                plain(summary),
            ]
            for p, summary in found
        )

    def action_add_printer(self) -> None:
        name = self.query_one("#name", Input).value.strip()
        driver = str(self.query_one("#driver", Select).value)
        connection = self.query_one("#connection", Input).value.strip()
        template = self.query_one("#template", Input).value.strip() or None
        self.call(
            lambda: printers.add_printer(self.ctx, name, driver, connection, None, template),
            self.then_say(lambda added: f"Added printer {added.name}", self.action_poll),
        )

    def action_test_print(self) -> None:
        table = self.query_one("#printers", DataTable)
        if table.row_count == 0:
            self.fail("no printer")
            return
        name = str(table.get_row_at(table.cursor_row)[0])
        self.call(
            lambda: printers.print_test_label(self.ctx, name),
            lambda sent: self.say(f"Test label sent to {name} ({sent} bytes)"),
        )
