"""Placing a template's elements for one label: text fitted to its box, barcodes encoded.

Every driver draws from this one layout, so ZPL, ESC/POS, PNG and PDF agree on what goes
where. Text is measured with the font the image renderer draws with; ZPL fields also carry
their box width (``^FB``), so the printer never runs text past it.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache, partial
from pathlib import Path
from typing import TYPE_CHECKING

from printers import qr
from printers.code128 import Code128
from printers.errors import PrinterError
from printers.label import LabelData
from printers.template import (
    QUIET_MODULES,
    BarcodeElement,
    BoxElement,
    QrElement,
    Template,
    TextElement,
    barcode_room,
    fitting_module,
)

if TYPE_CHECKING:
    from PIL import ImageFont

# Shrinking stops here (a fraction of the designed size); past it, text is cut with "…", or
# for a field printed in full, wrapped onto more lines of its box.
MIN_SHRINK = 0.6
# A Metrc UID inside a text: 24 of 0-9 and A-Z standing alone.
_UID_TOKEN = re.compile(r"(?<![0-9A-Za-z])[0-9A-Z]{24}(?![0-9A-Za-z])")


@dataclass(frozen=True)
class PlacedText:
    x: int
    y: int
    width: int
    height: int
    text: str
    size: int
    align: str
    # Whether ``text`` comes from a label field (varies per label) or is all literal.
    variable: bool
    source: TextElement
    # A field printed in full that did not fit one line: ``text`` wrapped, top to bottom.
    lines: tuple[str, ...] = ()

    @classmethod
    def fitted(
        cls, element: TextElement, text: str, lines: tuple[str, ...], size: int, variable: bool
    ) -> PlacedText:
        """``element``'s ``text`` as :func:`fitted_field` fits it: one line (which may be
        shrunk or cut), or ``text`` whole with its wrapped lines."""
        if len(lines) == 1:
            return cls(*_box_of(element), lines[0], size, element.align, variable, element)
        return cls(*_box_of(element), text, size, element.align, variable, element, lines)

    @property
    def rows(self) -> tuple[str, ...]:
        """What prints on each line of the box."""
        return self.lines or (self.text,)


def _box_of(element: TextElement) -> tuple[int, int, int, int]:
    return element.x, element.y, element.width, element.height


@dataclass(frozen=True)
class PlacedBarcode:
    x: int
    y: int
    height: int
    module: int
    code: Code128
    source: BarcodeElement

    modules: int

    @property
    def width(self) -> int:
        return self.modules * self.module


@dataclass(frozen=True)
class PlacedBox:
    x: int
    y: int
    width: int
    height: int
    thickness: int


@dataclass(frozen=True)
class PlacedQr:
    x: int
    y: int
    module: int
    data: str
    source: QrElement


Placed = PlacedText | PlacedBarcode | PlacedBox | PlacedQr


# A bold condensed face like Zebra's scalable font 0, shipped so every machine draws the same.
FONT = Path(__file__).parent / "fonts" / "DejaVuSansCondensed-Bold.ttf"


@lru_cache(maxsize=64)
def font(size: int) -> ImageFont.FreeTypeFont:
    from PIL import ImageFont  # Pillow loads when text is first measured, not at start-up.

    return ImageFont.truetype(str(FONT), size)


@lru_cache(maxsize=64)
def _advances(size: int) -> dict[str, float]:
    face = font(size)
    printable = [*range(32, 127), *range(160, 256)]
    return {chr(code): face.getlength(chr(code)) for code in printable}


def surely_fitting_length(width: int, size: int) -> int:
    """How many printable ASCII characters, whichever they are, surely fit ``width`` dots at
    ``size`` (the bound :func:`fit_text` accepts without measuring)."""
    widest = max(advance for glyph, advance in _advances(size).items() if glyph.isascii())
    limit = width - size * 0.1
    length = max(0, int(limit // widest))
    while (length + 1) * widest <= limit:
        length += 1
    while length and length * widest > limit:
        length -= 1
    return length


def _surely_fits(text: str, width: int, size: int) -> bool:
    """A quick upper bound: the sum of the glyphs' advances, with room for kerning."""
    try:
        total = sum(map(_advances(size).__getitem__, text))
    except KeyError:
        return False  # a character outside Latin-1: measure it properly
    return total <= width - size * 0.1


