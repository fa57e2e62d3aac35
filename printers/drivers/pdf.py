"""PDF for office printers: labels drawn as images at the template's dpi, a sheet template's
labels laid out on its pages (Avery 5160 and the like). A PDF printer cannot be asked for its
status here: a page counts as printed once the spooler has taken it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar

from printers.drivers.base import Batch, Driver
from printers.label import LabelData
from printers.template import Template


@dataclass(frozen=True)
class PdfPages(Batch):
    """A chunk is a PDF of its own: every chunk the spooler takes is a whole document."""

    template: Template
    labels: Sequence[LabelData]
    copies: int = 1
    setup = b""  # nothing to set up: every document stands alone

    def chunk(self, start: int, end: int) -> bytes:
        from printers.render import image  # Pillow loads with the first image label.

        chosen = [label for label in self.labels[start:end] for _ in range(self.copies)]
        return image.pdf_bytes(self.template, chosen)


class PdfDriver(Driver):
    name = "pdf"
    title = "PDF"
    default_templates: ClassVar[dict[int, str]] = {300: "avery-5160-sheet"}

    def renders(self, template: Template) -> bool:
        return True  # every template draws as an image, so every one makes a PDF

    def document(self, template: Template, labels: Sequence[LabelData], copies: int = 1) -> bytes:
        return PdfPages(template, labels, copies).chunk(0, len(labels))

    def batch(self, template: Template, labels: Sequence[LabelData], copies: int = 1) -> Batch:
        return PdfPages(template, labels, copies)

    def labels_per_chunk(self, template: Template) -> int | None:
        # A sheet is only filled when its labels go in one document.
        sheet = template.sheet
        return sheet.columns * sheet.rows if sheet else None
