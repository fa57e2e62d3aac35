"""Label templates: one label size at one dpi, with text, Code 128 barcode, QR code and line
elements.

Templates are TOML files (see ``templates/``). Positions and sizes are dots, or strings with
a unit: ``"12mm"``, ``"0.5in"``. Text is a format string over the label fields, e.g.
``"Lic. {license_number}"``.
"""

from __future__ import annotations

import re
import string
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from printers.code128 import Code128
from printers.errors import TemplateError
from printers.label import FIELDS, TAG_TYPES

if TYPE_CHECKING:
    from printers.template_file import ElementSpec, SheetSpec

# Quiet zone on each side of a Code 128 symbol, in modules (ISO/IEC 15417).
QUIET_MODULES = 10
# Real-looking UIDs whose Code 128 encodings run from short to long; a template's barcode
# must fit the longest (1A406030000B0A1000519200 needs 233 modules).
REFERENCE_UIDS = (
    "1A4060300032964000221615",
    "ABCDEF012345670000010001",
    "1A406030000B0A1000519200",
)
# What an operator badge's barcode carries: 20 digits (station.domain.pins).
REFERENCE_BADGES = ("00000000000000000000",)
# What a length looks like, in the refusal of one that does not (to_dots, template_file).
LENGTH_EXPECTED = "expected a length such as 40, '5mm' or '0.25in'"
_LENGTH = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(mm|in|dots?)?\s*$")


def to_dots(value: object, dpi: int, what: str) -> int:
    """A length in dots from a number (dots) or a string with ``mm``, ``in`` or ``dots``."""
    if isinstance(value, bool):
        raise TemplateError(f"{what}: expected a length, not {value!r}")
    if isinstance(value, int | float):
        return round(value)
    if isinstance(value, str):
        match = _LENGTH.match(value)
        if match:
            number, unit = float(match.group(1)), match.group(2) or "dots"
            if unit == "mm":
                return round(number * dpi / 25.4)
            if unit == "in":
                return round(number * dpi)
            return round(number)
    raise TemplateError(f"{what}: {LENGTH_EXPECTED}, not {value!r}")


# How a text too long for its box is made to fit: smaller, down to a floor, then cut with
# "…" ("shrink"); cut at once ("truncate"); or, for traceability data that must print in
# full, smaller down to the floor and otherwise refused, never cut ("full").
FITS = ("shrink", "truncate", "full")


@dataclass(frozen=True)
class TextElement:
    x: int
    y: int
    width: int
    height: int
    text: str
    size: int
    align: str = "left"
    fit: str = "shrink"

    @property
    def fields(self) -> list[str]:
        return [name for _, name, _, _ in string.Formatter().parse(self.text) if name is not None]


@dataclass(frozen=True)
class BarcodeElement:
    x: int
    y: int
    height: int
    module: int
    field: str = "uid"
    align: str = "left"
    # ESC/POS only: "native" (the printer draws it, GS k) or "image" (a raster we draw).
    mode: str = "native"
    # 90 turns the barcode along the paper ("ladder"), for paper narrower than the symbol.
    rotate: int = 0


@dataclass(frozen=True)
class BoxElement:
    x: int
    y: int
    width: int
    height: int
    thickness: int


@dataclass(frozen=True)
class QrElement:
    """A QR code drawn by the printer (ZPL ``^BQ``, ESC/POS ``GS ( k``), its top left at
    ``x``, ``y``, ``module`` dots a module. ESC/POS prints it centred, in its turn."""

    x: int
    y: int
    module: int
    field: str = "retail_id"
    level: str = "M"


Element = TextElement | BarcodeElement | BoxElement | QrElement


