"""F8: label templates, with a preview of each drawn in the terminal and saved as a PNG."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from PIL import Image
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.widgets import DataTable, Footer, Header, Static

from printers import catalog
from printers.device import TEST_LABEL
from printers.render.image import render_label
from printers.transports.spool import default_folder
from station.services import printers
from station.ui.screens.base import StationScreen, plain
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
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#templates", DataTable).add_columns(
            "Name", "Source", "Driver", "dpi", "Size", "Description"
        )
        self.action_refresh()

    def action_refresh(self) -> None:
        table = self.query_one("#templates", DataTable)
        table.clear()
        user_dir = printers.user_templates_dir()
        for name, (_, source) in catalog.template_files(user_dir).items():
            try:
                chosen = catalog.get(name, user_dir)
            except Exception as exc:
                table.add_row(plain(name), source, "", "", "", plain(f"broken: {exc}"), key=name)
                continue
            size = f"{chosen.width / chosen.dpi:.2f} x {chosen.height / chosen.dpi:.2f} in"
            table.add_row(
                plain(name),
                source,
                chosen.driver,
                str(chosen.dpi),
                size,
                plain(chosen.description),
                key=name,
            )

    @on(DataTable.RowHighlighted, "#templates")
    def highlighted(self, event: DataTable.RowHighlighted) -> None:
        name = event.row_key.value
        if name is not None:
            self.call(lambda: self._make_preview(name), self._show, group="preview", exclusive=True)

    def _make_preview(self, name: str) -> tuple[Image.Image, Path]:
        chosen = printers.template(name)
        image = render_label(chosen, TEST_LABEL)
        folder = default_folder() / "previews"
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{name}.png"
        image.save(path, dpi=(chosen.dpi, chosen.dpi))
        return image, path

    def _show(self, result: tuple[Image.Image, Path]) -> None:
        image, path = result
        self.query_one("#preview", LabelPreview).show(image)
        self.query_one("#where", Static).update(plain(f"Full-resolution preview: {path}"))
