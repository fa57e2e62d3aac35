"""ZPL II for Zebra printers: whole labels, and stored formats for batches.

A batch sends one ``^DF`` format holding everything that is the same on every label (the
facility, the license, the layout) and then one short ``^XF`` recall per label carrying only
what varies, which is what lets a 9600-baud serial printer keep up.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property, partial
from operator import attrgetter

from printers.code128 import SHAPE, printer_modules
from printers.errors import PrinterError
from printers.label import LabelData
from printers.layout import (
    Placed,
    PlacedBarcode,
    PlacedBox,
    PlacedQr,
    PlacedText,
    fit_text,
    fitted_field,
    place,
    placed_qr,
    smallest_size,
    surely_fitting_length,
    widest_bound,
)
from printers.qr import MAX_DATA, is_alphanumeric
from printers.render.serial import Step, step_between
from printers.template import (
    QUIET_MODULES,
    BarcodeElement,
    BoxElement,
    Element,
    QrElement,
    Template,
    TextElement,
    barcode_room,
    fitting_module,
)

_JUSTIFY = {"left": "L", "center": "C", "right": "R"}
# ^FH escapes: these three would otherwise end or redirect the field on the printer.
_ESCAPES = str.maketrans({"_": "_5F", "^": "_5E", "~": "_7E"})


def field_data(text: str) -> str:
    """``^FH^FD`` + text: any ``^``, ``~`` or ``_`` in data is sent as a hex escape."""
    if text.isalnum() and text.isascii():
        return "^FD" + text  # a UID, a date without dashes: nothing to escape
    clean = text if text.isprintable() else "".join(c for c in text if c.isprintable())
    if "_" in clean or "^" in clean or "~" in clean:
        return "^FH^FD" + clean.translate(_ESCAPES)
    return "^FD" + clean


def _header(template: Template) -> str:
    return f"^CI28^PW{template.width}^LL{template.height}^LH0,0"


def _text_origin(item: PlacedText, size: int, line: int = 0, lines: int = 1) -> str:
    # Centred vertically in its box, as the image renderer draws it. A wrapped text is one
    # field a line, where the layout broke it: what a printer's own word wrap would do with
    # a long word is not what the preview shows.
    top = item.y + max(0, (item.height - size * lines) // 2) + size * line
    return f"^FO{item.x},{top}^A0N,{size},{size}^FB{item.width},1,0,{_JUSTIFY[item.align]}"


def _barcode_origin(item: PlacedBarcode, module: int | None = None, x: int | None = None) -> str:
    orientation = "R" if item.source.rotate == 90 else "N"
    # Mode A: the printer chooses subsets B and C itself, as python-barcode does for images.
    return (
        f"^FO{item.x if x is None else x},{item.y}^BY{module or item.module}"
        f"^BC{orientation},{item.height},N,N,N,A"
    )


# [V] ^FO places a QR code lower by the printer's current ^BY height (power-up 10 dots,
# changed by any earlier barcode): pinned here, and taken off the origin.
_QR_BY_HEIGHT = 10


def _qr_origin(item: PlacedQr) -> str:
    level = item.source.level
    return (
        f"^BY2,2,{_QR_BY_HEIGHT}^FO{item.x},{max(0, item.y - _QR_BY_HEIGHT)}"
        f"^BQN,2,{item.module},{level},7"
    )


def qr_data(data: str, level: str) -> str:
    """``^FD`` of a QR field: the switches first, always (without them the printer takes
    the data's first characters for switches), then the data; manual alphanumeric mode for
    a Retail ID URL, so no printer's guess can choose a larger symbol; automatic for
    anything else."""
    switches = f"{level}M,A" if is_alphanumeric(data) else f"{level}A,"
    return field_data(switches + data)


def _qr_column(element: QrElement, number: int, labels: Sequence[LabelData]) -> list[str]:
    """The recall fields of a QR code for every label: the usual column (Retail ID URLs, all
    in the alphanumeric set, so nothing to escape) is checked as one string."""
    column = list(map(attrgetter(element.field), labels))
    head = f"^FN{number}^FD{element.level}M,A"
    if all(column) and max(map(len, column)) <= MAX_DATA and is_alphanumeric("".join(column)):
        return [head + data + "^FS" for data in column]
    # Anything else one by one: refused as placing it would be, or sent with its switches.
    return [
        f"^FN{number}" + qr_data(placed_qr(element, data).data, element.level) + "^FS"
        for data in column
    ]


def _box(item: PlacedBox) -> str:
    return f"^FO{item.x},{item.y}^GB{item.width},{item.height},{item.thickness}^FS"


def _field(item: Placed, data: str | None = None, size: int | None = None) -> str:
    """One field; ``data`` None leaves it open for a ``^FN`` (the caller adds it)."""
    if isinstance(item, PlacedText):
        if item.lines and data is None:
            rows = len(item.lines)
            return "".join(
                _text_origin(item, item.size, line, rows) + field_data(text) + "^FS"
                for line, text in enumerate(item.lines)
            )
        head = _text_origin(item, size or item.size)
        return head + (field_data(data if data is not None else item.text) + "^FS")
    if isinstance(item, PlacedBarcode):
        return (
            _barcode_origin(item) + field_data(data if data is not None else item.code.data) + "^FS"
        )
    if isinstance(item, PlacedQr):
        return _qr_origin(item) + qr_data(item.data, item.source.level) + "^FS"
    return _box(item)


def render_label(template: Template, label: LabelData, copies: int = 1) -> bytes:
    """One complete label (``^XA``...``^XZ``), printed ``copies`` times: what
    :func:`printers.layout.place` places, with the work that repeats between labels done once
    per template (see :class:`_Plan`)."""
    plan = _plan(template)
    parts = [step if isinstance(step, str) else step(label) for step in plan.steps]
    quantity = f"^PQ{copies}" if copies > 1 else ""
    return f"^XA{plan.header}{''.join(parts)}{quantity}^XZ\n".encode()


# Plans of the templates used lately, by identity: a batch renders with one template object,
# and hashing a whole template for every label would cost more than the cache saves.
_PLANS: dict[int, tuple[Template, _Plan]] = {}
_MAX_PLANS = 32
# Distinct values remembered per field: a batch's facility names and dates, not its UIDs.
_MAX_MEMO = 4096


def _plan(template: Template) -> _Plan:
    known = _PLANS.get(id(template))
    if known is not None and known[0] is template:
        return known[1]
    if len(_PLANS) >= _MAX_PLANS:
        _PLANS.clear()
    plan = _Plan(template)
    _PLANS[id(template)] = (template, plan)
    return plan


class _Plan:
    """Each element's ZPL, or how to make it from a label: elements with no fields are placed
    once, a text's fitted field once per distinct text (a facility's name on every label of
    a batch), and a barcode's origin and width once per shape of data (which characters are
    digits: all that a Zebra's own encoding depends on)."""

    def __init__(self, template: Template) -> None:
        self.header = _header(template)
        self.steps: list[str | Callable[[LabelData], str]] = []
        for element in template.elements:
            if isinstance(element, BoxElement) or (
                isinstance(element, TextElement) and not element.fields
            ):
                self.steps.append(_field(_placed(template, element, _EMPTY)))
            elif isinstance(element, TextElement):
                self.steps.append(_TextStep(template, element))
            elif isinstance(element, QrElement):
                self.steps.append(_QrStep(element))
            elif template.rules.printer_encodes:
                self.steps.append(_BarcodeStep(template, element))
            else:
                self.steps.append(partial(_placed_field, template, element))


