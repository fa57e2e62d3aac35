"""ZPL II for Zebra printers: whole labels, and stored formats for batches.

A batch sends one ``^DF`` format holding everything that is the same on every label (the
facility, the license, the layout) and then one short ``^XF`` recall per label carrying only
what varies, which is what lets a 9600-baud serial printer keep up.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

from printers.label import LabelData
from printers.layout import Placed, PlacedBarcode, PlacedBox, PlacedText, fit_text, place
from printers.template import Template

_JUSTIFY = {"left": "L", "center": "C", "right": "R"}
# ^FH escapes: these three would otherwise end or redirect the field on the printer.
_ESCAPES = str.maketrans({"_": "_5F", "^": "_5E", "~": "_7E"})


def field_data(text: str) -> str:
    """``^FH^FD`` + text: any ``^``, ``~`` or ``_`` in data is sent as a hex escape."""
    clean = text if text.isprintable() else "".join(c for c in text if c.isprintable())
    if any(char in clean for char in "_^~"):
        return "^FH^FD" + clean.translate(_ESCAPES)
    return "^FD" + clean


def _header(template: Template) -> str:
    return f"^CI28^PW{template.width}^LL{template.height}^LH0,0"


def _text_origin(item: PlacedText, size: int) -> str:
    # Centred vertically in its box, as the image renderer draws it.
    top = item.y + max(0, (item.height - size) // 2)
    return f"^FO{item.x},{top}^A0N,{size},{size}^FB{item.width},1,0,{_JUSTIFY[item.align]}"


def _barcode_origin(item: PlacedBarcode, module: int | None = None, x: int | None = None) -> str:
    orientation = "R" if item.source.rotate == 90 else "N"
    # Mode A: the printer chooses subsets B and C itself, as python-barcode does for images.
    return (
        f"^FO{item.x if x is None else x},{item.y}^BY{module or item.module}"
        f"^BC{orientation},{item.height},N,N,N,A"
    )


def _box(item: PlacedBox) -> str:
    return f"^FO{item.x},{item.y}^GB{item.width},{item.height},{item.thickness}^FS"


def _field(item: Placed, data: str | None = None, size: int | None = None) -> str:
    """One field; ``data`` None leaves it open for a ``^FN`` (the caller adds it)."""
    if isinstance(item, PlacedText):
        head = _text_origin(item, size or item.size)
        return head + (field_data(data if data is not None else item.text) + "^FS")
    if isinstance(item, PlacedBarcode):
        return (
            _barcode_origin(item) + field_data(data if data is not None else item.code.data) + "^FS"
        )
    return _box(item)


def render_label(template: Template, label: LabelData, copies: int = 1) -> bytes:
    """One complete label (``^XA``...``^XZ``), printed ``copies`` times."""
    body = "".join(_field(item) for item in place(template, label))
    quantity = f"^PQ{copies}" if copies > 1 else ""
    return f"^XA{_header(template)}{body}{quantity}^XZ\n".encode()


@dataclass(frozen=True)
class StoredBatch:
    """A batch as a stored format plus one recall per label."""

    format: bytes
    recalls: list[bytes]
    name: str


def render_batch(template: Template, labels: Sequence[LabelData], copies: int = 1) -> StoredBatch:
    """The ``^DF`` format (fields equal on every label baked in) and one ``^XF`` per label."""
    layouts = [place(template, label) for label in labels]
    columns = list(zip(*layouts, strict=True))
    parts: list[str] = []
    numbers: dict[tuple[str, ...], int] = {}
    variable: list[tuple[int, int]] = []  # (element index, ^FN number)
    sizes: dict[int, int] = {}
    for index, column in enumerate(columns):
        first = column[0]
        values = tuple(_value(item) for item in column)
        if isinstance(first, PlacedBox) or len(set(values)) == 1:
            parts.append(_field(first))
            continue
        number = numbers.setdefault(values, len(numbers) + 1)
        variable.append((index, number))
        if isinstance(first, PlacedText):
            # One size for every label of the batch: the smallest any of them needed.
            sizes[index] = min(item.size for item in column if isinstance(item, PlacedText))
            parts.append(_text_origin(first, sizes[index]) + f"^FN{number}^FS")
        else:
            bars = [item for item in column if isinstance(item, PlacedBarcode)]
            # The format fixes one module width and origin: the narrowest any label needed,
            # placed so the widest symbol of the batch stays centred on the label.
            module = min(item.module for item in bars)
            widest = max(item.modules for item in bars) * module
            x = (template.width - widest) // 2 if first.source.align == "center" else first.x
            parts.append(_barcode_origin(first, module, x) + f"^FN{number}^FS")
    body = "".join(parts)
    name = "R:TS" + hashlib.sha1(body.encode()).hexdigest()[:4].upper() + ".ZPL"
    stored = f"^XA^DF{name}^FS{_header(template)}{body}^XZ\n".encode()
    quantity = f"^PQ{copies}" if copies > 1 else ""
    recalls = []
    for label, layout in zip(labels, layouts, strict=True):
        sent: set[int] = set()
        data = []
        for index, number in variable:
            if number in sent:
                continue  # one ^FN fills every field that carries the same value
            sent.add(number)
            item = layout[index]
            text = _value(item)
            if isinstance(item, PlacedText) and index in sizes and sizes[index] < item.size:
                text, _ = fit_text(
                    item.source.text.format(**label.as_dict()), item.width, sizes[index], "truncate"
                )
            data.append(f"^FN{number}{field_data(text)}^FS")
        encoding = "^CI28" if any(not part.isascii() for part in data) else ""
        recalls.append(f"^XA^XF{name}^FS{encoding}{''.join(data)}{quantity}^XZ\n".encode())
    return StoredBatch(stored, recalls, name)


def _value(item: Placed) -> str:
    if isinstance(item, PlacedText):
        return item.text
    if isinstance(item, PlacedBarcode):
        return item.code.data
    return ""


def cancel_all() -> bytes:
    """``~JA``: cancel every format in the printer's buffer."""
    return b"~JA\n"
