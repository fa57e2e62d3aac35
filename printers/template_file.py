"""What a template file may say, declared once: its settings, each element kind's settings,
their types, defaults and choices (msgspec checks a TOML table against it).

:mod:`printers.template` turns what passes into a :class:`~printers.template.Template`
(lengths into dots) and checks what a schema cannot say: fields that exist, elements
inside the label, barcodes that fit. msgspec's own messages are put into the station's
wording here (``element 2: missing 'text'``), so a template's author reads one style.
"""

from __future__ import annotations

import re
from typing import Any, Literal, get_args, get_type_hints

import msgspec

from printers.errors import TemplateError
from printers.template import LENGTH_EXPECTED

# A length: dots, or a string with its unit ("12mm", "0.5in"); converted by to_dots.
Length = int | float | str


class _Kind(msgspec.Struct, forbid_unknown_fields=True, tag_field="kind"):
    """An element; ``kind`` says which."""


class TextSpec(_Kind, tag="text"):
    x: Length
    y: Length
    width: Length
    height: Length
    text: str
    # The font's height; the box's height by default.
    size: Length | None = None
    align: Literal["left", "center", "right"] = "left"
    fit: Literal["shrink", "truncate", "full"] = "shrink"


class BarcodeSpec(_Kind, tag="barcode"):
    y: Length
    height: Length
    x: Length = 0
    module: Length = 2
    field: str = "uid"
    align: Literal["left", "center"] = "left"
    mode: Literal["native", "image"] = "native"
    rotate: Literal[0, 90] = 0


class QrSpec(_Kind, tag="qr"):
    x: Length
    y: Length
    module: Length = 3
    field: str = "retail_id"
    # M first: the default, and what the station's QR codes use.
    level: Literal["M", "L", "Q", "H"] = "M"


class BoxSpec(_Kind, tag="box"):
    x: Length
    y: Length
    width: Length
    height: Length
    # 2 dots for a box; a line's thickness is its height by default.
    thickness: Length | None = None


class LineSpec(BoxSpec, tag="line"):
    pass


ElementSpec = TextSpec | BarcodeSpec | QrSpec | BoxSpec | LineSpec
KINDS = ("text", "barcode", "qr", "line", "box")


class SheetSpec(msgspec.Struct, forbid_unknown_fields=True):
    page_width: Length
    page_height: Length
    columns: Length
    rows: Length
    left: Length
    top: Length
    pitch_x: Length
    pitch_y: Length


class TemplateSpec(msgspec.Struct, forbid_unknown_fields=True):
    width: Length
    height: Length
    # Checked by range after the schema, for its own message.
    dpi: Any = None
    description: str = ""
    driver: str = "zpl"
    version: str | int | float = "1"
    escpos_profile: str | None = None
    sheet: SheetSpec | None = None
    tag_type: str | None = None
    element: list[ElementSpec] = msgspec.field(default_factory=list)


def read(raw: dict[str, Any]) -> TemplateSpec:
    """``raw`` (a parsed TOML table) checked against the schema."""
    try:
        return msgspec.convert(raw, TemplateSpec)
    except msgspec.ValidationError as exc:
        raise TemplateError(_worded(str(exc), raw)) from None


_AT = re.compile(r"^(?P<what>.*?)(?: - at `\$(?P<path>[^`]*)`)?$")
_STEP = re.compile(r"\.(\w+)|\[(\d+)\]")


def _worded(message: str, raw: dict[str, Any]) -> str:
    """msgspec's ``Object missing required field `text` - at `$.element[0]``` as the
    station says it: ``element 1: missing 'text'``."""
    match = _AT.match(message)
    what, path = (match["what"], match["path"] or "") if match else (message, "")
    steps = [name or int(index) for name, index in _STEP.findall(path)]
    # Where: the template, an element (numbered from 1 as the file reads) or the sheet.
    where, spec = "template", raw
    if steps[:1] == ["element"] and len(steps) >= 2 and isinstance(steps[1], int):
        where, rest = f"element {steps[1] + 1}", steps[2:]
        spec = _item(raw.get("element"), steps[1])
    elif steps[:1] == ["sheet"]:
        where, rest, spec = "[sheet]", steps[1:], _item(raw, "sheet")
    else:
        rest = steps
    key = str(rest[0]) if rest else None
    if found := re.match(r"Object contains unknown field `(.*)`$", what):
        return f"{where}: unknown setting {found[1]!r}"
    if found := re.match(r"Object missing required field `(.*)`$", what):
        return f"{where}: missing {found[1]!r}"
    if key == "kind":
        kinds = ", ".join(KINDS[:-1]) + f" or {KINDS[-1]}"
        return f"{where}: kind must be {kinds}, not {spec.get('kind')!r}"
    if what.startswith("Invalid enum value") and key is not None:
        choices = ", ".join(str(value) for value in _choices(spec.get("kind"), key))
        return f"{where}: {key} must be one of {choices}, not {spec.get(key)!r}"
    if what.startswith("Expected `object"):
        return f"{where}: expected a table" if key is None else f"{where}: {key} must be a table"
    if what.startswith("Expected `int | float | str`") and key is not None:
        return f"{where}: {key}: {LENGTH_EXPECTED}, not {spec.get(key)!r}"
    detail = what[0].lower() + what[1:] if what else "not understood"
    return f"{where}: {key}: {detail}" if key else f"{where}: {detail}"


def _item(container: Any, index: int | str) -> dict[str, Any]:
    try:
        found = container[index]
    except (IndexError, KeyError, TypeError):
        return {}
    return found if isinstance(found, dict) else {}


def _choices(kind: Any, key: str) -> tuple[object, ...]:
    """The values a choice setting takes, read from the schema's ``Literal``."""
    specs = {spec.__struct_config__.tag: spec for spec in get_args(ElementSpec)}
    spec = specs.get(kind)
    hint = get_type_hints(spec).get(key) if spec is not None else None
    return get_args(hint) if hint is not None else ()
