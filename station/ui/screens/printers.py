"""F7: printers with their live status, adding one, and a test label."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.widgets import DataTable, Header, Input, Select, Static

from station.services.printing import printer_setup
from station.services.printing.printer_setup import PrinterState
from station.ui.screens.base import StationScreen, footer, plain

POLL_SECONDS = 5.0


class PrintersScreen(StationScreen):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f10", "add_printer", "Add", tooltip="Add printer", id="printers-add"),
        Binding("f11", "test_print", "Test label", id="printers-test"),
        Binding(
            "ctrl+e",
            "change_printer",
            "Change",
            tooltip="Change the chosen printer: the connection or template typed below",
            id="printers-change",
            # Priority: a text field would take Ctrl+E (end of line) first.
            priority=True,
        ),
        Binding(
            "f12", "make_default", "Default", tooltip="Make it the default", id="printers-default"
        ),
        Binding("ctrl+r", "poll", "Check", tooltip="Check status now", id="printers-poll"),
    ]

    def compose(self) -> ComposeResult:
        yield Header()
        yield DataTable(id="printers", cursor_type="row")
        yield Static(
            "Add a printer (F10), or change the chosen one's connection or template (Ctrl+E)",
            classes="title",
        )
        # The connection's forms, above the field: too long for its placeholder at 80 columns.
        yield Static(
            "Connection: tcp://HOST[:9100], serial:///dev/ttyUSB0, cups://QUEUE, usb://VID:PID, "
            "file:///PATH or spool:",
            classes="hint",
        )
        with Horizontal(classes="row"):
            yield Input(placeholder="Name", id="name")
            yield Select(
                [(name, name) for name in printer_setup.DRIVER_NAMES],
                value=printer_setup.DRIVER_NAMES[0],
                allow_blank=False,
                id="driver",
            )
            yield Input(placeholder="Connection URL", id="connection")
            yield Input(placeholder="Template (default)", id="template")
        yield footer()

    def on_mount(self) -> None:
        self.query_one("#printers", DataTable).add_columns(
            "Name", "Driver", "Connection", "dpi", "Template", "Default", "Status"
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
                "default" if state.printer.default else "",
                plain(state.summary),
            ]
            for state in found
        )

    def action_add_printer(self) -> None:
        name = self.query_one("#name", Input).value.strip()
        driver = str(self.query_one("#driver", Select).value)
        connection = self.query_one("#connection", Input).value.strip()
        template = self.typed_value("template")
        self.call(
            lambda: printer_setup.add_printer(self.ctx, name, driver, connection, None, template),
            self.then_say(lambda added: f"Added printer {added.name}", self.action_poll),
        )

    def _chosen(self) -> str | None:
        table = self.query_one("#printers", DataTable)
        if table.row_count == 0:
            self.fail("no printer")
            return None
        return str(table.get_row_at(table.cursor_row)[0])

    def action_make_default(self) -> None:
        name = self._chosen()
        if name is not None:
            self.call(
                lambda: printer_setup.make_default(self.ctx, name),
                self.then_say(lambda _: f"{name} is the default printer", self.action_poll),
            )

    def action_change_printer(self) -> None:
        name = self._chosen()
        if name is None:
            return
        connection = self.typed_value("connection")
        template = self.typed_value("template")
        if connection is None and template is None:
            self.fail("type the new connection or template below first")
            return
        self.call(
            lambda: printer_setup.set_printer(self.ctx, name, template, connection),
            self.then_say(lambda _: f"Changed printer {name}", self.action_poll),
        )

    def action_test_print(self) -> None:
        name = self._chosen()
        if name is None:
            return
        self.call(
            lambda: printer_setup.print_test_label(self.ctx, name),
            lambda sent: self.say(f"Test label sent to {name} ({sent} bytes)"),
        )
