"""What every screen shares: the service context, and running services off the UI thread."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Footer, Input, Select
from textual.worker import Worker, WorkerState

from station.domain.errors import NeedsSupervisor, Problems, StationError
from station.domain.uid import normalize
from station.services.context import FAILURES, Context
from station.services.printing import printer_setup
from station.services.printing.printer_setup import PrinterView
from station.services.tags import lookup
from station.ui import hints

if TYPE_CHECKING:
    from station.ui.app import StationApp


class StationFooter(Footer):
    """The footer, less a list's "esc Dismiss menu": with a choice list open it came first
    and pushed "^k Keys" past 80 columns (Esc still closes the list, as everywhere)."""

    def compose(self) -> ComposeResult:
        for widget in super().compose():
            if getattr(widget, "action", None) == "dismiss":
                continue
            yield widget


def footer() -> Footer:
    """This screen's keys, tight enough to read at 80 columns. The palette (Ctrl+P) and the
    keys panel (Ctrl+K, in the footer) list the rest."""
    return StationFooter(compact=True, show_command_palette=False)


def shown_scan(code: str) -> str:
    """A scan quoted in a message: printable, and short enough for one line."""
    text = "".join(c if c.isprintable() else "?" for c in code)
    return repr(text if len(text) <= 40 else text[:39] + "…")


def plain(value: object) -> Text:
    """Data shown as text, never as markup (a scan like ``[b]`` must not style anything)."""
    return Text("" if value is None else str(value))


def cell(value: object, most: int) -> Text:
    """A table cell of at most ``most`` characters, a longer value cut with "…": a facility
    named in 80 characters must not push a table's counts off the screen."""
    text = "" if value is None else str(value)
    return Text(text if len(text) <= most else text[: most - 1] + "…")


