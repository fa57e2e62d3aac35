"""The Tag Station terminal UI: every part of the job from one keyboard and a scanner.

Screens switch on F-keys (shown in the footer and in the command palette, Ctrl+P). No
binding uses a printable key, so a scan can never trigger an action, and confirmations
are on F-keys or Ctrl keys, never y/n.

A scan is recognised by its timing before any widget sees a key (see :meth:`on_event`), so
it lands on the screen's scan handler whatever has focus. A scanner in serial mode
(``STATION_SCANNER``) is read in a thread and takes the same path.
"""

from __future__ import annotations

import gc
import sys
import time
from collections.abc import Iterable
from functools import partial
from typing import ClassVar, TextIO

from textual import events, work
from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.theme import Theme
from textual.timer import Timer
from textual.widget import Widget
from textual.worker import get_current_worker

from station.devices import scanner
from station.domain import retail_id
from station.services.context import DATABASE_ERRORS, FAILURES, Context
from station.services.people import operators, roles
from station.ui.screens.assign import AssignScreen
from station.ui.screens.audit import AuditScreen
from station.ui.screens.base import StationScreen, shown_scan
from station.ui.screens.count import CountScreen
from station.ui.screens.dashboard import DashboardScreen
from station.ui.screens.metrc import MetrcScreen
from station.ui.screens.orders import OrdersScreen
from station.ui.screens.printers import PrintersScreen
from station.ui.screens.queue import QueueScreen
from station.ui.screens.receive import ReceiveScreen
from station.ui.screens.retail import RetailIdScreen
from station.ui.screens.sign_in import ApprovalScreen, SignInScreen
from station.ui.screens.tags import TagsScreen
from station.ui.screens.templates import TemplatesScreen

# The fewest characters taken as a scan (shorter fast bursts are typing, released as keys),
# and the most held back at once (past that it is not a scanner: a paste, a stuck key).
SCAN_MIN_LENGTH = 6
SCAN_MAX_LENGTH = scanner.MAX_SCAN
# How long past the scan gap a held key waits for the next one before it is typed.
HOLD_MARGIN_S = 0.015
# How long a scan already under way (SCAN_MIN_LENGTH keys came scanner-fast: no one types
# that fast) may pause and still go on as the same scan. A terminal can hand a scan over in
# two pieces; released at the pause, the first piece went into the focused control (a
# choice list swallowed it) and the rest was refused as a short UID.
SCAN_STALL_S = 0.25

# Black on white with strong accents, for bright warehouses.
WAREHOUSE_LIGHT = Theme(
    name="warehouse-light",
    primary="#0033aa",
    secondary="#003366",
    accent="#aa3300",
    warning="#8a5a00",
    error="#b00020",
    success="#006400",
    foreground="#000000",
    background="#ffffff",
    surface="#f2f2f2",
    panel="#e0e0e0",
    dark=False,
)


# Keys that move focus (Textual's screen bindings), after which keys wait for the move; and
# the longest they wait.
FOCUS_KEYS = ("tab", "shift+tab")
FOCUS_WAIT_S = 0.25
FOCUS_POLL_S = 0.002


def terminal_alive(stream: TextIO | None) -> bool:
    """Whether ``stream`` is still a terminal that answers (a hung-up one fails with EIO)."""
    if stream is None:
        return False
    try:
        import termios  # POSIX only; elsewhere the check is not made
    except ImportError:
        return True
    try:
        termios.tcgetattr(stream.fileno())
    except (termios.error, OSError, ValueError):
        return False
    return True


