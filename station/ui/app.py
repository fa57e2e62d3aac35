"""The Tag Station terminal UI: every part of the job from one keyboard and a scanner.

Screens switch on F-keys (shown in the footer and in the command palette, Ctrl+P). No
binding uses a printable key, so a scan can never trigger an action, and confirmations
are on F-keys or Ctrl keys, never y/n.
"""

from __future__ import annotations

import gc
from collections.abc import Iterable
from functools import partial
from typing import ClassVar

from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.theme import Theme

from station.services.context import Context
from station.ui.screens.assign import AssignScreen
from station.ui.screens.audit import AuditScreen
from station.ui.screens.dashboard import DashboardScreen
from station.ui.screens.metrc import MetrcScreen
from station.ui.screens.orders import OrdersScreen
from station.ui.screens.printers import PrintersScreen
from station.ui.screens.queue import QueueScreen
from station.ui.screens.receive import ReceiveScreen
from station.ui.screens.tags import TagsScreen
from station.ui.screens.templates import TemplatesScreen

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
    }
    DEFAULT_MODE = "dashboard"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f1", "switch_mode('dashboard')", "Home", id="home"),
        Binding("f2", "switch_mode('receive')", "Receive", id="receive"),
        Binding("f3", "switch_mode('assign')", "Assign", id="assign"),
        Binding("f4", "switch_mode('queue')", "Print queue", id="queue"),
        Binding("f5", "switch_mode('tags')", "Tags", id="tags"),
        Binding("f6", "switch_mode('orders')", "Orders", id="orders"),
        Binding("f7", "switch_mode('printers')", "Printers", id="printers"),
        Binding("f8", "switch_mode('templates')", "Templates", id="templates"),
        Binding("f9", "switch_mode('audit')", "Audit", id="audit"),
        # Not an F-key: those are the bench's daily screens; this one is for the office.
        Binding("ctrl+g", "switch_mode('metrc')", "Metrc", id="metrc"),
        Binding("ctrl+t", "toggle_light", "Light theme", id="theme"),
        Binding("ctrl+q", "quit", "Quit", id="quit"),
    ]

    def __init__(self, ctx: Context) -> None:
        super().__init__()
        self.ctx = ctx
        self.register_theme(WAREHOUSE_LIGHT)

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        """Every F-key and Ctrl action of the app and of this screen, in the palette too."""
        yield from super().get_system_commands(screen)
        for owner, bindings in ((self, self.BINDINGS), (screen, screen.BINDINGS)):
            for binding in bindings:
                if not isinstance(binding, Binding) or binding.action == "quit":
                    continue
                yield SystemCommand(
                    binding.description,
                    f"{binding.key.upper()}: {binding.description}",
                    partial(owner.run_action, binding.action),
                )

    def on_mount(self) -> None:
        # Everything alive after start-up (Textual, the modules, the screens) is moved out of
        # the garbage collector's sight, so its full passes stop landing between two scans.
        gc.collect()
        gc.freeze()

    def action_toggle_light(self) -> None:
        self.theme = "textual-dark" if self.theme == WAREHOUSE_LIGHT.name else WAREHOUSE_LIGHT.name


def run_ui(ctx: Context) -> None:
    StationApp(ctx).run()