class StationScreen(Screen[None]):
    def __init__(self) -> None:
        super().__init__()
        self._pending: dict[Worker[Any], Callable[[Any], object]] = {}
        self._failed: dict[Worker[Any], Callable[[str], None]] = {}
        # What each call ran and how, to run it again once a supervisor approves it.
        self._calls: dict[Worker[Any], tuple[Callable[[], Any], str, bool]] = {}

    @property
    def station(self) -> StationApp:
        from station.ui.app import StationApp

        app = self.app
        assert isinstance(app, StationApp)
        return app

    @property
    def ctx(self) -> Context:
        return self.station.ctx

    def typed_value(self, input_id: str) -> str | None:
        """What is typed in the field ``#input_id``, trimmed; None when it is empty."""
        return self.query_one(f"#{input_id}", Input).value.strip() or None

    def take_scan(self, code: str) -> None:
        """A scan on a screen with no use of its own for one: into the field that asks for a
        UID when one has focus, else the tag's detail. Screens that take scans (receive,
        assign, the queue's reprint) override this."""
        if self.scan_into_field(code):
            return
        uid = self.scanned_uid(code)
        if uid is not None:
            self.show_tag(uid, self.app.push_screen)

    def scan_into_field(self, code: str) -> bool:
        """A scan while a field that asks for a UID (class ``takes-uid``) has focus: the UID
        fills it, replacing what was there, and focus moves on. False when no such field has
        focus; a scan that holds no UID is refused, saying so."""
        focused = self.focused
        if not isinstance(focused, Input) or not focused.has_class("takes-uid"):
            return False
        uid = self.scanned_uid(code)
        if uid is not None:
            focused.value = uid
            self.focus_next()
        return True

    def take_unit_scan(self, code: str) -> None:
        """A Retail ID unit scanned (a QR's URL): that unit's page, on any screen that has no
        use of its own for one (receiving collects them for association)."""
        from station.ui.screens.unit import UnitScreen

        self.app.push_screen(UnitScreen(code))

    def scanned_uid(self, code: str) -> str | None:
        """The UID a scan holds; None, with the bell and the reason, when it holds none."""
        try:
            return normalize(code)
        except StationError as exc:
            self.fail(f"Scan {shown_scan(code)} not used: {hints.message(exc)}")
            return None

    def show_tag(self, uid: str, show: Callable[[Screen[Any]], object]) -> None:
        """The tag's page, shown by ``show`` (on top, or in place of this one), once the tag
        is known to be on record (else the reason, with the bell)."""
        from station.ui.screens.tag_detail import TagDetailScreen

        self.call(lambda: lookup.get_tag(self.ctx, uid), lambda _: show(TagDetailScreen(uid)))

    def fail(self, message: str) -> None:
        """A refused action: the bell and a plain message; nothing changed."""
        self.app.bell()
        self.notify(message, severity="error", markup=False, timeout=6)

    def say(self, message: str) -> None:
        self.notify(message, markup=False, timeout=4)

    def then_say(
        self, message: Callable[[Any], str], after: Callable[[], None] | None = None
    ) -> Callable[[Any], None]:
        """A ``done`` callback: tell the operator what happened, then refresh."""

        def finish(result: Any) -> None:
            self.say(message(result))
            if after is not None:
                after()

        return finish

    def load_printers(self, select_id: str) -> None:
        """Fill a printer choice with the station's printers, the first one chosen."""

        def show(found: list[PrinterView]) -> None:
            options = [(printer.name, printer.name) for printer in found]
            select = self.query_one(select_id, Select)
            select.set_options(options)
            if options:
                select.value = options[0][1]

        self.call(lambda: printer_setup.list_printers(self.ctx), show)

    def call(
        self,
        work: Callable[[], Any],
        done: Callable[[Any], object],
        group: str = "service",
        exclusive: bool = False,
        failed: Callable[[str], None] | None = None,
    ) -> Worker[Any]:
        """Run ``work`` (a service call) in a thread; ``done`` gets its result back on the UI
        thread; a refused operation becomes a plain error message (also given to ``failed``,
        for a screen that shows progress in place of a result)."""

        def bound() -> Any:
            with self.ctx.bound():
                return work()

        worker: Worker[Any] = self.run_worker(
            bound, thread=True, group=group, exclusive=exclusive, exit_on_error=False
        )
        self._pending[worker] = done
        self._calls[worker] = (work, group, exclusive)
        if failed is not None:
            self._failed[worker] = failed
        return worker

    def ask_approval(
        self,
        refusal: NeedsSupervisor,
        work: Callable[[], Any],
        done: Callable[[Any], object],
        group: str,
        exclusive: bool,
        failed: Callable[[str], None] | None,
    ) -> None:
        """An operator's action that needs a supervisor: the approval dialog, then the same
        call again, approved (in its own thread only), or nothing if no one approves."""
        from station.ui.screens.sign_in import ApprovalScreen

        def approved(supervisor: str | None) -> None:
            if supervisor is None:
                text = f"Not done: {refusal.what} needs a supervisor's approval"
                self.fail(text)
                if failed is not None:
                    failed(text)
                return

            def run_approved() -> Any:
                with self.ctx.approving(supervisor):
                    return work()

            self.call(run_approved, done, group, exclusive, failed)

        self.app.bell()
        self.app.push_screen(ApprovalScreen(self.ctx, refusal.what), approved)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        done = self._pending.get(event.worker)
        if done is None or event.state not in (
            WorkerState.SUCCESS,
            WorkerState.ERROR,
            WorkerState.CANCELLED,
        ):
            return
        del self._pending[event.worker]
        failed = self._failed.pop(event.worker, None)
        work, group, exclusive = self._calls.pop(event.worker)
        if event.state == WorkerState.SUCCESS:
            done(event.worker.result)
        elif event.state == WorkerState.ERROR:
            error = event.worker.error
            if isinstance(error, NeedsSupervisor) and self.ctx.role is not None:
                self.ask_approval(error, work, done, group, exclusive, failed)
                return
            if isinstance(error, Problems):
                # A file's bad rows: the first few here; the command line lists them all.
                lines = hints.problem_lines(error)
                text = f"{error}: " + "; ".join(lines[:5])
                text += "; ..." if len(lines) > 5 else ""
            elif isinstance(error, FAILURES):
                text = hints.message(error)
            else:
                text = f"unexpected {type(error).__name__}: {error}"
            self.fail(text)
            if failed is not None:
                failed(text)
