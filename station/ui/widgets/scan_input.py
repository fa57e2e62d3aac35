"""The scan field: one Input that ends a scan at Enter in its own key handler.

The stock ``Input.Submitted`` pattern lets the next scan's keys reach the field before the
Enter of the previous one is handled, which joins two UIDs into one (measured with bursts
of scans under load). Handling Enter here keeps every boundary.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual import events
from textual.message import Message
from textual.widgets import Input


class ScanInput(Input):
    @dataclass
    class Scanned(Message):
        scan_input: ScanInput
        code: str

        @property
        def control(self) -> ScanInput:
            return self.scan_input

    def __init__(self, placeholder: str = "Scan a tag", **kwargs: object) -> None:
        super().__init__(placeholder=placeholder, **kwargs)  # type: ignore[arg-type]

    def on_key(self, event: events.Key) -> None:
        if event.key != "enter":
            return
        event.stop()
        event.prevent_default()
        code, self.value = self.value, ""
        if code.strip():
            self.post_message(self.Scanned(self, code))
