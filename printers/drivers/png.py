"""PNG images at the template's dpi, one a file: a label, or a page of a sheet template. For
hot folders and image printers, and for templates made only to be looked at."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar

from printers.drivers.base import Batch, Driver
from printers.errors import PrinterError
from printers.label import LabelData
from printers.template import Template


@dataclass(frozen=True)
class PngImages(Batch):
    """A chunk is one image: a label, or a sheet template's page."""

    template: Template
    labels: Sequence[LabelData]
    setup = b""  # every file stands alone

    def chunk(self, start: int, end: int) -> bytes:
        from printers.render import image  # Pillow loads with the first image label.

        [picture] = image.images(self.template, self.labels[start:end])
        return image.png_bytes(self.template, picture)


class PngDriver(Driver):
    name = "png"
    title = "PNG"
    unit_templates: ClassVar[dict[int, str]] = {203: "retail-1x1-203", 300: "retail-1x1-300"}

    def renders(self, template: Template) -> bool:
        return True  # every template draws as an image

    def files(
        self, template: Template, labels: Sequence[LabelData], copies: int = 1
    ) -> list[bytes]:
        from printers.render import image

        # Copies of an image file would be the same file again: each is written once.
        return [image.png_bytes(template, picture) for picture in image.images(template, labels)]

    def document(self, template: Template, labels: Sequence[LabelData], copies: int = 1) -> bytes:
        found = self.files(template, labels, copies)
        if len(found) != 1:
            raise PrinterError("a PNG file holds one label or page; write several as files")
        return found[0]

    def batch(self, template: Template, labels: Sequence[LabelData], copies: int = 1) -> Batch:
        return PngImages(template, [label for label in labels for _ in range(copies)])

    def labels_per_chunk(self, template: Template) -> int | None:
        sheet = template.sheet
        return sheet.columns * sheet.rows if sheet else 1