_EMPTY = LabelData("", "", "", "")


def _placed(template: Template, element: Element, label: LabelData) -> Placed:
    # The element alone in a template of its own: place() places each element by itself.
    return place(replace(template, elements=(element,)), label)[0]


def _placed_field(template: Template, element: Element, label: LabelData) -> str:
    return _field(_placed(template, element, label))


class _TextStep:
    def __init__(self, template: Template, element: TextElement) -> None:
        self.template = template
        self.element = element
        self.names = tuple(element.fields)
        # "{uid}" alone needs no formatting.
        self.alone = self.names[0] if element.text == "{" + self.names[0] + "}" else None
        # The field's values as they come, the memo's key: a repeated facility name or date
        # costs one lookup.
        self.values = attrgetter(*self.names)
        self.memo: dict[object, str] = {}
        # Text this short in printable ASCII fits at the full size whatever its letters: a
        # UID's field is made without measuring or remembering it.
        self.short = surely_fitting_length(element.width, element.size)
        empty = PlacedText.fitted(element, "", ("",), element.size, True)
        self.head = _text_origin(empty, element.size)

    def __call__(self, label: LabelData) -> str:
        key = self.values(label)
        found = self.memo.get(key)
        if found is not None:
            return found
        if self.alone is not None:
            text = _one_line(getattr(label, self.alone))
        else:
            values = {name: _one_line(getattr(label, name)) for name in self.names}
            text = self.element.text.format(**values)
        if len(text) <= self.short and text.isascii() and text.isprintable():
            found = self.head + field_data(text) + "^FS"
        else:
            found = _text_field(self.template, self.element, text)
        if len(self.memo) >= _MAX_MEMO:
            self.memo.clear()
        self.memo[key] = found
        return found


