"""One audit event in full, opened with Enter on the audit screen: the table shows a few
characters of each summary; here is all of it, its details and the tags it touched."""

from __future__ import annotations

import json
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from station.domain import times
from station.services.records import audit
from station.services.records.audit import AuditRecord
from station.ui.screens.base import StationScreen, plain


class AuditEventScreen(ModalScreen[None]):
    DEFAULT_CSS = """
    AuditEventScreen { align: center middle; }
    AuditEventScreen > VerticalScroll {
        width: 90%; height: 90%; border: thick $primary; background: $surface; padding: 0 1;
    }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss", "Close", id="event-close"),
    ]

    def __init__(self, event: AuditRecord) -> None:
        super().__init__()
        self.event = event

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield Static(plain(describe(self.event)), id="event", markup=False)


def open_event(screen: StationScreen, event_id: int) -> None:
    """Read the event off the UI thread, then show it over ``screen``."""
    screen.call(
        lambda: audit.one_event(screen.ctx, event_id),
        lambda found: screen.app.push_screen(AuditEventScreen(found)),
    )


def describe(event: AuditRecord) -> str:
    """The event as lines of text: every field, then its details and UIDs."""
    shown = len(event.uids)
    more = f" (the first {shown:,} shown)" if shown < event.tag_count else ""
    approved = f", approved by {event.approved_by}" if event.approved_by else ""
    lines = [
        f"Event {event.id}: {event.action}   (Esc closes)",
        f"When: {times.local(event.at)}",
        f"Who: {event.operator}{approved}",
        f"Summary: {event.summary}",
        f"Tags: {event.tag_count:,}{more}",
    ]
    if event.details:
        lines.append("Details:")
        lines += [
            f"  {key}: {json.dumps(value, ensure_ascii=False)}"
            for key, value in sorted(event.details.items())
        ]
    if event.uids:
        lines.append("UIDs:")
        lines += [f"  {uid}" for uid in event.uids]
    if event.hash:
        lines.append(f"Chain hash: {event.hash}")
    return "\n".join(lines)
