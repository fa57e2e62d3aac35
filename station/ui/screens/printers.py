"""F7: printers with their live status, adding one, and a test label."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.widgets import DataTable, Header, Input, Select, Static

from station.services import printer_setup
from station.services.printer_setup import PrinterState
from station.ui.screens.base import StationScreen, footer, plain

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
                [(name, name) for name in printer_setup.DRIVER_NAMES],
                value=printer_setup.DRIVER_NAMES[0],
                allow_blank=False,
                id="driver",
            )
            yield Input(
                placeholder="tcp://HOST, serial:///dev/ttyUSB0, cups://QUEUE...", id="connection"
            )
            yield Input(placeholder="Template (default for the driver)", id="template")
        yield footer()

    def on_mount(self) -> None:
        self.query_one("#printers", DataTable).add_columns(
            "Name", "Driver", "Connection", "dpi", "Template", "Status"
        )
        self.action_poll()
        self.set_interval(POLL_SECONDS, self.action_poll)

    def action_poll(self) -> None:
        # Status questions wait on printers: always in a thread, never on the UI.
        self.call(
            lambda: printer_setup.statuses(self.ctx, timeout=1.0),
            self._show,
            group="poll",
            exclusive=True,
        )

    def _show(self, found: list[PrinterState]) -> None:
        table = self.query_one("#printers", DataTable)
        table.clear()
        table.add_rows(
            [
                plain(state.printer.name),
                state.printer.driver,
                plain(state.printer.connection),
                str(state.printer.dpi),
                plain(state.printer.template),
                plain(state.summary),
            ]
            for state in found
        )

    def action_add_printer(self) -> None:
        name = self.query_one("#name", Input).value.strip()
        driver = str(self.query_one("#driver", Select).value)
        connection = self.query_one("#connection", Input).value.strip()
        template = self.query_one("#template", Input).value.strip() or None
        self.call(
            lambda: printer_setup.add_printer(self.ctx, name, driver, connection, None, template),
            self.then_say(lambda added: f"Added printer {added.name}", self.action_poll),
        )

    def action_test_print(self) -> None:
        table = self.query_one("#printers", DataTable)
        if table.row_count == 0:
            self.fail("no printer")
            return
        name = str(table.get_row_at(table.cursor_row)[0])
        self.call(
            lambda: printer_setup.print_test_label(self.ctx, name),
            lambda sent: self.say(f"Test label sent to {name} ({sent} bytes)"),
        )
