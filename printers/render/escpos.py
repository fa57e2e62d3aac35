"""ESC/POS labels for thermal receipt printers, built with python-escpos.

Elements print top to bottom. The barcode is either the printer's own Code 128 (``GS k``)
with the subset switches python-barcode chose, so digit runs pack two to a symbol and a UID
fits 80 mm paper, or a raster image we draw ("image" mode, or profiles without barcode
support). python-escpos's own silent fallback to software, which would put the ``{B``
prefix into the bars, is never used.
"""

from __future__ import annotations

import contextlib
import io
import textwrap
from collections.abc import Sequence

from escpos.printer import Dummy
from PIL import Image

from printers.errors import PrinterError
from printers.label import LabelData
from printers.layout import PlacedBarcode, PlacedBox, PlacedQr, PlacedText, place
from printers.qr import QUIET_MODULES
from printers.render.image import barcode_image
from printers.template import Template

# ESC J n: print and feed n dots.
ESC_J = b"\x1bJ"
# Font A is 12 x 24 dots; magnification is by whole steps up to 8.
CHAR_WIDTH, CHAR_HEIGHT = 12, 24


def render(template: Template, labels: Sequence[LabelData], copies: int = 1) -> bytes:
    """Every label (each ``copies`` times), cut apart, as one byte string."""
    printer = Dummy(profile=template.escpos_profile or "default")
    # python-escpos prints notices to stdout; a station's stdout belongs to its output.
    with contextlib.redirect_stdout(io.StringIO()):
        printer.hw("INIT")
        for label in labels:
            layout = sorted(place(template, label), key=lambda item: (item.y, item.x))
            for _ in range(copies):
                for item in layout:
                    _item(printer, template, item)
                _cut(printer)
    output: bytes = printer.output
    return output


def native_barcodes(template: Template) -> bool:
    """Whether this printer profile draws Code 128 itself."""
    printer = Dummy(profile=template.escpos_profile or "default")
    return bool(printer.profile.supports("barcodeB"))


def _item(printer: Dummy, template: Template, item: object) -> None:
    if isinstance(item, PlacedText):
        scale = max(1, min(8, round(item.size / CHAR_HEIGHT)))
        columns = max(1, item.width // (CHAR_WIDTH * scale))
        printer.set(
            align=item.align,
            custom_size=scale > 1,
            width=scale,
            height=scale,
            normal_textsize=scale == 1,
        )
        for line in _lines(item, columns):
            printer.textln(_latin(line))
    elif isinstance(item, PlacedBarcode):
        _barcode(printer, template, item)
    elif isinstance(item, PlacedBox):
        printer.image(Image.new("1", (item.width, item.thickness), 0), center=False)
    elif isinstance(item, PlacedQr):
        _qr(printer, item)


def _qr(printer: Dummy, item: PlacedQr) -> None:
    """The printer's own QR (``GS ( k``: model 2, the module size, the level), centred with
    ``ESC a`` (python-escpos refuses ``center`` for native codes), with the four-module
    quiet zone fed above and below (the printer leaves it to the sender)."""
    from escpos.constants import QR_ECLEVEL_H, QR_ECLEVEL_L, QR_ECLEVEL_M, QR_ECLEVEL_Q

    levels = {"L": QR_ECLEVEL_L, "M": QR_ECLEVEL_M, "Q": QR_ECLEVEL_Q, "H": QR_ECLEVEL_H}
    quiet = min(255, QUIET_MODULES * item.module)
    printer.set(align="center")
    printer._raw(ESC_J + bytes([quiet]))
    printer.qr(item.data, ec=levels[item.source.level], size=item.module, model=2, native=True)
    printer._raw(ESC_J + bytes([quiet]))


def _lines(item: PlacedText, columns: int) -> list[str]:
    """The printer's fixed-width font has its own line length: a field printed in full wraps
    onto as many lines of the roll as it needs; any other text is cut with "~"."""
    text = item.text  # whole, even where the layout wrapped it for its own font
    if len(text) <= columns:
        return [text]
    if item.source.fit == "full":
        return textwrap.wrap(text, columns, break_on_hyphens=True, break_long_words=True)
    return [text[: columns - 1] + "~"]


def _barcode(printer: Dummy, template: Template, item: PlacedBarcode) -> None:
    center = item.source.align == "center"
    if item.source.mode == "native" and native_barcodes(template):
        if item.module < 2:
            raise PrinterError(
                f"the barcode of {item.code.data} does not fit {template.width} dots at the "
                "2-dot minimum of ESC/POS printers; use an image-mode template"
            )
        payload = item.code.escpos_payload.decode("ascii")
        printer.set(align="center" if center else "left")
        printer.barcode(
            payload,
            "CODE128",
            height=min(255, item.height),
            width=item.module,
            pos="OFF",
            function_type="B",
            align_ct=center,
        )
        return
    image = barcode_image(item)
    if item.source.rotate == 90:
        image = image.rotate(90, expand=True)
    if image.width > template.width:
        raise PrinterError(
            f"the barcode of {item.code.data} is {image.width} dots wide; the paper has "
            f"{template.width}"
        )
    printer.image(image, impl="bitImageRaster", center=center)


def _cut(printer: Dummy) -> None:
    if printer.profile.supports("paperFullCut") or printer.profile.supports("paperPartCut"):
        printer.cut()
    else:
        printer.ln(4)  # no cutter: feed the label past the tear bar


def _latin(text: str) -> str:
    """Receipt printers' code pages hold Latin text; anything else becomes ``?``."""
    return text.encode("cp1252", "replace").decode("cp1252")
