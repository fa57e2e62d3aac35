"""A label image drawn with half-block characters: a preview in any terminal."""

from __future__ import annotations

from PIL import Image
from rich.segment import Segment
from rich.style import Style
from textual.strip import Strip
from textual.widget import Widget


class LabelPreview(Widget):
    """Two image rows per terminal row (``▀``): top pixel in the foreground colour."""

    DEFAULT_CSS = "LabelPreview { height: auto; width: auto; }"

    def __init__(
        self, image: Image.Image | None = None, columns: int = 96, id: str | None = None
    ) -> None:
        super().__init__(id=id)
        self.columns = columns
        self._rows: list[list[tuple[bool, bool]]] = []
        if image is not None:
            self.show(image)

    def show(self, image: Image.Image) -> None:
        width = self.columns
        height = max(2, round(image.height * width / image.width / 2) * 2)
        small = image.convert("L").resize((width, height), Image.Resampling.BOX)
        pixels = small.load()
        assert pixels is not None
        self._rows = [
            [(_dark(pixels[x, y]), _dark(pixels[x, y + 1])) for x in range(width)]
            for y in range(0, height, 2)
        ]
        self.styles.height = len(self._rows)
        self.styles.width = width
        self.refresh(layout=True)

    def render_line(self, y: int) -> Strip:
        if y >= len(self._rows):
            return Strip.blank(self.size.width)
        segments = []
        for top, bottom in self._rows[y]:
            style = Style(color="black" if top else "white", bgcolor="black" if bottom else "white")
            segments.append(Segment("▀", style))
        return Strip(segments)


def _dark(value: object) -> bool:
    return isinstance(value, int) and value < 128