class _QrStep:
    def __init__(self, element: QrElement) -> None:
        self.element = element
        self.head = _qr_origin(placed_qr(element, "-"))

    def __call__(self, label: LabelData) -> str:
        data = getattr(label, self.element.field)
        placed_qr(self.element, data)  # refuses empty or unfit data
        return self.head + qr_data(data, self.element.level) + "^FS"


class _BarcodeStep:
    def __init__(self, template: Template, element: BarcodeElement) -> None:
        self.template = template
        self.element = element
        self.memo: dict[str, str] = {}

    def __call__(self, label: LabelData) -> str:
        data = _one_line(getattr(label, self.element.field))
        shape = data.translate(SHAPE)
        head = self.memo.get(shape)
        if head is None:
            try:
                # Placed with the shape as its data: a Zebra draws both to one width.
                placed = _placed(
                    self.template, self.element, replace(_EMPTY, **{self.element.field: shape})
                )
            except PrinterError:
                # Data outside ASCII, or too wide: the error, naming the data itself.
                return _placed_field(self.template, self.element, label)
            assert isinstance(placed, PlacedBarcode)
            if len(self.memo) >= _MAX_MEMO:
                self.memo.clear()
            head = self.memo[shape] = _barcode_origin(placed)
        return head + field_data(data) + "^FS"


@dataclass(frozen=True)
class StoredBatch:
    """A batch as a stored format plus one recall per label (made when first asked for:
    a batch sent as serialized runs needs only a few of them)."""

    format: bytes
    name: str
    head: str
    """What every recall starts with (``^XA^XF...^FS``)."""
    tail: str
    columns: list[list[str]] = field(repr=False)
    """The recall fields (``^FNn^FD...^FS``), a list a field with one per label."""
    count: int
    copies: int = 1
    layout: str = field(default="", repr=False)
    """The stored format's commands (without ``^DF``), its fields that vary as ``^FNn^FS``."""

    @cached_property
    def recalls(self) -> list[bytes]:
        head, tail = self.head, self.tail
        made = []
        for data in zip(*self.columns, strict=True) if self.columns else [()] * self.count:
            fields = "".join(data)
            encoding = "" if fields.isascii() else "^CI28"
            made.append(f"{head}{encoding}{fields}{tail}".encode())
        return made

    def recall(self, at: int) -> bytes:
        """Label ``at``'s recall (without making every other one)."""
        if "recalls" in self.__dict__:
            return self.recalls[at]
        fields = "".join(column[at] for column in self.columns)
        encoding = "" if fields.isascii() else "^CI28"
        return f"{self.head}{encoding}{fields}{self.tail}".encode()

    def serialized(self, start: int, end: int) -> tuple[bytes, list[int]]:
        """Labels ``start`` to ``end`` (exclusive) as formats that each print a run of labels
        the printer serializes itself (``^SF`` and ``^PQ``: see ``printers.render.serial``),
        and the number of labels each prints. A label that starts no run keeps its recall.

        A run goes as the whole format, its data in place, rather than as a recall: ``^SF``
        after ``^FD`` in a format is how the ZPL guide shows serialization; [I] whether a
        recall's ``^FN`` field carries an ``^SF`` into the stored format is not documented,
        and a printer that dropped it would print one code on every label of the run."""
        out, sizes = [], []
        at = start
        while at < end:
            steps, last = _run(self, at, end)
            if last == at:
                out.append(self.recall(at))
            else:
                body = self.layout
                for column, step in zip(self.columns, steps, strict=True):
                    parts = _PLAIN.fullmatch(column[at])
                    assert parts is not None, "_run takes plain fields only"
                    number, data = parts.groups()
                    serial = "" if step is None else step.command
                    body = body.replace(f"^FN{number}^FS", f"^FD{data}{serial}^FS")
                out.append(f"^XA{body}^PQ{last - at + 1}^XZ\n".encode())
            sizes.append(last - at + 1)
            at = last + 1
        return b"".join(out), sizes


# A recall field the printer can serialize: plain field data (nothing escaped with ^FH).
_PLAIN = re.compile(r"\^FN(\d+)\^FD([^^~_]*)\^FS")


