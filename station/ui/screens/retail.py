"""Ctrl+F: Metrc Retail ID for a package: its allotment, generating unit codes, printing one
label per unit with progress, and the codes with whether each printed."""

from __future__ import annotations

from itertools import islice
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.widgets import DataTable, Header, Input, ProgressBar, Select, Static

from station.domain.errors import StationError
from station.domain.states import JobState
from station.domain.text import plural
from station.domain.uid import normalize
from station.metrc.retail import RetailCaller
from station.services import printing
from station.services.metrc import retail_ids
from station.services.printing import Outcome
from station.ui import hints
from station.ui.screens.base import StationScreen, footer, plain

# The codes listed on screen (the command line lists them all).
SHOWN_CODES = 1000


class RetailIdScreen(StationScreen):
    AUTO_FOCUS = "#package"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f5", "allotment", "Allotment", tooltip="Ask Metrc", id="retail-allotment"),
        Binding("f10", "generate", "Generate", tooltip="Codes for the units", id="retail-gen"),
        Binding("f11", "print_units", "Print", tooltip="Units not printed yet", id="retail-print"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.uid: str | None = None
        # The package whose codes are shown, and whether Metrc's allotment was asked here.
        self.shown_package: str | None = None
        self.allotment_shown = False

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(classes="row"):
            yield Input(placeholder="Package UID, then Enter", id="package")
            yield Input(placeholder="Units", id="quantity", type="integer")
            yield Select([], prompt="printer", id="printer")
        yield Static("Allotment: F5 asks Metrc", id="allotment", classes="hint")
        yield Static("", id="summary", classes="panel")
        bar = ProgressBar(id="progress", show_eta=True)
        bar.display = False
        yield bar
        yield DataTable(id="codes", cursor_type="row")
        yield footer()

    def on_mount(self) -> None:
        self.query_one("#codes", DataTable).add_columns("Unit", "URL", "Printed")
        self.load_printers("#printer")

    def take_scan(self, code: str) -> None:
        """A package's tag scanned: its codes (a unit's scan opens the unit, see the app)."""
        uid = self.scanned_uid(code)
        if uid is not None:
            self.open_package(uid)

    def open_package(self, uid: str) -> None:
        self.query_one("#package", Input).value = uid
        self.load()

    @on(Input.Submitted, "#package")
    def load(self) -> None:
        try:
            uid = normalize(self.query_one("#package", Input).value)
        except StationError as exc:
            self.fail(hints.message(exc))
            return

        def work() -> tuple[list[retail_ids.Code], int]:
            total = retail_ids.issued_units(self.ctx, uid)
            return list(islice(retail_ids.codes(self.ctx, uid), SHOWN_CODES)), total

        self.uid = None
        self.call(work, lambda found: self._show(uid, *found))

    def _show(self, uid: str, codes: list[retail_ids.Code], total: int) -> None:
        if uid != self.shown_package:
            # Another package: the units typed for the last one are not this one's.
            self.query_one("#quantity", Input).value = ""
            self.shown_package = uid
        self.uid = uid
        printed = sum(code.printed for code in codes)
        more = f" (the first {len(codes):,} listed)" if total > len(codes) else ""
        self.query_one("#summary", Static).update(
            plain(
                f"{uid}: {plural(total, 'unit code')}{more}; {printed:,} of those listed printed"
                if total
                else f"{uid}: no unit codes yet: units, then F10"
            )
        )
        table = self.query_one("#codes", DataTable)
        table.clear()
        table.add_rows(
            (f"{code.index:,}", code.url, "yes" if code.printed else "") for code in codes
        )

    def _package(self) -> str | None:
        if self.uid is None:
            self.fail("scan or type the package's UID first (then Enter)")
        return self.uid

    def action_allotment(self) -> None:
        uid = self.uid

        def work() -> tuple[str, int]:
            if uid is not None:
                return retail_ids.for_package(self.ctx, uid, _allotment)
            return retail_ids.with_metrc(self.ctx, None, _allotment)

        def show(found: tuple[str, int]) -> None:
            where, left = found
            self.allotment_shown = True
            self.query_one("#allotment", Static).update(
                plain(f"Allotment at {where}: {left:,} codes left")
            )

        self.call(work, show)

    def action_generate(self) -> None:
        uid = self._package()
        if uid is None:
            return
        typed = self.query_one("#quantity", Input).value.strip()
        if not typed.isdigit():
            self.fail("type how many unit codes (a whole number), then F10")
            return
        quantity = int(typed)

        def work() -> retail_ids.Generated:
            return retail_ids.for_package(
                self.ctx, uid, lambda client: retail_ids.generate(self.ctx, client, uid, quantity)
            )

        def done(result: retail_ids.Generated) -> None:
            issued = result.issuance
            how = " (an earlier request's, found in Metrc)" if result.settled else ""
            self.say(f"{plural(issued.units, 'unit code')} issued for {uid}{how}")
            self.load()
            if self.allotment_shown:
                self.action_allotment()  # what Metrc says is left now, not before

        self.call(work, done)

    def action_print_units(self) -> None:
        uid = self._package()
        printer = self.query_one("#printer", Select).value
        if uid is None:
            return
        if not isinstance(printer, str):
            self.fail("choose the printer")
            return
        bar = self.query_one("#progress", ProgressBar)

        def progress(done: int, total: int) -> None:
            self.app.call_from_thread(bar.update, total=total, progress=done)

        def work() -> Outcome:
            return printing.print_now(
                self.ctx,
                printing.UnitLabels(uid, printer, unprinted=True),
                on_queued=lambda _: self.app.call_from_thread(setattr, bar, "display", True),
                on_progress=progress,
            )

        bar.update(total=None, progress=0)
        self.call(work, self._printed, group="print")

    def _printed(self, outcome: Outcome) -> None:
        if outcome.state == JobState.DONE:
            self.say(f"Job {outcome.job_id}: {plural(outcome.done, 'unit label')} printed")
        else:
            self.fail(f"Job {outcome.job_id} {outcome.state}: {outcome.reason} (see F4)")
        self.load()


def _allotment(client: RetailCaller) -> tuple[str, int]:
    return client.license_number, retail_ids.allotment(client)