class StationApp(App[None]):
    """Tag Station. The service context is injected, so tests can give it any database."""

    TITLE = "Tag Station"
    CSS_PATH = "app.tcss"
    MODES: ClassVar[dict[str, type]] = {  # type: ignore[assignment]
        "dashboard": DashboardScreen,
        "receive": ReceiveScreen,
        "assign": AssignScreen,
        "queue": QueueScreen,
        "tags": TagsScreen,
        "orders": OrdersScreen,
        "printers": PrintersScreen,
        "templates": TemplatesScreen,
        "audit": AuditScreen,
        "metrc": MetrcScreen,
        "retailid": RetailIdScreen,
        "count": CountScreen,
    }
    DEFAULT_MODE = "dashboard"
    # The keys that switch screens are the same everywhere: they are on the home screen, in
    # the keys panel (Ctrl+K) and the palette (Ctrl+P), which leaves the footer to what this
    # screen does, readable at 80 columns.
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f1", "switch_mode('dashboard')", "Home", id="home", show=False),
        Binding("f2", "switch_mode('receive')", "Receive", id="receive", show=False),
        Binding("f3", "switch_mode('assign')", "Assign", id="assign", show=False),
        Binding("f4", "switch_mode('queue')", "Print queue", id="queue", show=False),
        Binding("f5", "switch_mode('tags')", "Tags", id="tags", show=False),
        Binding("f6", "switch_mode('orders')", "Orders", id="orders", show=False),
        Binding("f7", "switch_mode('printers')", "Printers", id="printers", show=False),
        Binding("f8", "switch_mode('templates')", "Templates", id="templates", show=False),
        Binding("f9", "switch_mode('audit')", "Audit", id="audit", show=False),
        # Not an F-key: those are the bench's daily screens; this one is for the office.
        Binding("ctrl+g", "switch_mode('metrc')", "Metrc", id="metrc", show=False),
        Binding("ctrl+f", "switch_mode('retailid')", "Retail ID", id="retailid", show=False),
        # The monthly count by RFID (the print queue keeps Ctrl+O for its Cancel).
        Binding("ctrl+o", "switch_mode('count')", "Count", id="count", show=False),
        Binding("ctrl+t", "toggle_light", "Light theme", id="theme", show=False),
        # Priority: a text field would take Ctrl+K (delete to the end) first.
        Binding("ctrl+k", "toggle_keys", "Keys", id="keys", priority=True),
        Binding("ctrl+y", "sign_out", "Sign out", id="sign-out", show=False),
        Binding("ctrl+q", "quit", "Quit", id="quit", show=False),
    ]
    # How often the idle sign-out looks at the time since the last key or scan (and whether
    # the one signed in was disabled since).
    IDLE_CHECK_S = 5.0

    def __init__(self, ctx: Context) -> None:
        super().__init__()
        self.ctx = ctx
        self.register_theme(WAREHOUSE_LIGHT)
        self.scan_gap = ctx.settings.scan_ms / 1000
        self._held: list[events.Key] = []
        # Keys that came after a Tab, waiting for it to move focus (None: not waiting).
        self._after_focus_key: list[events.Key] | None = None
        self._focus_was: Widget | None = None
        self._focus_wait_ends = 0.0
        self._hold_timer: Timer | None = None
        self._holds = 0  # which hold a timer belongs to; a stale one does nothing
        self._scan_ended = float("-inf")
        self.last_input = time.monotonic()  # when a key or a serial scan last came
        # Before any screen's thread opens its own connection, so every one has it.
        self.checkpoints_deferred = ctx.defer_checkpoints()
        # Whether people sign in (the station has operators); read once, at start-up.
        self.signs_in = roles.has_operators(ctx)
        if self.signs_in:
            operators.act_as(ctx, None)

    @property
    def signed_in(self) -> bool:
        return self.ctx.role is not None or not self.signs_in

    @property
    def keys_held(self) -> int:
        """Keys held back while it is not yet known whether they are a scan, or while a Tab
        moves focus."""
        return len(self._held) + len(self._after_focus_key or ())

    async def on_event(self, event: events.Event) -> None:
        """Every key, before any binding or widget sees it (a key not yet forwarded is one
        straight from the terminal). Printable keys are held while they come scanner-fast;
        Enter after enough of them makes them a scan, which no widget ever sees. Anything
        else lets the held keys go on, in order, as typing."""
        if isinstance(event, events.Key) and not event.is_forwarded:
            if self._after_focus_key is not None:
                self._after_focus_key.append(event)
                return
            await self._key(event)
            return
        await super().on_event(event)

    async def _key(self, key: events.Key) -> None:
        self.last_input = time.monotonic()
        if key.is_printable and key.character:
            if self._held and (
                key.time - self._held[-1].time > self._pause_allowed()
                or len(self._held) >= SCAN_MAX_LENGTH
            ):
                await self._release()
            self._held.append(key)
            self._arm()
            return
        if (
            key.key == "enter"
            and len(self._held) >= SCAN_MIN_LENGTH
            and key.time - self._held[-1].time <= self._pause_allowed()
        ):
            code = "".join(k.character or "" for k in self._held)
            self._held.clear()
            self._disarm()
            self._scan_ended = key.time
            self.take_scan(code)
            return
        if key.key == "ctrl+j" and not self._held and key.time - self._scan_ended <= self.scan_gap:
            return  # the LF of a scanner that ends its scans with CR LF
        await self._release()
        await super().on_event(key)
        if key.key in FOCUS_KEYS:
            # Keys go to the widget focused when they are passed on, but Tab moves focus
            # only once the field has taken the keys before it and handed Tab to its screen.
            # Until then the next keys of a burst ("ItemB", Tab, "7") would land in the old
            # field: they wait for the move.
            self._wait_for_focus()

    def _wait_for_focus(self) -> None:
        """Keys that come after a Tab wait until focus has moved (the screen's Tab binding
        runs as a message, after keys already passed on), or FOCUS_WAIT_S at most."""
        self._after_focus_key = []
        self._focus_was = self.screen.focused
        self._focus_wait_ends = time.monotonic() + FOCUS_WAIT_S
        self.set_timer(FOCUS_POLL_S, self._focus_poll)

    async def _focus_poll(self) -> None:
        if self.screen.focused is self._focus_was and time.monotonic() < self._focus_wait_ends:
            self.set_timer(FOCUS_POLL_S, self._focus_poll)
            return
        waiting, self._after_focus_key = self._after_focus_key or [], None
        for index, key in enumerate(waiting):
            if self._after_focus_key is not None:  # another Tab among them: wait again
                self._after_focus_key.extend(waiting[index:])
                return
            await self._key(key)

    def _arm(self, wait: float | None = None) -> None:
        """One timer a burst, not one a key (a timer a key cost a scan 2 ms): when it fires,
        the keys go on as typing unless another came within the gap, in which case it is set
        again for the rest of the wait."""
        if self._hold_timer is not None:
            return
        hold = self._holds
        # call_later queues the release behind keys that already arrived, so it sees them.
        self._hold_timer = self.set_timer(
            self.scan_gap + HOLD_MARGIN_S if wait is None else wait,
            lambda: self.call_later(self._timed_release, hold),
        )

    def _disarm(self) -> None:
        if self._hold_timer is not None:
            self._hold_timer.stop()
            self._hold_timer = None
        self._holds += 1  # a release already queued for the old hold does nothing

    async def _timed_release(self, hold: int) -> None:
        if hold != self._holds:
            return
        self._hold_timer = None
        if self._held:
            # Key times are Textual's own clock (monotonic), taken as each key arrived; a new
            # message's time is that clock now, read through Textual's public API.
            wait = self._held[-1].time + self._pause_allowed() + HOLD_MARGIN_S - events.Idle().time
            if wait > 0:
                self._arm(wait)
                return
        await self._release()

    def _pause_allowed(self) -> float:
        """The longest pause after the held keys that still continues them: the scan gap,
        or, once they are a scan under way, :data:`SCAN_STALL_S`."""
        return SCAN_STALL_S if len(self._held) >= SCAN_MIN_LENGTH else self.scan_gap

    async def _release(self) -> None:
        """The held keys go on as typing: the original events, down the normal path."""
        self._disarm()
        held, self._held = self._held, []
        for key in held:
            await super().on_event(key)

    def take_scan(self, code: str) -> None:
        """A scan, from the keyboard or the serial scanner, to the screen's scan handler;
        refused while a dialog (the command palette, a confirmation) is open."""
        screen = self.screen
        if isinstance(screen, SignInScreen | ApprovalScreen):
            screen.take_scan(code)  # a badge
            return
        if screen.is_modal or not isinstance(screen, StationScreen):
            self.bell()
            self.notify(
                f"Scan {shown_scan(code)} not used: close the dialog (Esc) and scan again",
                severity="error",
                markup=False,
                timeout=6,
            )
            return
        if retail_id.is_unit_scan(code):
            screen.take_unit_scan(code)
            return
        screen.take_scan(code)

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        """Every F-key and Ctrl action of the app and of this screen, in the palette too."""
        yield from super().get_system_commands(screen)
        for owner, bindings in ((self, self.BINDINGS), (screen, screen.BINDINGS)):
            for binding in bindings:
                if not isinstance(binding, Binding) or binding.action == "quit":
                    continue
                # A footer's short label has its full name in the tooltip.
                name = binding.tooltip or binding.description
                yield SystemCommand(
                    name,
                    f"{binding.key.upper()}: {name}",
                    partial(owner.run_action, binding.action),
                )

    def on_mount(self) -> None:
        if self.signs_in:
            self.ask_sign_in()
        self.set_interval(self.IDLE_CHECK_S, self._sign_out_when_idle)
        if not self.is_headless:
            self.set_interval(self.IDLE_CHECK_S, self._exit_when_terminal_gone)
        if self.ctx.settings.scanner:
            self.read_serial_scanner(self.ctx.settings.scanner)
        if self.checkpoints_deferred:
            self.checkpoint_when_idle()
        # The recording threads' short SQLite calls each give up the GIL; while the event
        # loop runs Python they would wait up to 5 ms (the default) to get it back, several
        # times a scan.
        sys.setswitchinterval(0.001)
        # Everything alive after start-up (Textual, the modules, the screens) is moved out of
        # the garbage collector's sight, so its full passes stop landing between two scans.
        gc.collect()
        gc.freeze()

    def _exit_when_terminal_gone(self) -> None:
        """Quit once the terminal has hung up (an SSH session dropped, a tmux window killed
        with the station started by make, so the hang-up signal went to make): Textual's
        input thread then reads nothing over and over, using a core, and the station would
        never exit."""
        if not terminal_alive(sys.__stdin__):
            self.exit()

    @work(thread=True, group="checkpoints", exit_on_error=False)
    def checkpoint_when_idle(self) -> None:
        """The WAL checkpoints the UI's commits no longer make (see station.db.checkpoints),
        in this thread, once input pauses."""
        worker = get_current_worker()
        last = time.monotonic()
        while not worker.is_cancelled:
            time.sleep(0.25)
            now = time.monotonic()
            if self.ctx.checkpoint_when_due(now - self.last_input, now - last):
                last = now

    @work(thread=True, group="serial-scanner", exit_on_error=False)
    def read_serial_scanner(self, url: str) -> None:
        worker = get_current_worker()
        scanner.read_scans(
            url,
            lambda scan: self.call_from_thread(self._serial_scan, scan),
            lambda: worker.is_cancelled,
        )

    def _serial_scan(self, scan: scanner.Scan) -> None:
        self.last_input = time.monotonic()
        if scan.code is not None:
            if scan.code:
                self.take_scan(scan.code)
        elif scan.problem:
            self.bell()
            self.notify(f"Scanner: {scan.problem}", severity="error", markup=False, timeout=6)
        else:
            self.notify(f"Scanner: {scan.note}", markup=False)

    def ask_sign_in(self, why: str = "") -> None:
        self.push_screen(SignInScreen(self.ctx, why), self._signed_in)

    def _signed_in(self, signed: operators.SignedIn | None) -> None:
        if signed is None:  # the screen closed without anyone signing in (it cannot)
            self.ask_sign_in()
            return
        operators.act_as(self.ctx, signed)
        self.last_input = time.monotonic()
        self.sub_title = f"{signed.name} ({signed.role}) · Ctrl+Y signs out"
        self.notify(f"Signed in: {signed.name}", markup=False, timeout=3)

    def action_sign_out(self, why: str = "") -> None:
        """The next person signs in; nothing is done in the name of the last one meanwhile."""
        if not self.signs_in or self.ctx.role is None:
            return
        self._signed_out(why)

    def _signed_out(self, why: str) -> None:
        """No one is signed in from now on: the sign-in screen, saying ``why``."""
        operators.act_as(self.ctx, None)
        self.sub_title = "signed out"
        if isinstance(self.screen, ApprovalScreen):
            self.screen.dismiss(None)  # the next person does not approve the last one's action
        self.ask_sign_in(why)

    def _sign_out_when_idle(self) -> None:
        if not self.signs_in:
            self._look_for_operators()
            return
        idle = time.monotonic() - self.last_input
        if idle >= self.ctx.settings.idle_minutes * 60:
            self.action_sign_out(f"signed out after {self.ctx.settings.idle_minutes} min idle")
        elif self.ctx.role is not None:
            self._look_at_operator(self.ctx.operator)

    @work(thread=True, group="operators-check", exclusive=True, exit_on_error=False)
    def _look_for_operators(self) -> None:
        """Whether the first operator was added (from the command line) while the UI ran: in
        a thread, as every database call of the UI, and quietly when the database is away
        (the next check, 5 s on, asks again)."""
        try:
            with self.ctx.bound():
                found = roles.has_operators(self.ctx)
        except (*FAILURES, *DATABASE_ERRORS):
            return
        if found:
            self.call_from_thread(self._operators_arrived)

    @work(thread=True, group="operators-check", exclusive=True, exit_on_error=False)
    def _look_at_operator(self, name: str) -> None:
        """Whether the one signed in was disabled meanwhile (by a supervisor at the command
        line or another station): then they are signed out at this check, not at the next
        idle spell."""
        try:
            with self.ctx.bound():
                enabled = operators.still_enabled(self.ctx, name)
        except (*FAILURES, *DATABASE_ERRORS):
            return
        if not enabled:
            self.call_from_thread(self._disabled, name)

    def _disabled(self, name: str) -> None:
        if self.ctx.role is not None and self.ctx.operator == name:
            self._signed_out(f"{name} was disabled by a supervisor")

    def _operators_arrived(self) -> None:
        if self.signs_in:
            return
        self.signs_in = True
        self._signed_out("the station now has operators")

    async def action_switch_mode(self, mode: str) -> None:
        """Screens switch only for someone signed in (the palette could otherwise reach
        them past the sign-in screen)."""
        if not self.signed_in:
            self.bell()
            return
        self.switch_mode(mode)

    def action_toggle_keys(self) -> None:
        """Every key of this screen, then the screens' keys and the ones that work anywhere
        (see station.ui.screens.keys); Ctrl+K again closes it."""
        from station.ui.screens.keys import KeysScreen, key_name

        if isinstance(self.screen, KeysScreen):
            self.screen.dismiss()
            return
        here, anywhere = [], []
        active = self.screen.active_bindings
        # The station's own keys, not Textual's defaults (Tab, copying) every screen has.
        ours = {
            (binding.key, binding.action)
            for cls in type(self.screen).__mro__
            if cls.__module__.startswith("station.")
            for binding in cls.__dict__.get("BINDINGS", ())
            if isinstance(binding, Binding)
        }
        for found in active.values():
            binding = found.binding
            if not binding.description or binding.action.startswith("switch_mode"):
                continue
            shown = (key_name(binding.key), binding.description)
            if found.node is self.screen and (binding.key, binding.action) in ours:
                here.append(shown)
            elif found.node is self:
                anywhere.append(shown)
        # Every screen's key, from the app's own list: where this screen uses the key for
        # itself, it says so rather than leave the screen out.
        screens = []
        for key, description, _ in self._screen_keys():
            taken = active.get(key)
            note = "" if taken is None or taken.node is self else " (not from here)"
            screens.append((key_name(key), f"{description}{note}"))
        # The screen by the name its key gives it (Home, Receive...), else by its class.
        title = next(
            (
                description
                for _, description, mode in self._screen_keys()
                if mode == self.current_mode and len(self.screen_stack) == 1
            ),
            type(self.screen).__name__.removesuffix("Screen"),
        )
        self.push_screen(KeysScreen(title, here, screens, anywhere))

    def _screen_keys(self) -> list[tuple[str, str, str]]:
        """Each screen's key, its name and its mode, from the app's own bindings."""
        return [
            (binding.key, binding.description, binding.action.split("'")[1])
            for binding in self.BINDINGS
            if isinstance(binding, Binding) and binding.action.startswith("switch_mode(")
        ]

    def action_toggle_light(self) -> None:
        self.theme = "textual-dark" if self.theme == WAREHOUSE_LIGHT.name else WAREHOUSE_LIGHT.name


def run_ui(ctx: Context) -> None:
    StationApp(ctx).run()
