"""Labels as images (Pillow) at the template's dpi: previews, PNG files and PDF pages.

Bars are drawn on whole dots from python-barcode's module pattern, so an image decodes as
the printer's output would (no resampling blur).
"""

from __future__ import annotations

import io
from collections.abc import Sequence

from PIL import Image, ImageDraw

from printers import qr
from printers.label import LabelData
from printers.layout import PlacedBarcode, PlacedBox, PlacedQr, PlacedText, font, place
from printers.template import Template

WHITE, BLACK = 255, 0


def render_label(template: Template, label: LabelData) -> Image.Image:
    """One label, black on white, ``template.width`` x ``template.height`` dots."""
    image = Image.new("L", (template.width, template.height), WHITE)
    draw = ImageDraw.Draw(image)
    for item in place(template, label):
        if isinstance(item, PlacedText):
            _text(draw, item)
        elif isinstance(item, PlacedBarcode):
            if item.source.rotate == 90:
                bars = barcode_image(item, quiet=False).rotate(90, expand=True)
                image.paste(bars, (item.x, item.y))
            else:
                bars = barcode_image(item, quiet=False)
                x = (template.width - bars.width) // 2 if item.source.align == "center" else item.x
                image.paste(bars, (x, item.y))
        elif isinstance(item, PlacedBox):
            _box(draw, item)
        elif isinstance(item, PlacedQr):
            _qr(draw, item)
    return image


def _qr(draw: ImageDraw.ImageDraw, item: PlacedQr) -> None:
    """Whole dots a module, as the printer draws it (the template keeps its quiet zone)."""
    step = item.module
    for row, cells in enumerate(qr.matrix(item.data, item.source.level)):
        for column, dark in enumerate(cells):
            if dark:
                x, y = item.x + column * step, item.y + row * step
                draw.rectangle((x, y, x + step - 1, y + step - 1), fill=BLACK)


def barcode_image(item: PlacedBarcode, quiet: bool = True) -> Image.Image:
    """The bars of one barcode, ``module`` dots per module, optionally with quiet zones."""
    margin = 10 * item.module if quiet else 0
    width = item.code.modules * item.module + 2 * margin
    image = Image.new("L", (width, item.height), WHITE)
    draw = ImageDraw.Draw(image)
    x = margin
    for bit in item.code.pattern:
        if bit == "1":
            draw.rectangle((x, 0, x + item.module - 1, item.height - 1), fill=BLACK)
        x += item.module
    return image


def _text(draw: ImageDraw.ImageDraw, item: PlacedText) -> None:
    face = font(item.size)
    rows = item.rows
    # Vertically centred in the box, one font size a line, as the ZPL fields are placed.
    middle = item.y + item.height / 2 - item.size * (len(rows) - 1) / 2
    for line, text in enumerate(rows):
        width = face.getlength(text)
        x: float = item.x
        if item.align == "center":
            x += (item.width - width) / 2
        elif item.align == "right":
            x += item.width - width
        y = middle + line * item.size
        draw.text((x, y), text, font=face, fill=BLACK, anchor="lm")


def _box(draw: ImageDraw.ImageDraw, item: PlacedBox) -> None:
    right, bottom = item.x + item.width - 1, item.y + item.height - 1
    if item.thickness * 2 >= min(item.width, item.height):
        draw.rectangle((item.x, item.y, right, bottom), fill=BLACK)
    else:
        draw.rectangle((item.x, item.y, right, bottom), outline=BLACK, width=item.thickness)


def render_sheet_pages(template: Template, labels: Sequence[LabelData]) -> list[Image.Image]:
    """Pages of office labels (``[sheet]`` templates), filled row by row."""
    sheet = template.sheet
    assert sheet is not None
    per_page = sheet.columns * sheet.rows
    pages = []
    for start in range(0, len(labels), per_page):
        page = Image.new("L", (sheet.page_width, sheet.page_height), WHITE)
        for index, label in enumerate(labels[start : start + per_page]):
            row, column = divmod(index, sheet.columns)
            at = (sheet.left + column * sheet.pitch_x, sheet.top + row * sheet.pitch_y)
            page.paste(render_label(template, label), at)
        pages.append(page)
    return pages


def images(template: Template, labels: Sequence[LabelData]) -> list[Image.Image]:
    """Sheet pages for ``[sheet]`` templates, else one image per label."""
    if template.sheet:
        return render_sheet_pages(template, labels)
    return [render_label(template, label) for label in labels]


def png_bytes(template: Template, picture: Image.Image) -> bytes:
    out = io.BytesIO()
    picture.save(out, "PNG", dpi=(template.dpi, template.dpi))
    return out.getvalue()


def pdf_bytes(template: Template, labels: Sequence[LabelData]) -> bytes:
    """A PDF: sheet pages for ``[sheet]`` templates, else one label-sized page per label."""
    pages = images(template, labels)
    first, *rest = [page.convert("1", dither=Image.Dither.NONE) for page in pages]
    out = io.BytesIO()
    first.save(out, "PDF", resolution=float(template.dpi), save_all=True, append_images=rest)
    return out.getvalue()