def _run(batch: StoredBatch, first: int, end: int) -> tuple[list[Step | None], int]:
    """The longest run from label ``first`` (before ``end``) in which every recall field
    either stays the same or steps by one constant ``^SF``: those steps (None: the same)
    and the run's last label. The first two labels give the steps; every later one is
    checked against what the printer would make of the first, a field at a time down the
    run (about a microsecond a field, so serializing keeps up with generating)."""
    columns = batch.columns
    if batch.copies != 1 or first + 1 >= end or not columns:
        return [], first
    steps: list[Step | None] = []
    last = end - 1
    for column in columns:
        field_one, field_two = column[first], column[first + 1]
        plain = _PLAIN.fullmatch(field_one)
        if plain is None:
            return [], first
        if field_two == field_one:
            steps.append(None)
            last = _same_until(column, first, last)
            continue
        value = plain.group(2)
        lead = field_one[: plain.start(2)]
        after = field_two[len(lead) : -3] if field_two.startswith(lead) else ""
        step = step_between(value, after) if field_two.endswith("^FS") else None
        if step is None:
            return [], first
        steps.append(step)
        last = _counted_until(column, first, last, lead, value, step)
    if not all("".join(column[first : last + 1]).isascii() for column in columns):
        # ^CI28 (UTF-8) on some labels: a run keeps to labels that all need it or none do.
        ascii_first = _ascii(columns, first)
        changes = (at for at in range(first + 1, last + 1) if _ascii(columns, at) != ascii_first)
        last = next(changes, last + 1) - 1
    return (steps, last) if last > first else ([], first)


def _ascii(columns: list[list[str]], at: int) -> bool:
    return all(column[at].isascii() for column in columns)


def _same_until(column: list[str], first: int, last: int) -> int:
    """The last label up to ``last`` from ``first`` on with the same field as ``first``."""
    expected = column[first]
    for at in range(first + 1, last + 1):
        if column[at] != expected:
            return at - 1
    return last


def _counted_until(
    column: list[str], first: int, last: int, lead: str, value: str, step: Step
) -> int:
    """The last label up to ``last`` whose field is ``lead + value`` (label ``first``'s)
    after as many labels of ``step`` as it is from ``first`` (the sum fitting the mask, as
    :func:`printers.render.serial.advance` requires)."""
    width, base = len(step.mask), step.base
    decimal = base == 10
    increment = int(step.increment, base)
    expected = int(value[-width:], base) + increment
    fixed = lead + value[:-width]
    size = len(fixed) + width + 3
    for at in range(first + 1, last + 1):
        field = column[at]
        tail = field[-3 - width : -3]
        if not (
            len(field) == size
            and field.startswith(fixed)
            and field.endswith("^FS")
            and tail.isascii()
            and (
                tail.isdigit() if decimal else tail.isalnum() and (tail.isupper() or tail.isdigit())
            )
            and int(tail, base) == expected
        ):
            return at - 1
        expected += increment
    return last


