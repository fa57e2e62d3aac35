"""F1: counts by facility, type and state; orders still arriving; jobs that need the
operator. With no facility yet, the first-run form."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import DataTable, Header, Input, Static

from station.domain.states import TagStatus
from station.services.home import Home, home
from station.services.records import backups
from station.services.tags import facilities
from station.ui.screens.base import StationScreen, cell, footer, plain

# Short headings: with a 20-character facility name the row still fits 80 columns.
COUNT_COLUMNS = ("License", "Facility", "St", "Type", "Ordered", "Rec'd", "Used", "Void")

# The keys that switch screens, here rather than in every screen's footer.
SCREEN_KEYS = (
    "F2 Receive · F3 Assign · F4 Print queue · F5 Tags · F6 Orders · F7 Printers · "
    "F8 Templates · F9 Audit · Ctrl+G Metrc · Ctrl+F Retail ID · Ctrl+O Count · "
    "Ctrl+K every key · "
    "Ctrl+P palette · Ctrl+Q quit"
)


class DashboardScreen(StationScreen):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+r", "refresh", "Refresh", id="refresh"),
        Binding("f10", "add_facility", "Save facility", id="save-facility"),
        Binding(
            "ctrl+e",
            "rename_facility",
            "Rename",
            tooltip="Rename the chosen row's facility (the name typed below)",
            id="rename-facility",
            # Priority: a text field would take Ctrl+E (end of line) first.
            priority=True,
        ),
    ]

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="first-run", classes="panel"):
            yield Static("Welcome. Add your facility to start (F10 saves).", classes="title")
            with Horizontal(classes="row"):
                yield Input(placeholder="License, e.g. C11-0000001-LIC", id="license")
                yield Input(placeholder="Facility name (on labels)", id="name")
        yield Static("", id="notices", classes="hint")
        yield Static(SCREEN_KEYS, id="screen-keys", classes="hint")
        yield Static("Tags by facility (and its Metrc state), type and status", classes="title")
        yield DataTable(id="counts", cursor_type="row")
        yield Input(
            placeholder="New name for the chosen row's facility, as labels print it (Ctrl+E)",
            id="new-name",
        )
        yield Static(
            "Orders still arriving (late: past the state's days for receipt)", classes="title"
        )
        yield DataTable(id="orders", cursor_type="row")
        yield Static("", id="jobs", classes="hint")
        yield footer()

    first_run = False

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "add_facility":
            return self.first_run
        if action == "rename_facility":
            return not self.first_run
        return True

    def take_scan(self, code: str) -> None:
        """Before the first facility, a scan is its license number (from a license
        document's barcode); after it, a tag to open."""
        if not self.first_run:
            super().take_scan(code)
            return
        self.query_one("#license", Input).value = code.strip()
        self.query_one("#name", Input).focus()

    def action_rename_facility(self) -> None:
        table = self.query_one("#counts", DataTable)
        if table.row_count == 0:
            self.fail("no facility to rename")
            return
        license_number = str(table.get_row_at(table.cursor_row)[0])
        name = self.query_one("#new-name", Input).value

        def done(result: tuple[object, str]) -> None:
            self.query_one("#new-name", Input).value = ""
            self.say(f"{license_number} renamed from {result[1]!r}; new labels carry the new name")
            self.action_refresh()

        self.call(lambda: facilities.rename_facility(self.ctx, license_number, name), done)

    def on_mount(self) -> None:
        self.query_one("#counts", DataTable).add_columns(*COUNT_COLUMNS)
        self.query_one("#orders", DataTable).add_columns(
            "Order", "License", "Type", "Order date", "Received", "Missing", "Days open"
        )
        self.query_one("#first-run").display = False
        self.action_refresh()
        # The day's backup, if no station has written it yet: in the background, so the
        # screen is usable at once; the notices show how it went.
        self.call(lambda: backups.daily(self.ctx), self._backed_up, group="daily-backup")

    def _backed_up(self, result: backups.Daily) -> None:
        if result.error:
            self.say(result.error)
        if result.made or result.error:
            self.action_refresh()

    def on_screen_resume(self) -> None:
        self.action_refresh()

    def action_refresh(self) -> None:
        # The database may be slow or busy: never on the UI thread.
        self.call(
            lambda: home(self.ctx),
            self._show,
            group="dashboard",
            exclusive=True,
        )

    def _show(self, result: Home) -> None:
        known, counts, needs = result.facilities, result.counts, result.attention
        warnings, last_backup = result.notices, result.backup
        lines = [f"! {text}" for text in warnings] or ["Nothing is due."]
        self.query_one("#notices", Static).update(plain("\n".join([*lines, last_backup])))
        first_run = self.query_one("#first-run")
        first_run.display = not known
        # Hidden, the form takes no keys: no focus for a scan to land in, no F10.
        for field in first_run.query(Input):
            field.disabled = bool(known)
        self.first_run = not known
        self.query_one("#new-name").display = bool(known)
        self.refresh_bindings()
        if not known:
            self.query_one("#license", Input).focus()
        table = self.query_one("#counts", DataTable)
        # Columns made anew: a table keeps a column as wide as the widest value it ever held,
        # so after a long name was renamed away the counts stayed off the screen.
        table.clear(columns=True)
        table.add_columns(*COUNT_COLUMNS)
        for row in counts:
            table.add_row(
                cell(row.license_number, 20),
                cell(row.facility_name, 20),
                row.state,
                row.type,
                f"{row.ordered:,}",
                f"{row.received:,}",
                f"{row.used:,}",
                f"{row.voided:,}",
            )
        orders = self.query_one("#orders", DataTable)
        orders.clear()
        today = self.ctx.today()
        for order in needs.open_orders:
            days = order.days_open(today) or 0
            late = " (late)" if order.id in needs.late_orders else ""
            orders.add_row(
                str(order.id),
                plain(order.license_number),
                order.type,
                order.order_date.isoformat(),
                f"{order.total - order.counts[TagStatus.ORDERED]:,}",
                f"{order.counts[TagStatus.ORDERED]:,}",
                f"{days}{late}",
            )
        stopped = ", ".join(f"job {job.id} {job.status}" for job in needs.stopped_jobs)
        self.query_one("#jobs", Static).update(
            plain(
                f"Print jobs needing you: {stopped}; uncertain labels: {needs.uncertain_labels}"
                " (F4)"
                if stopped
                else "No print job needs you."
            )
        )

    def action_add_facility(self) -> None:
        license_number = self.query_one("#license", Input).value
        name = self.query_one("#name", Input).value
        self.call(
            lambda: facilities.add_facility(self.ctx, license_number, name),
            self.then_say(
                lambda added: f"Added {added.license_number} {added.name}", self.action_refresh
            ),
        )
