"""Ctrl+G: Metrc — reconcile (F10), pull (F11) and push (F12, shown first, sent on a second
F12), with the same services and the same words as ``station metrc``."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import Header, Log, Static

from station.services.metrc import pull as metrc_pull
from station.services.metrc import push, session
from station.ui.screens.base import StationScreen, footer

HELP = (
    "F10 compares the station with Metrc's available tags (changes nothing); F11 also records "
    "the tags Metrc lists that the station lacks; F12 shows what a push would send, and F12 "
    "again sends it. Keys: METRC_VENDOR_KEY and METRC_USER_KEY, or `station metrc keys set`."
)


class MetrcScreen(StationScreen):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f10", "compare(False)", "Reconcile", id="metrc-reconcile"),
        Binding("f11", "compare(True)", "Pull", id="metrc-pull"),
        Binding("f12", "push", "Push", id="metrc-push"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.push_shown = False

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("Metrc", classes="title")
        yield Static(HELP, classes="hint")
        yield Log(id="log", highlight=False)
        yield footer()

    def _write(self, lines: list[str]) -> None:
        self.query_one("#log", Log).write_lines([*lines, ""])

    def _failed_with(self, message: str) -> None:
        # The log said what started; it must also say that it stopped, and why.
        self._write([f"Stopped: {message}"])

    def action_compare(self, pull: bool) -> None:
        self.push_shown = False
        act = metrc_pull.pull if pull else metrc_pull.compare

        def work() -> list[str]:
            lines: list[str] = []
            with session.clients(self.ctx, session.address_from_settings(self.ctx)) as opened:
                for found in metrc_pull.compare_all(self.ctx, opened, ("package", "plant"), act):
                    lines += [found] if isinstance(found, str) else metrc_pull.describe(found)
            return lines

        self._write(["Pulling from Metrc..." if pull else "Comparing with Metrc..."])
        self.call(work, self._write, group="metrc", exclusive=True, failed=self._failed_with)

    def action_push(self) -> None:
        if not self.push_shown:
            self.call(
                self._plan, self._planned, group="metrc", exclusive=True, failed=self._failed_with
            )
            return
        self.push_shown = False

        def work() -> list[str]:
            lines: list[str] = []
            with session.clients(self.ctx, session.address_from_settings(self.ctx)) as opened:
                for client in opened:
                    lines += push.describe(push.push(self.ctx, client))
            return lines

        self._write(["Pushing to Metrc..."])
        self.call(work, self._write, group="metrc", exclusive=True, failed=self._failed_with)

    def _plan(self) -> tuple[int, list[str]]:
        total, lines = 0, []
        for facility in metrc_pull.licenses_to_check(self.ctx, None):
            todo, report = push.pending(self.ctx, facility.license_number)
            total += len(todo)
            lines += push.describe_pending(facility.license_number, todo, report)
        return total, lines

    def _planned(self, plan: tuple[int, list[str]]) -> None:
        total, lines = plan
        self.push_shown = total > 0
        ending = "F12 again sends them." if total else "Nothing to send."
        self._write([*lines, ending])
