"""F6: orders: the list, adding a range, and importing a file picked from a folder tree."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import DataTable, DirectoryTree, Header, Input, Select, Static

from station.domain import changes
from station.domain.states import TagStatus, TagType
from station.domain.text import plural
from station.services.tags import order_corrections, orders
from station.services.tags.order_files import ImportOptions, ImportResult, import_file
from station.services.tags.orders import OrderSummary
from station.ui.screens.base import StationScreen, footer, plain


class FileTree(DirectoryTree):
    """Folders and files, less the hidden ones (``.git``, ``.venv``, dot files)."""

    def filter_paths(self, paths: Iterable[Path]) -> Iterable[Path]:
        return [path for path in paths if not path.name.startswith(".")]


class OrdersScreen(StationScreen):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f10", "add_order", "Record range", id="orders-add"),
        Binding("f11", "pick_file", "Import file", id="orders-import"),
        Binding(
            "ctrl+e",
            "correct_order",
            "Correct",
            tooltip="Correct the chosen order (type, date, number typed below)",
            id="orders-correct",
            # Priority: a text field would take Ctrl+E (end of line) first.
            priority=True,
        ),
        Binding(
            "f12",
            "delete_order",
            "Delete",
            tooltip="Delete the chosen order recorded in error (F12 again confirms)",
            id="orders-delete",
        ),
        Binding("ctrl+r", "refresh", "Refresh", id="orders-refresh"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.shown: dict[int, OrderSummary] = {}
        # (order id, reason) the last F12 showed; a second F12 on the same deletes it.
        self.delete_armed: tuple[int, str] | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        yield DataTable(id="orders", cursor_type="row")
        yield Static("Record an order range (F10)", classes="title")
        with Horizontal(classes="row"):
            yield Input(placeholder="License", id="license")
            yield Select(
                [(kind.value, kind.value) for kind in reversed(TagType)], prompt="type", id="type"
            )
            yield Input(placeholder="Order date YYYY-MM-DD", id="date")
            yield Input(placeholder="Order number (optional)", id="number")
        with Horizontal(classes="row"):
            yield Input(placeholder="First UID", id="first", classes="takes-uid")
            yield Input(placeholder="Last UID (or a count)", id="last", classes="takes-uid")
        yield Input(
            placeholder="Reason, to correct the chosen order (Ctrl+E) or delete it (F12)",
            id="reason",
        )
        yield Static("", id="confirm", classes="hint")
        yield Static(
            "Import a CSV or Metrc JSON file (F11 opens the folder tree; Enter picks)",
            classes="title",
        )
        with Vertical(id="picker"):
            yield Input(placeholder="Folder (Enter shows it)", id="folder")
        yield footer()

    def on_mount(self) -> None:
        # The counts and days open first: at 80 columns they are what is read; the license
        # and the order number come after, seen on a wider terminal or by scrolling.
        self.query_one("#orders", DataTable).add_columns(
            "Order",
            "Type",
            "Date",
            "Total",
            "Ordered",
            "Received",
            "Used",
            "Voided",
            "Days open",
            "License",
            "Number",
        )
        self.query_one("#picker").display = False
        self.action_refresh()

    def action_refresh(self) -> None:
        """The order list, and the folder tree if it is open (files come and go)."""
        self.call(lambda: orders.list_orders(self.ctx), self._show, group="orders", exclusive=True)
        for tree in self.query(FileTree):
            tree.reload()

    def _show(self, found: list[OrderSummary]) -> None:
        self.shown = {o.id: o for o in found}
        self._disarm()
        table = self.query_one("#orders", DataTable)
        table.clear()
        today = self.ctx.today()
        table.add_rows(
            [
                str(o.id),
                o.type,
                o.order_date.isoformat(),
                f"{o.total:,}",
                *(f"{o.counts[status]:,}" for status in TagStatus),
                str(o.days_open(today) or ""),
                plain(o.license_number),
                plain(o.order_number or ""),
            ]
            for o in found
        )

    def _value(self, widget_id: str) -> str:
        return self.query_one(f"#{widget_id}", Input).value

    def action_add_order(self) -> None:
        kind = self.query_one("#type", Select).value
        license_number, date, number = (
            self._value("license"),
            self._value("date"),
            self._value("number"),
        )
        first = self._value("first")
        last, count = orders.last_or_count(self._value("last"))

        def work() -> object:
            draft = orders.draft_order(
                self.ctx,
                license_number,
                kind if isinstance(kind, str) else None,
                first,
                date,
                number,
                last,
                count,
            )
            return orders.add_order(self.ctx, draft)[0]

        self.call(
            work, self.then_say(lambda order: f"Recorded order {order.id}", self.action_refresh)
        )

    def _chosen(self, to_do: str) -> int | None:
        table = self.query_one("#orders", DataTable)
        if table.row_count == 0:
            self.fail(f"no order to {to_do}")
            return None
        return int(str(table.get_row_at(table.cursor_row)[0]))

    def action_correct_order(self) -> None:
        """The chosen order's type, date or number, from what is typed in the form; only
        while all its tags are still ordered (the service says how many are not)."""
        order_id = self._chosen("correct")
        if order_id is None:
            return
        kind = self.query_one("#type", Select).value
        date, number = self._value("date").strip(), self._value("number")
        reason = self._value("reason")
        if not isinstance(kind, str) and not date and not number.strip():
            self.fail("choose the type, or type the date or number, the order should have")
            return

        def work() -> object:
            return order_corrections.edit_order(
                self.ctx,
                order_id,
                reason,
                kind if isinstance(kind, str) else None,
                date or None,
                number.strip() or None,
            )

        self.call(
            work,
            self.then_say(
                lambda changed: f"Corrected order {order_id}: {changes.described(changed)}",
                self.action_refresh,
            ),
        )

    @on(Input.Changed, "#reason")
    @on(DataTable.RowHighlighted, "#orders")
    def _disarm(self) -> None:
        """A confirmation holds only for the order and the reason it showed."""
        self.delete_armed = None
        self.query_one("#confirm", Static).update("")

    def action_delete_order(self) -> None:
        """The first F12 shows what would go; the second, on the same order with the same
        reason, deletes it (the service refuses an order with tags on record)."""
        order_id = self._chosen("delete")
        reason = self._value("reason").strip()
        if order_id is None:
            return
        if not reason:
            self.fail("type the reason first: it goes into the audit trail")
            return
        if self.delete_armed != (order_id, reason):
            order = self.shown[order_id]
            tags = plural(order.total, f"{order.type} tag")
            self.query_one("#confirm", Static).update(
                plain(
                    f"F12 again deletes order {order.id}: {tags} {', '.join(order.ranges)} "
                    f"({order.license_number}, ordered {order.order_date}), for the reason "
                    f"{reason!r}. Its events stay in the audit trail."
                )
            )
            self.delete_armed = (order_id, reason)
            return
        self._disarm()
        self.call(
            lambda: order_corrections.delete_order(self.ctx, order_id, reason),
            self.then_say(
                lambda count: f"Deleted order {order_id} and its {plural(count, 'tag')}",
                self.action_refresh,
            ),
        )

    def action_pick_file(self) -> None:
        """The folder tree is built only when asked for (reading folders takes time), from
        the home folder; any folder can be typed above it."""
        picker = self.query_one("#picker", Vertical)
        if not self.query(FileTree):
            home = Path.home()
            self.query_one("#folder", Input).value = str(home)
            picker.mount(FileTree(home, id="files"))
        picker.display = True
        self.call_after_refresh(lambda: self.query_one("#files", FileTree).focus())

    @on(Input.Submitted, "#folder")
    def show_folder(self, event: Input.Submitted) -> None:
        folder = Path(event.value.strip()).expanduser()
        if not folder.is_dir():
            self.fail(f"{folder} is not a folder here")
            return
        tree = self.query_one("#files", FileTree)
        tree.path = folder
        tree.focus()

    @on(DirectoryTree.FileSelected, "#files")
    def picked(self, event: DirectoryTree.FileSelected) -> None:
        path = event.path
        options = ImportOptions(
            self._value("license") or None,
            str(self.query_one("#type", Select).value)
            if isinstance(self.query_one("#type", Select).value, str)
            else None,
            self._value("date") or None,
        )
        self.call(lambda: import_file(self.ctx, path, options), self._imported, group="import")

    def _imported(self, result: ImportResult) -> None:
        for warning in result.warnings[:3]:
            self.notify(warning, severity="warning", markup=False)
        self.say(
            f"Imported {plural(result.tag_count, 'tag')} in "
            f"{plural(len(result.order_ids), 'order')}"
        )
        self.query_one("#picker").display = False
        self.action_refresh()