@dataclass(frozen=True)
class BarcodeRules:
    """How the printer language a template is for draws barcodes (its driver's rules)."""

    # The language's name in messages.
    language: str = ""
    # The printer encodes the data itself (Zebra ^BC, mode A), so its symbol can differ in
    # width from python-barcode's.
    printer_encodes: bool = False
    # A barcode turned 90 degrees runs along the paper ("ladder"), as long as it needs.
    ladder: bool = False
    # The module widths in dots the printer's own barcode command can draw.
    native_modules: tuple[int, int] | None = None
    # The dots per QR module the printer's own QR command takes.
    qr_modules: tuple[int, int] = (1, 100)

    def modules(self, code: Code128, element: BarcodeElement) -> int:
        """Width in modules of the symbol that will be printed for ``code``."""
        if self.printer_encodes:
            return code.printer_modules
        if self.native_modules and element.mode == "native":
            return code.escpos_modules  # the printer draws the payload sent to it
        return code.modules


@dataclass(frozen=True)
class Sheet:
    """Labels laid out on office paper (PDF): columns x rows at a pitch, from a margin."""

    page_width: int
    page_height: int
    columns: int
    rows: int
    left: int
    top: int
    pitch_x: int
    pitch_y: int


@dataclass(frozen=True)
class Template:
    name: str
    description: str
    driver: str
    dpi: int
    width: int
    height: int
    elements: tuple[Element, ...]
    version: str
    path: Path | None = None
    escpos_profile: str | None = None
    sheet: Sheet | None = None
    warnings: tuple[str, ...] = field(default=())
    rules: BarcodeRules = field(default=BarcodeRules())
    # The tag type its labels are for ("plant" or "package"); None: either.
    tag_type: str | None = None

    @property
    def fields(self) -> set[str]:
        names: set[str] = set()
        for element in self.elements:
            if isinstance(element, TextElement):
                names.update(element.fields)
            elif isinstance(element, BarcodeElement | QrElement):
                names.add(element.field)
        return names

    @property
    def unit_labels(self) -> bool:
        """Whether its labels are Retail ID unit labels (it has a QR code)."""
        return any(isinstance(element, QrElement) for element in self.elements)


