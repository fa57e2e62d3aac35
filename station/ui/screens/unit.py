"""A scanned Retail ID unit, from any screen: its package, its number, whether its label
printed and what it was associated with; F5 asks Metrc about it."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import Header, Static

from station.domain.text import plural
from station.services.metrc import retail_ids
from station.services.metrc.retail_ids import Lookup
from station.ui.screens.base import StationScreen, footer, plain


class UnitScreen(StationScreen):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "app.pop_screen", "Back", id="unit-back"),
        Binding("f5", "ask_metrc", "Ask Metrc", id="unit-metrc"),
    ]

    def __init__(self, scanned: str) -> None:
        super().__init__()
        self.scanned = scanned

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("", id="unit", classes="panel")
        yield Static("Metrc: F5 asks", id="unit-metrc-answer", classes="hint")
        yield footer()

    def on_mount(self) -> None:
        self.call(lambda: retail_ids.lookup(self.ctx, self.scanned, None), self._show)

    def _show(self, found: Lookup) -> None:
        unit = found.unit
        lines = [
            f"Retail ID unit {unit.index:,} of package {unit.tag}",
            f"URL: {unit.url}",
        ]
        if found.ours:
            where = f"issuance {found.issuance}" if found.issuance else "no issuance recorded here"
            lines.append(f"Package here; {where}")
            lines.append("Label printed" if found.printed else "Label NOT printed")
        else:
            lines.append("Not a package of this station")
        if found.associated_with:
            lines.append(f"Associated with package {found.associated_with}")
        self.query_one("#unit", Static).update(plain("\n".join(lines)))

    def action_ask_metrc(self) -> None:
        def work() -> Lookup:
            where = retail_ids.home_license(self.ctx, self.scanned)
            return retail_ids.with_metrc(
                self.ctx, where, lambda client: retail_ids.lookup(self.ctx, self.scanned, client)
            )

        def show(found: Lookup) -> None:
            held = found.metrc
            if held is None:
                text = "Metrc: no such code"
            else:
                child = f"; now in {held.child_tag}" if held.child_tag else ""
                check = "; needs verification" if held.requires_verification else ""
                text = f"Metrc: {plural(held.qr_count, 'code')} in its package{child}{check}"
            self.query_one("#unit-metrc-answer", Static).update(plain(text))

        self.call(work, show)
