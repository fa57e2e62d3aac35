"""Ctrl+K: every key that does something here, this screen's first, then the screens and the
keys that work everywhere, on one page at 80x24 (Textual's keys panel put a text field's
cursor keys first and the F-keys below the fold of a 48-column panel)."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

from station.ui.screens.base import plain

Keys = list[tuple[str, str]]


class KeysScreen(ModalScreen[None]):
    DEFAULT_CSS = """
    KeysScreen { align: center middle; }
    KeysScreen > Vertical {
        width: 100%; max-width: 96; height: auto; max-height: 100%;
        border: thick $primary; background: $surface; padding: 0 1;
    }
    KeysScreen Horizontal { height: auto; }
    KeysScreen .column { width: 1fr; height: auto; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss", "Close", id="keys-close"),
    ]

    def __init__(self, title: str, here: Keys, screens: Keys, anywhere: Keys) -> None:
        super().__init__()
        self.title_text = title
        self.here, self.screens, self.anywhere = here, screens, anywhere

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(
                plain(f"Keys on {self.title_text} (Ctrl+K or Esc closes)"), classes="title"
            )
            with Horizontal():
                yield Static(
                    plain(
                        _block("This screen", self.here)
                        + "\n\n"
                        + _block("Everywhere", self.anywhere)
                        + "\n\nText fields: the usual editing keys."
                    ),
                    classes="column",
                    id="keys-here",
                )
                yield Static(
                    plain(_block("Screens", self.screens)), classes="column", id="keys-screens"
                )


def key_name(key: str) -> str:
    """``ctrl+g`` as people read it on a keyboard: ``Ctrl+G``; ``f1``: ``F1``."""
    names = {"escape": "Esc", "enter": "Enter", "tab": "Tab", "delete": "Del"}
    parts = key.split("+")
    shown = [
        names.get(part, part.capitalize() if len(part) > 1 else part.upper()) for part in parts
    ]
    return "+".join(shown)


def _block(heading: str, keys: Keys) -> str:
    width = max((len(key) for key, _ in keys), default=0)
    rows = [f"  {key:<{width}}  {what}" for key, what in keys] or ["  (none)"]
    return "\n".join([heading, *rows])