def load(path: Path) -> Template:
    """Read and validate one template file; raises :class:`TemplateError` naming the file."""
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise TemplateError(f"cannot read template {path}: {exc.strerror}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise TemplateError(f"template {path.name}: not valid TOML ({exc})") from None
    try:
        return parse(raw, path.stem, path)
    except TemplateError as exc:
        raise TemplateError(f"template {path.name}: {exc}") from None


def parse(raw: dict[str, Any], name: str, path: Path | None = None) -> Template:
    # Loaded here, not at import: only printing and template commands read templates.
    from printers import template_file

    spec = template_file.read(raw)
    if spec.tag_type not in (None, *TAG_TYPES):
        raise TemplateError(f"tag_type must be {' or '.join(TAG_TYPES)}, not {spec.tag_type!r}")
    # The drivers import this module; it needs them only here, for a template's rules.
    from printers import drivers

    if spec.driver not in drivers.NAMES:
        raise TemplateError(f"driver {spec.driver!r} is not one of {', '.join(drivers.NAMES)}")
    dpi = spec.dpi
    if not isinstance(dpi, int) or isinstance(dpi, bool) or not 100 <= dpi <= 600:
        raise TemplateError(f"dpi must be a whole number from 100 to 600, not {dpi!r}")
    width = to_dots(spec.width, dpi, "width")
    height = to_dots(spec.height, dpi, "height")
    if width < 1 or height < 1:
        raise TemplateError("width and height must be more than 0")
    elements = tuple(_element(item, index, dpi) for index, item in enumerate(spec.element, start=1))
    if not elements:
        raise TemplateError("no [[element]] entries")
    template = Template(
        name=name,
        description=spec.description,
        driver=spec.driver,
        dpi=dpi,
        width=width,
        height=height,
        elements=elements,
        version=str(spec.version),
        path=path,
        escpos_profile=spec.escpos_profile,
        sheet=_sheet(spec.sheet, dpi) if spec.sheet is not None else None,
        rules=drivers.get(spec.driver).barcode_rules,
        tag_type=spec.tag_type,
    )
    warnings = validate(template)
    return Template(**{**template.__dict__, "warnings": tuple(warnings)})


def validate(template: Template) -> list[str]:
    """Refuse unknown fields, elements outside the label and barcodes that cannot fit; return
    warnings for what prints but may not scan well."""
    warnings: list[str] = []
    for index, element in enumerate(template.elements, start=1):
        where = f"element {index} ({type(element).__name__.removesuffix('Element').lower()})"
        if isinstance(element, TextElement):
            for name in element.fields:
                if name not in FIELDS:
                    raise TemplateError(f"{where}: unknown field {name!r}")
            _inside(template, element.x, element.y, element.width, element.height, where)
        elif isinstance(element, BarcodeElement):
            if element.field not in FIELDS:
                raise TemplateError(f"{where}: unknown field {element.field!r}")
            warnings.extend(_check_barcode(template, element, where))
        elif isinstance(element, QrElement):
            _check_qr(template, element, where)
        else:
            _inside(template, element.x, element.y, element.width, element.height, where)
    return warnings


def barcode_extent(element: BarcodeElement, modules: int) -> int:
    """Dots the symbol needs along its bars' direction, quiet zones included."""
    return (modules + 2 * QUIET_MODULES) * element.module


def barcode_room(template: Template, element: BarcodeElement) -> int | None:
    """Dots the barcode and its quiet zones must fit in; None for an ESC/POS barcode running
    along the paper ("ladder"), which is as long as it needs."""
    if template.rules.ladder and element.rotate == 90:
        return None
    across = template.height if element.rotate == 90 else template.width
    if element.align == "center":
        return across
    return across - (element.y if element.rotate == 90 else element.x)


def fitting_module(element: BarcodeElement, modules: int, room: int | None) -> int:
    """The template's module width, narrowed a dot at a time (to 1 at least) until a symbol
    of ``modules`` and its quiet zones fit ``room``."""
    module = element.module
    while room is not None and module > 1 and (modules + 2 * QUIET_MODULES) * module > room:
        module -= 1
    return module


def _check_barcode(template: Template, element: BarcodeElement, where: str) -> list[str]:
    samples, what = (
        (REFERENCE_BADGES, "a badge") if element.field == "badge" else (REFERENCE_UIDS, "a UID")
    )
    modules = max(template.rules.modules(Code128(data), element) for data in samples)
    needed = barcode_extent(element, modules)
    room = barcode_room(template, element)
    if room is not None and needed > room:
        mils = element.module * 1000 / template.dpi
        raise TemplateError(
            f"{where}: {what} barcode needs {needed} dots ({modules} modules + quiet zones at "
            f"{element.module} dots = {mils:.1f} mil) but the label has {room}"
        )
    if element.rotate == 0:
        _inside(
            template,
            element.x if element.align != "center" else 0,
            element.y,
            0,
            element.height,
            where,
        )
    warnings = []
    mils = element.module * 1000 / template.dpi
    if mils < 6:
        warnings.append(
            f"{where}: {element.module}-dot modules are {mils:.1f} mil at {template.dpi} dpi; "
            "many handheld scanners need 6 mil or more"
        )
    native = template.rules.native_modules
    if native and element.mode == "native" and not native[0] <= element.module <= native[1]:
        raise TemplateError(
            f"{where}: {template.rules.language} printers draw modules of {native[0]} to "
            f"{native[1]} dots only"
        )
    return warnings


def _check_qr(template: Template, element: QrElement, where: str) -> None:
    """Refuse a QR code under the smallest module, beyond what the printer's command takes,
    or that would not fit the label with its quiet zone at the longest Retail ID."""
    from printers import qr

    if element.field not in FIELDS:
        raise TemplateError(f"{where}: unknown field {element.field!r}")
    size = qr.module_mm(element.module, template.dpi)
    if size < qr.MIN_MODULE_MM:
        raise TemplateError(
            f"{where}: {element.module}-dot modules are {size:.3f} mm at {template.dpi} dpi; "
            f"a Retail ID QR needs at least {qr.MIN_MODULE_MM} mm"
        )
    low, high = template.rules.qr_modules
    if not low <= element.module <= high:
        raise TemplateError(
            f"{where}: {template.rules.language or template.driver} printers draw QR modules "
            f"of {low} to {high} dots"
        )
    sides = max(qr.modules(url, element.level) for url in qr.REFERENCE_URLS)
    quiet = qr.QUIET_MODULES * element.module
    extent = sides * element.module
    if (
        element.x < quiet
        or element.y < quiet
        or element.x + extent + quiet > template.width
        or element.y + extent + quiet > template.height
    ):
        raise TemplateError(
            f"{where}: the QR code needs {extent} dots square ({sides} modules at "
            f"{element.module} dots, error correction {element.level}) and {quiet} dots of "
            f"quiet zone on every side; at {element.x},{element.y} it does not fit the "
            f"{template.width}x{template.height}-dot label"
        )


def _inside(template: Template, x: int, y: int, width: int, height: int, where: str) -> None:
    if x < 0 or y < 0 or x + width > template.width or y + height > template.height:
        raise TemplateError(
            f"{where}: outside the label ({x},{y} to {x + width},{y + height} on a "
            f"{template.width}x{template.height}-dot label)"
        )


def _element(spec: ElementSpec, index: int, dpi: int) -> Element:
    """One element in dots, from what the schema let through."""
    from printers import template_file as file

    kind = spec.__struct_config__.tag
    where = f"element {index}"

    def length(key: str, value: object) -> int:
        dots = to_dots(value, dpi, f"{where} ({kind}) {key}")
        # Positions start at 0; every size is at least one dot.
        if dots < (0 if key in ("x", "y") else 1):
            raise TemplateError(f"{where} ({kind}): {key} must not be {value!r}")
        return dots

    if isinstance(spec, file.TextSpec):
        height = length("height", spec.height)
        _check_format(spec.text, where)
        return TextElement(
            x=length("x", spec.x),
            y=length("y", spec.y),
            width=length("width", spec.width),
            height=height,
            text=spec.text,
            size=height if spec.size is None else length("size", spec.size),
            align=spec.align,
            fit=spec.fit,
        )
    if isinstance(spec, file.BarcodeSpec):
        return BarcodeElement(
            x=length("x", spec.x),
            y=length("y", spec.y),
            height=length("height", spec.height),
            module=length("module", spec.module),
            field=spec.field,
            align=spec.align,
            mode=spec.mode,
            rotate=spec.rotate,
        )
    if isinstance(spec, file.QrSpec):
        return QrElement(
            x=length("x", spec.x),
            y=length("y", spec.y),
            module=length("module", spec.module),
            field=spec.field,
            level=spec.level,
        )
    height = length("height", spec.height)
    default = height if isinstance(spec, file.LineSpec) else 2
    return BoxElement(
        x=length("x", spec.x),
        y=length("y", spec.y),
        width=length("width", spec.width),
        height=height,
        thickness=default if spec.thickness is None else length("thickness", spec.thickness),
    )


def _sheet(spec: SheetSpec, dpi: int) -> Sheet:
    values = {
        key: to_dots(getattr(spec, key), dpi, f"[sheet] {key}") for key in spec.__struct_fields__
    }
    return Sheet(**values)


def _check_format(text: str, where: str) -> None:
    """Refuse a text whose format cannot be filled (``{uid:>>}``, ``{0}``, an unclosed
    brace) or that holds a line break or other control character, now, not at the first
    label."""
    if not text.isprintable():
        raise TemplateError(f"{where} (text): {text!r} holds a control character")
    sample = dict.fromkeys(FIELDS, "X")
    try:
        text.format(**sample)
    except KeyError as exc:
        raise TemplateError(f"{where} (text): unknown field {exc.args[0]!r}") from None
    except (ValueError, IndexError) as exc:
        raise TemplateError(f"{where} (text): {text!r} is not a usable text ({exc})") from None