def widest_bound(texts: list[str]) -> Callable[[int], float]:
    """An upper bound, at a given size, on the width of any of ``texts``: the longest one set
    entirely in the widest glyph any of them uses (cheap for thousands of UIDs of one
    alphabet; the texts are read once, for any number of sizes)."""
    longest = max(map(len, texts))
    glyphs = set().union(*texts)
    return partial(_widest, longest, glyphs)


def _widest(longest: int, glyphs: set[str], size: int) -> float:
    advances = _advances(size)
    if not glyphs <= advances.keys():
        return float("inf")  # outside Latin-1: measure each text instead
    return longest * max(advances[glyph] for glyph in glyphs) + size * 0.1


class TooLong(PrinterError):
    """Text that must print in full does not fit its box even at the smallest size."""

    def __init__(self, text: str, fitting: int) -> None:
        super().__init__(f"{text!r} does not fit: {fitting} characters of it would")
        self.text = text
        self.fitting = fitting


def fit_text(text: str, width: int, size: int, fit: str) -> tuple[str, int]:
    """``text`` and the font size at which it fits ``width`` dots on one line: shrunk, then
    cut with "…"; a "full" text is never cut: past the smallest size it raises
    :class:`TooLong`."""
    if _surely_fits(text, width, size) or font(size).getlength(text) <= width:
        return text, size
    if fit in ("shrink", "full"):
        smallest = smallest_size(size)
        for trial in range(size - 1, smallest - 1, -1):
            if font(trial).getlength(text) <= width:
                return text, trial
        size = smallest
    if fit == "full":
        face = font(size)
        fitting = len(text)
        while fitting and face.getlength(text[:fitting]) > width:
            fitting -= 1
        raise TooLong(text, fitting)
    face = font(size)
    cut = text
    while cut and face.getlength(cut + "…") > width:
        cut = cut[:-1]
    return (cut.rstrip() + "…" if cut else ""), size


def smallest_size(size: int) -> int:
    """The smallest size text designed at ``size`` shrinks to."""
    return max(1, int(size * MIN_SHRINK))


