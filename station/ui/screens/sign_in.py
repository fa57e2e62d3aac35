"""Who is at the station: the sign-in screen, and a supervisor's approval of one action.

Both take a badge scan (the app hands scans to them while they are open) or a name and PIN
typed by hand. The PIN field never shows what is typed, and a refusal never repeats it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar, Generic, TypeVar

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from station.domain import pins
from station.services.context import DATABASE_ERRORS, FAILURES, Context, database_failure
from station.services.people import operators
from station.ui import hints
from station.ui.screens.base import shown_scan

T = TypeVar("T")


class _Credentials(ModalScreen[T], Generic[T]):
    """A name and PIN, or a badge; checked off the UI thread (a PIN check takes ~80 ms)."""

    DEFAULT_CSS = """
    _Credentials { align: center middle; }
    _Credentials > Vertical {
        width: 60; height: auto; border: thick $primary; background: $surface; padding: 1 2;
    }
    _Credentials #problem { color: $error; text-style: bold; height: auto; }
    """

    # What to do, and which keys submit and leave: said, not left to be guessed.
    INSTRUCTIONS = ""

    def __init__(self, ctx: Context, heading: str) -> None:
        super().__init__()
        self.ctx = ctx
        self.heading = heading

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(self.heading, classes="title", id="heading", markup=False)
            yield Static(self.INSTRUCTIONS, classes="hint", id="instructions")
            yield Input(placeholder="Name", id="name", max_length=100)
            yield Input(placeholder="PIN", id="pin", password=True, max_length=12)
            yield Static("", id="problem", markup=False)

    def on_mount(self) -> None:
        self.query_one("#name", Input).focus()

    def on_input_changed(self, event: Input.Changed) -> None:
        # A refusal is about what was sent; once typing starts again it is stale.
        if event.value:
            self.query_one("#problem", Static).update("")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        name = self.query_one("#name", Input).value.strip()
        if event.input.id == "name" or not name:
            self.query_one("#pin", Input).focus()
            return
        pin = self.query_one("#pin", Input).value
        self.query_one("#pin", Input).value = ""
        self.check(lambda: self.typed(name, pin))

    def take_scan(self, code: str) -> None:
        if not pins.is_badge(code):
            self.refuse(f"{shown_scan(code)} is not a badge: scan your badge")
            return
        self.check(lambda: self.accepted(operators.sign_in_badge(self.ctx, code)))

    def accepted(self, signed: operators.SignedIn) -> T:
        """What the dialog gives back for ``signed`` (refused with a StationError if none)."""
        raise NotImplementedError

    def typed(self, name: str, pin: str) -> T:
        """What the dialog gives back for a typed name and PIN."""
        return self.accepted(operators.sign_in(self.ctx, name, pin))

    def refuse(self, text: str) -> None:
        self.app.bell()
        self.query_one("#problem", Static).update(text)

    @work(thread=True, exclusive=True, group="credentials", exit_on_error=False)
    def check(self, work: Callable[[], T]) -> None:
        try:
            with self.ctx.bound():
                result = work()
        except FAILURES as exc:
            self.app.call_from_thread(self.refuse, hints.message(exc))
            return
        except DATABASE_ERRORS as exc:  # the database is away: say so, and stay
            self.app.call_from_thread(self.refuse, database_failure(exc))
            return
        self.app.call_from_thread(self.dismiss, result)


class SignInScreen(_Credentials[operators.SignedIn]):
    """Over every screen until an enabled operator signs in; only Ctrl+Q gets past it."""

    # Opaque: the last person's screen is not on show to whoever walks up.
    DEFAULT_CSS = "SignInScreen { background: $background; }"
    INSTRUCTIONS = "Scan your badge, or type your name and PIN. Enter signs in; Ctrl+Q quits."

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+q", "app.quit", "Quit", id="sign-in-quit"),
    ]

    def __init__(self, ctx: Context, why: str = "") -> None:
        super().__init__(ctx, "Tag Station: sign in" + (f" ({why})" if why else ""))

    def accepted(self, signed: operators.SignedIn) -> operators.SignedIn:
        return signed


class ApprovalScreen(_Credentials[str | None]):
    """A supervisor approves one action for the signed-in operator; Esc cancels it."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="approval-cancel"),
    ]
    INSTRUCTIONS = (
        "A supervisor scans their badge, or types their name and PIN. Enter approves; Esc cancels."
    )

    def __init__(self, ctx: Context, what: str) -> None:
        super().__init__(ctx, f"A supervisor approves: {what}")

    def accepted(self, signed: operators.SignedIn) -> str | None:
        return operators.approver(signed)

    def typed(self, name: str, pin: str) -> str | None:
        # Wrong approvals count against the operator asking, not the supervisor named.
        return operators.approve(self.ctx, name, pin)

    def action_cancel(self) -> None:
        self.dismiss(None)


__all__ = ["ApprovalScreen", "SignInScreen"]
