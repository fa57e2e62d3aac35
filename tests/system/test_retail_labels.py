"""Retail ID unit labels: every bundled QR template rendered to PNG and to ZPL (drawn by the
independent renderer) decodes with zxing-cpp to exactly its URL; ESC/POS ``GS ( k`` bytes
are read back and checked; the template check refuses a QR too small or that cannot fit."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
import zxingcpp
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from devtools.fakes.zebra import serialized
from printers import qr
from printers.catalog import get, template_files
from printers.errors import PrinterError, TemplateError
from printers.label import LabelData
from printers.render import escpos, image, zpl
from printers.template import QrElement, parse
from station.domain import retail_id
from tests.helpers import escpos_scan, zpl_renderer

UNIT_TEMPLATES = [name for name in sorted(template_files(None)) if get(name).unit_labels]
ZPL_UNIT_TEMPLATES = [name for name in UNIT_TEMPLATES if get(name).driver == "zpl"]
TAG = "1A4060300002EE1000000001"
QR_ONLY = zxingcpp.BarcodeFormats(zxingcpp.QRCode)
# Indexes whose codes are 20, 22 and 23 characters long (a version 2 and a version 3 QR).
INDEXES = [0, 1, 127, 128, 16_384, 999_999]


def unit(index: int, tag: str = TAG, item: str = "Gummies 10pk Watermelon") -> LabelData:
    return LabelData(
        uid=tag,
        license_number="C11-0000001-LIC",
        facility_name="Green Leaf Farms",
        order_date="2026-11-20",
        type="package",
        item=item,
        retail_id=retail_id.url(tag, index),
        unit_index=str(index),
    )


def decoded(picture: Image.Image) -> list[str]:
    found = zxingcpp.read_barcodes(picture, formats=QR_ONLY)
    return [result.text for result in found]


def test_the_bundled_unit_templates() -> None:
    assert UNIT_TEMPLATES == [
        "retail-1x1-203",
        "retail-1x1-300",
        "retail-2x1-203",
        "retail-escpos-58mm",
    ]
    for name in UNIT_TEMPLATES:
        template = get(name)
        assert template.warnings == ()
        [code] = [e for e in template.elements if isinstance(e, QrElement)]
        assert code.level == "M"
        assert qr.module_mm(code.module, template.dpi) >= 0.375
        assert {"retail_id", "unit_index", "uid", "item"} <= template.fields


@pytest.mark.parametrize("name", UNIT_TEMPLATES)
def test_png_of_every_unit_template_decodes_to_exactly_its_url(name: str) -> None:
    template = get(name)
    for index in INDEXES:
        picture = image.render_label(template, unit(index))
        assert decoded(picture) == [retail_id.url(TAG, index)]
    # Sandbox tags too (the SDK's abc... prefix).
    sandbox = "ABCDEF012345670000027190"
    assert decoded(image.render_label(template, unit(485, sandbox))) == [
        "HTTPS://1A4.COM/78OEAYDSAXRN14AQY5YWAR"
    ]


def _quiet_zone_is_blank(picture: Image.Image, name: str) -> None:
    """Four modules of white around the symbol where zxing found it."""
    template = get(name)
    [code] = [e for e in template.elements if isinstance(e, QrElement)]
    [found] = zxingcpp.read_barcodes(picture, formats=QR_ONLY)
    corners = [found.position.top_left, found.position.bottom_right]
    assert (corners[0].x, corners[0].y) == (code.x, code.y)
    quiet = 4 * code.module
    left, top = code.x - quiet, code.y - quiet
    right, bottom = corners[1].x + quiet, corners[1].y + quiet
    frame = picture.crop((left, top, right + 1, bottom + 1))
    inner = frame.crop((quiet, quiet, frame.width - quiet, frame.height - quiet))
    assert frame.histogram()[0] == inner.histogram()[0], "ink in the quiet zone"


@pytest.mark.parametrize("name", ZPL_UNIT_TEMPLATES)
def test_zpl_unit_labels_render_independently_and_decode(name: str) -> None:
    template = get(name)
    stream = b"".join(zpl.render_label(template, unit(index)) for index in INDEXES)
    # The printer draws the QR: ^BQ model 2, error correction M, switches always in ^FD.
    assert stream.count(b"^BQN,2,") == len(INDEXES)
    assert stream.count(b"^FDMM,AHTTPS://1A4.COM/") == len(INDEXES)
    pictures = zpl_renderer.render(stream, template.width, template.height, template.dpi)
    assert len(pictures) == len(INDEXES)
    for picture, index in zip(pictures, INDEXES, strict=True):
        assert decoded(picture) == [retail_id.url(TAG, index)]
        _quiet_zone_is_blank(picture, name)
        # Where the printer draws it is where the preview does (^FO's ^BY shift is undone).
        preview = image.render_label(template, unit(index))
        _quiet_zone_is_blank(preview, name)


@pytest.mark.parametrize("name", ZPL_UNIT_TEMPLATES)
def test_zpl_stored_format_recalls_carry_only_the_unit(name: str) -> None:
    template = get(name)
    labels = [unit(index) for index in range(1, 51)]
    batch = zpl.render_batch(template, labels)
    assert b"Gummies" in batch.format and b"^BQN,2," in batch.format
    for recall, label in zip(batch.recalls, labels, strict=True):
        # The URL with its switches and the unit's number; nothing of the package.
        assert (
            recall
            == (
                f"^XA^XF{batch.name.removesuffix('.ZPL')}^FS^FN1^FDMM,A{label.retail_id}^FS"
                f"^FN2^FD{label.unit_index}^FS^XZ\n"
            ).encode()
        )
    pictures = zpl_renderer.render(
        batch.format + b"".join(batch.recalls), template.width, template.height, template.dpi
    )
    assert [decoded(p) for p in pictures] == [[label.retail_id] for label in labels]


def test_escpos_unit_label_sends_native_qr_commands_that_read_back() -> None:
    template = get("retail-escpos-58mm")
    labels = [unit(index) for index in (1, 128, 999_999)]
    sent = escpos.render(template, labels)
    found = escpos_scan.scan(sent)
    assert found.rasters == []  # drawn by the printer, never a picture
    assert len(found.qr) == 3
    for symbol, label in zip(found.qr, labels, strict=True):
        assert symbol.model == 50  # model 2
        assert symbol.size == 6
        assert symbol.level == 49  # M
        assert symbol.data == label.retail_id.encode()
        assert symbol.printed
    # The four-module quiet zone is fed above and below each code.
    assert found.feeds == [24, 24] * 3
    # The exact bytes the reference pins for python-escpos (store function, length 36 + 3).
    url = retail_id.url("1A4060300020081000006609", 1)
    assert url == "HTTPS://1A4.COM/5LN8CBN1UB33DON9CHKX"
    one = escpos.render(template, [unit(1, "1A4060300020081000006609")])
    assert (
        bytes.fromhex("1d286b0400314132 00 1d286b03003143 06 1d286b03003145 31".replace(" ", ""))
        + b"\x1d(k\x27\x001P0"
        + url.encode()
        + b"\x1d(k\x03\x001Q0"
    ) in one
    # Drawn from the bytes read back, the code decodes to the URL.
    for symbol, label in zip(found.qr, labels, strict=True):
        assert symbol.data is not None
        picture = _draw(symbol.data.decode(), symbol.size or 1)
        assert decoded(picture) == [label.retail_id]


def _draw(data: str, module: int) -> Image.Image:
    cells = qr.matrix(data, "M")
    side = (len(cells) + 8) * module
    picture = Image.new("L", (side, side), 255)
    for row, line in enumerate(cells):
        for column, dark in enumerate(line):
            if dark:
                x, y = (column + 4) * module, (row + 4) * module
                picture.paste(0, (x, y, x + module, y + module))
    return picture


def test_a_unit_template_refuses_a_label_without_a_retail_id() -> None:
    tag_label = LabelData(uid=TAG, license_number="L", facility_name="F", order_date="2026-11-20")
    for name in UNIT_TEMPLATES:
        with pytest.raises(PrinterError, match="prints Retail ID unit labels"):
            image.render_label(get(name), tag_label)
    with pytest.raises(PrinterError, match="prints Retail ID unit labels"):
        zpl.render_label(get("retail-1x1-203"), tag_label)
    with pytest.raises(PrinterError, match="prints Retail ID unit labels"):
        zpl.render_batch(get("retail-1x1-203"), [unit(1), tag_label])


BASE: dict[str, Any] = {
    "driver": "zpl",
    "dpi": 203,
    "width": "1in",
    "height": "1in",
    "element": [{"kind": "qr", "x": 12, "y": 12, "module": 3}],
}


@pytest.mark.parametrize(
    ("change", "said"),
    [
        ({"module": 2}, "2-dot modules are 0.250 mm at 203 dpi; a Retail ID QR needs at least"),
        ({"module": 4}, "the QR code needs 116 dots square"),
        ({"x": 8}, "12 dots of quiet zone on every side; at 8,12"),
        ({"y": 120}, "does not fit the 203x203-dot label"),
        ({"level": "H", "x": 95}, "99 dots square (33 modules at 3 dots, error correction H)"),
        ({"level": "X"}, "level must be one of M, L, Q, H"),
        ({"field": "price"}, "unknown field 'price'"),
        ({"size": 3}, "unknown setting 'size'"),
    ],
)
def test_the_template_check_refuses_a_qr_that_would_not_scan_or_fit(
    change: dict[str, object], said: str
) -> None:
    raw = {**BASE, "element": [{**BASE["element"][0], **change}]}
    with pytest.raises(TemplateError, match=re.escape(said)):
        parse(raw, "t")


def test_module_limits_per_printer_language() -> None:
    big = {**BASE, "dpi": 600, "width": "4in", "height": "4in"}
    raw = {**big, "element": [{"kind": "qr", "x": 60, "y": 60, "module": 11}]}
    with pytest.raises(TemplateError, match="ZPL printers draw QR modules of 1 to 10 dots"):
        parse(raw, "t")
    raw = {**raw, "driver": "escpos", "element": [{"kind": "qr", "x": 80, "y": 80, "module": 17}]}
    with pytest.raises(TemplateError, match="ESC/POS printers draw QR modules of 1 to 16 dots"):
        parse(raw, "t")
    # 300 dpi needs 5 dots (4 are 0.339 mm).
    raw = {**BASE, "dpi": 300, "element": [{"kind": "qr", "x": 20, "y": 20, "module": 4}]}
    with pytest.raises(TemplateError, match=re.escape("0.339 mm")):
        parse(raw, "t")


def test_a_user_template_with_a_qr_is_checked_by_the_command_line(tmp_path: Path) -> None:
    folder = tmp_path / "templates"
    folder.mkdir()
    (folder / "mine.toml").write_text(
        'driver = "zpl"\ndpi = 203\nwidth = "1in"\nheight = "1in"\n'
        '[[element]]\nkind = "qr"\nx = 12\ny = 12\nmodule = 2\n'
    )
    with pytest.raises(TemplateError, match=re.escape("0.250 mm")):
        get("mine", folder)


@pytest.mark.parametrize("name", ZPL_UNIT_TEMPLATES)
def test_serialized_runs_make_every_unit_label_and_decode(name: str) -> None:
    """Units sent as runs the printer serializes (^SF, ^PQ): the labels a Zebra makes from
    them (stepped by the fake printer's own place-by-place ^SF) are drawn by the independent
    renderer exactly as the units' own recalls are, and decode to their URLs."""
    template = get(name)
    indexes = range(120, 140)  # across the varint's second byte (128)
    labels = [unit(index) for index in indexes]
    batch = zpl.render_batch(template, labels)
    data, sizes = batch.serialized(0, len(labels))
    assert sizes == [8, 12] and data.count(b"^PQ") == 2 and len(data) < 1000
    made = [one for run in re.findall(rb"\^XA.*?\^XZ\n", data) for one in serialized(run)]
    assert len(made) == len(labels)
    size = (template.width, template.height, template.dpi)
    drawn = zpl_renderer.render(b"".join(made), *size)
    recalled = zpl_renderer.render(batch.format + b"".join(batch.recalls), *size)
    assert [(p.size, p.tobytes()) for p in drawn] == [(p.size, p.tobytes()) for p in recalled]
    assert [decoded(p) for p in drawn] == [[label.retail_id] for label in labels]


@settings(max_examples=60, deadline=None)
@given(
    index=st.sampled_from([0, 1, 9, 99, 120, 127, 128, 999, 16_370, 16_384, 2**21 - 5]),
    count=st.integers(min_value=1, max_value=60),
    serial=st.integers(min_value=0, max_value=2**40),
)
def test_runs_the_printer_serializes_are_exactly_the_units(
    index: int, count: int, serial: int
) -> None:
    tag = f"1A40603{serial:017X}"
    labels = [unit(n, tag) for n in range(index, index + count)]
    batch = zpl.render_batch(get("retail-1x1-203"), labels)
    data, sizes = batch.serialized(0, count)
    assert sum(sizes) == count
    formats = re.findall(rb"\^XA.*?\^XZ\n", data)
    assert len(formats) == len(sizes)
    made = [one for one in formats for one in serialized(one)]
    # Each label the printer makes is the stored format's layout with that unit's data in
    # place (a run), or the unit's own recall (a label on its own).
    for at, label in enumerate(made):
        if label.startswith(b"^XA^XF"):
            assert label == batch.recalls[at]
            continue
        expected = batch.layout
        for column in batch.columns:
            number, value = re.fullmatch(r"\^FN(\d+)\^FD(.*)\^FS", column[at]).groups()  # type: ignore[union-attr]
            expected = expected.replace(f"^FN{number}^FS", f"^FD{value}^FS")
        assert label == f"^XA{expected}^XZ\n".encode()


def test_unit_labels_are_the_package_label_with_each_units_url_and_number() -> None:
    package = LabelData(
        uid="1A4060300032964000000001", license_number="C11-0000001-LIC",
        facility_name="Green Leaf Farms", order_date="2026-11-20", type="package",
        item="Gummies", quantity="10", unit="Each", strain="Gelato",
    )  # fmt: skip
    made = package.units([("HTTPS://1A4.COM/AB1", "1"), ("HTTPS://1A4.COM/AB2", "2")])
    assert made == [
        replace(package, retail_id="HTTPS://1A4.COM/AB1", unit_index="1"),
        replace(package, retail_id="HTTPS://1A4.COM/AB2", unit_index="2"),
    ]
    assert package.retail_id == package.unit_index == ""