def fit_block(
    text: str, width: int, height: int, size: int, fit: str
) -> tuple[tuple[str, ...], int]:
    """The lines ``text`` prints on and their font size: one line as :func:`fit_text` fits
    it, except that a "full" text too long for one line at the smallest size wraps onto as
    many lines as the box's ``height`` holds (one line a font size high), at the largest
    size that takes; past that it raises :class:`TooLong`."""
    try:
        fitted, at = fit_text(text, width, size, fit)
        return (fitted,), at
    except TooLong as exc:
        single = exc
    smallest = smallest_size(size)
    lines = None
    for trial in range(size, smallest - 1, -1):
        rows = height // trial
        if rows < 2:
            continue
        lines = wrap(text, width, trial)
        if lines is not None and len(lines) <= rows:
            return lines, trial
    # The box holds the most lines at the smallest size, which was tried last.
    if lines is None:
        raise single
    raise TooLong(text, sum(map(len, lines[: height // smallest])))


def wrap(text: str, width: int, size: int) -> tuple[str, ...] | None:
    """``text`` broken into lines that each fit ``width`` dots at ``size``, each line as long
    as it can be: at spaces and hyphens where it can, within a word where it must
    (textwrap's rules), but never within a UID (a reader would take its two halves for two
    tags); None when that cannot be done at this size."""
    face = font(size)
    # A UID split over two lines is worse than a smaller size: whole words only, then.
    whole_words = bool(_UID_TOKEN.search(text))
    lines: list[str] = []
    rest = text.strip()
    while rest:
        line = _longest_first_line(rest, width, face, whole_words)
        if line is None:
            return None
        lines.append(line)
        # Data is one-spaced, so a first line is a prefix of the rest, less trailing spaces.
        rest = rest[len(line) :].lstrip()
    return tuple(lines)


def _longest_first_line(
    text: str, width: int, face: ImageFont.FreeTypeFont, whole_words: bool = False
) -> str | None:
    best = None
    low, high = 1, len(text)
    while low <= high:
        middle = (low + high) // 2
        first = textwrap.wrap(
            text, middle, break_on_hyphens=not whole_words, break_long_words=not whole_words
        )[0]
        if face.getlength(first) <= width:
            best, low = first, middle + 1
        else:
            high = middle - 1
    return best


def fitted_field(
    template: Template, element: TextElement, text: str
) -> tuple[tuple[str, ...], int]:
    """:func:`fit_block` for ``element`` of ``template``; text that must print in full and
    does not fit is refused naming the field, the label and what length would fit."""
    try:
        return fit_block(text, element.width, element.height, element.size, element.fit)
    except TooLong as exc:
        names = " and ".join(name.replace("_", " ") for name in element.fields) or "text"
        raise PrinterError(
            f"the {names} {exc.text!r} does not fit the {template.name} label, which prints "
            f"it in full: {exc.fitting} of its {len(exc.text)} characters would fit"
        ) from None


def refuse_cut_fields(template: Template, labels: Iterable[LabelData]) -> None:
    """Refuse, before anything is sent, labels whose must-print-in-full fields would not fit
    (each distinct text is measured once: a batch repeats its item and batch)."""
    full = [e for e in template.elements if isinstance(e, TextElement) and e.fit == "full"]
    if not full:
        return
    seen: set[tuple[int, str]] = set()
    for label in labels:
        values = {name: " ".join(value.split()) for name, value in label.as_dict().items()}
        for number, element in enumerate(full):
            text = element.text.format(**values)
            if (number, text) not in seen:
                fitted_field(template, element, text)
                seen.add((number, text))


def place(template: Template, label: LabelData) -> list[Placed]:
    # Line breaks and runs of spaces in data would break a one-line field; the template's
    # own spacing stays as written.
    values = {name: " ".join(value.split()) for name, value in label.as_dict().items()}
    placed: list[Placed] = []
    for element in template.elements:
        if isinstance(element, TextElement):
            text = element.text.format(**values)
            lines, size = fitted_field(template, element, text)
            placed.append(PlacedText.fitted(element, text, lines, size, bool(element.fields)))
        elif isinstance(element, BarcodeElement):
            placed.append(_barcode(template, element, values[element.field]))
        elif isinstance(element, BoxElement):
            placed.append(
                PlacedBox(element.x, element.y, element.width, element.height, element.thickness)
            )
        else:
            placed.append(placed_qr(element, values[element.field]))
    return placed


def placed_qr(element: QrElement, data: str) -> PlacedQr:
    """A QR code for ``data``: refused when there is none (a unit label template used for
    a tag label) or it is not a short line of printable text."""
    if not data:
        raise PrinterError(
            f"this template prints Retail ID unit labels: its QR code needs the "
            f"{element.field.replace('_', ' ')} (print --retail-id PACKAGE_UID)"
        )
    if len(data) > qr.MAX_DATA or not data.isprintable():
        raise PrinterError(f"{data[:40]!r} cannot go into a QR code: not a short line of text")
    return PlacedQr(element.x, element.y, element.module, data, element)


def _barcode(template: Template, element: BarcodeElement, data: str) -> PlacedBarcode:
    """Encode ``data``; a symbol too wide at the template's module width (an unusual UID
    with few digit runs) steps down to narrower modules rather than run off the label."""
    code = Code128(data)
    modules = template.rules.modules(code, element)
    room = barcode_room(template, element)
    module = fitting_module(element, modules, room)
    needed = (modules + 2 * QUIET_MODULES) * module
    if room is not None and needed > room:
        raise PrinterError(
            f"the barcode of {data} needs {needed} dots with its quiet zones; "
            f"the {template.name} label has {room}"
        )
    x = element.x
    if element.align == "center" and element.rotate == 0:
        x = (template.width - modules * module) // 2
    return PlacedBarcode(x, element.y, element.height, module, code, element, modules)