def render_batch(template: Template, labels: Sequence[LabelData], copies: int = 1) -> StoredBatch:
    """The ``^DF`` format (fields equal on every label baked in) and one ``^XF`` per label.

    Built column by column: a field's value for every label is computed once, and only the
    fields that differ go into the recalls. A UID label's recall is about 60 bytes.
    """
    if not labels:
        raise PrinterError("no labels to render")
    first = place(template, labels[0])
    varying = {
        name
        for name in template.fields
        if any(map(getattr(labels[0], name).__ne__, map(attrgetter(name), labels)))
    }
    parts: list[str] = []
    columns: dict[tuple[str], list[str]] = {}
    numbers: dict[tuple[str, ...], int] = {}
    recall_columns: list[list[str]] = []
    for element, placed in zip(template.elements, first, strict=True):
        names = (
            [element.field]
            if isinstance(element, BarcodeElement | QrElement)
            else ([] if isinstance(element, BoxElement) else element.fields)
        )
        if not varying.intersection(names):
            parts.append(_field(placed))  # the same on every label: baked into the format
            continue
        assert not isinstance(element, BoxElement)
        if isinstance(element, QrElement):
            assert isinstance(placed, PlacedQr)
            # A stored format's QR field takes its switches from the recall's data.
            number = len(numbers) + 1
            numbers[(f"qr {number}",)] = number
            parts.append(_qr_origin(placed) + f"^FN{number}^FS")
            recall_columns.append(_qr_column(element, number, labels))
            continue
        source = (element.field,) if isinstance(element, BarcodeElement) else (element.text,)
        if source not in columns:
            columns[source] = _column(element, labels)
        column = columns[source]
        if column.count(column[0]) == len(column):
            parts.append(_field(placed))  # the same on every label: baked into the format
            continue
        fitted = _fit_column(template, placed, column) if isinstance(placed, PlacedText) else None
        if isinstance(element, TextElement) and fitted is None:
            # Wrapped on some label: each label's lines go whole into its own recall.
            recall_columns.append([_text_field(template, element, text) for text in column])
            continue
        key = tuple(column)
        known = key in numbers
        number = numbers.setdefault(key, len(numbers) + 1)
        if isinstance(placed, PlacedText):
            assert fitted is not None
            size, column = fitted
            parts.append(_text_origin(placed, size) + f"^FN{number}^FS")
        else:
            assert isinstance(placed, PlacedBarcode)
            module, x = _barcode_column(template, placed, column)
            parts.append(_barcode_origin(placed, module, x) + f"^FN{number}^FS")
        if not known:
            # One ^FN fills every field that carries the same value (a UID's bars and text).
            recall_columns.append([f"^FN{number}{field_data(value)}^FS" for value in column])
    body = "".join(parts)
    short = "TS" + hashlib.sha1(body.encode()).hexdigest()[:4].upper()
    name = f"R:{short}.ZPL"
    stored = f"^XA^DF{name}^FS{_header(template)}{body}^XZ\n".encode()
    # [V] ^XF's extension is always .ZPL: the name without it recalls the same format in 4
    # bytes less on every label. (The device could go too, but the independent renderer
    # insists on one.)
    head = f"^XA^XFR:{short}^FS"
    tail = (f"^PQ{copies}" if copies > 1 else "") + "^XZ\n"
    layout = f"{_header(template)}{body}"
    return StoredBatch(stored, name, head, tail, recall_columns, len(labels), copies, layout)


def _column(element: TextElement | BarcodeElement, labels: Sequence[LabelData]) -> list[str]:
    """The element's text (before fitting) or barcode data for every label."""
    if isinstance(element, BarcodeElement):
        return [getattr(label, element.field) for label in labels]
    names = element.fields
    if element.text == "{" + (names[0] if names else "") + "}":
        return [_one_line(getattr(label, names[0])) for label in labels]
    return [
        element.text.format(**{n: _one_line(getattr(label, n)) for n in names}) for label in labels
    ]


def _one_line(value: str) -> str:
    # UIDs and most values are one word already; only the rest pay for the split.
    return value if value.isalnum() else " ".join(value.split())


def _fit_column(
    template: Template, placed: PlacedText, column: list[str]
) -> tuple[int, list[str]] | None:
    """One font size for the whole batch (the smallest any label needs) and the texts at it;
    None when a label's text wraps (its lines cannot share one field)."""
    size = placed.source.size
    widest = widest_bound(column)
    if widest(size) <= placed.width:
        return size, column
    # The cheap bound at smaller sizes first: a column of unit numbers all fits one size
    # down without measuring each (fit_text would shrink them the same way).
    for smaller in range(size - 1, smallest_size(size) - 1, -1):
        if widest(smaller) <= placed.width:
            return smaller, column
    fitted = [fitted_field(template, placed.source, text) for text in column]
    if any(len(lines) > 1 for lines, _ in fitted):
        return None
    size = min(each for _, each in fitted)
    return size, [fit_text(text, placed.width, size, "truncate")[0] for text in column]


def _text_field(template: Template, element: TextElement, text: str) -> str:
    """The field(s) of one text as the layout fits it: one line, or one field a line."""
    lines, size = fitted_field(template, element, text)
    return _field(PlacedText.fitted(element, text, lines, size, True))


def _barcode_column(
    template: Template, placed: PlacedBarcode, column: list[str]
) -> tuple[int, int]:
    """The module width and origin that fit every label's symbol (the narrowest needed)."""
    # Data of one shape draws to one width: a batch of UIDs has a shape or two.
    widest = max(printer_modules(shape) for shape in {data.translate(SHAPE) for data in column})
    element = placed.source
    room = barcode_room(template, element)
    module = fitting_module(element, widest, room)
    if room is not None and (widest + 2 * QUIET_MODULES) * module > room:
        raise PrinterError(f"a barcode in this batch does not fit the {template.name} label")
    x = (template.width - widest * module) // 2 if element.align == "center" else element.x
    return module, x
