"""F8: label templates, with a preview of each drawn in the terminal and saved as a PNG."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from PIL import Image
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.widgets import DataTable, Header, Static

from station.services.printing import templates
from station.services.printing.templates import TemplateInfo
from station.ui.screens.base import StationScreen, footer, plain
from station.ui.widgets.preview import LabelPreview


class TemplatesScreen(StationScreen):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+r", "refresh", "Refresh", id="templates-refresh"),
    ]

    def compose(self) -> ComposeResult:
        yield Header()
        yield DataTable(id="templates", cursor_type="row")
        yield Static("", id="where", classes="hint")
        with VerticalScroll():
            yield LabelPreview(id="preview")
        yield footer()

    def on_mount(self) -> None:
        self.query_one("#templates", DataTable).add_columns(
            "Name", "Source", "Driver", "dpi", "Size", "Description"
        )
        self.action_refresh()

    def action_refresh(self) -> None:
        self.call(lambda: templates.describe_all(self.ctx.folders), self._list, group="templates")

    def _list(self, found: list[TemplateInfo]) -> None:
        table = self.query_one("#templates", DataTable)
        table.clear()
        for info in found:
            table.add_row(
                plain(info.name),
                info.source,
                info.driver or "",
                str(info.dpi or ""),
                info.size or "",
                plain(f"broken: {info.problem}" if info.problem else info.description),
                key=info.name,
            )

    @on(DataTable.RowHighlighted, "#templates")
    def highlighted(self, event: DataTable.RowHighlighted) -> None:
        name = event.row_key.value
        if name is not None:
            self.call(
                lambda: templates.preview(self.ctx.folders, name),
                self._show,
                group="preview",
                exclusive=True,
            )

    def _show(self, result: tuple[Image.Image, Path]) -> None:
        image, path = result
        self.query_one("#preview", LabelPreview).show(image)
        self.query_one("#where", Static).update(plain(f"Full-resolution preview: {path}"))
