"""Every bundled template renders labels whose barcodes decode to exactly the UID.

Images decode with zxing-cpp; ZPL goes through an independent renderer (zpl-renderer-js);
ESC/POS bytes are read back without python-escpos.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
import zxingcpp
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from printers import drivers
from printers.catalog import badge_template, get, template_files
from printers.code128 import Code128
from printers.errors import PrinterError
from printers.label import LabelData
from printers.layout import PlacedBarcode, PlacedText, place
from printers.render import escpos, image, zpl
from tests.helpers import escpos_scan, zpl_renderer

# Tag label templates (the Retail ID unit label templates have tests of their own).
TEMPLATES = [name for name in sorted(template_files(None)) if not get(name).unit_labels]
ZPL_TEMPLATES = [name for name in TEMPLATES if get(name).driver == "zpl"]
UIDS = [
    "1A4060300032964000221615",  # real CA tag
    "1A406030000B0A1000519200",  # the longest Code 128 of the samples
    "ABCDEF012345670000010001",  # Metrc's documentation example
    "1A4FF0100000022000000123",  # sandbox prefix
    "ZZZ9XYZ0123456789QRSTUVW",  # not hexadecimal: valid but unusual
]
NAMES = [
    "Green Leaf Farms",
    "Caret^Tilde~Under_score Co.",
    "Café Ñandú Dispensary — Señor Brotes",
    "The Extremely Long Facility Name of a Cultivation Cooperative in Humboldt County LLC",
]


def label(uid: str, name: str = NAMES[0]) -> LabelData:
    return LabelData(
        uid=uid,
        license_number="C11-0000001-LIC",
        facility_name=name,
        order_date="2026-11-20",
        type="package",
        item="Blue Dream 3.5g",
        quantity="3.5",
        unit="Grams",
        production_batch="BD-1101",
        packaged_date="2026-11-25",
        strain="Blue Dream",
        location="Veg Room 2",
        growth_phase="Vegetative",
    )


def decoded(picture: Image.Image) -> list[str]:
    return [result.text for result in zxingcpp.read_barcodes(picture)]


def texts(name: str, data: LabelData) -> list[str]:
    return [item.text for item in place(get(name), data) if isinstance(item, PlacedText)]


@pytest.mark.parametrize("name", TEMPLATES)
@pytest.mark.parametrize("uid", UIDS)
def test_png_of_every_template_decodes_to_the_uid(name: str, uid: str) -> None:
    for facility in NAMES:
        data = label(uid, facility)
        assert decoded(image.render_label(get(name), data)) == [uid]
        shown = " ".join(texts(name, data))
        for value in (uid, "C11-0000001-LIC", "2026-11-20"):
            assert value in shown
        # Long names shrink, then are cut with an ellipsis; their start is always there.
        assert facility[:16] in shown


def test_every_text_box_has_ink_where_the_layout_puts_it() -> None:
    template = get("uid-3x1-203")
    data = label(UIDS[0], NAMES[2])
    picture = image.render_label(template, data)
    for item in place(template, data):
        if isinstance(item, PlacedText):
            box = picture.crop((item.x, item.y, item.x + item.width, item.y + item.height))
            assert box.getextrema()[0] == 0, f"nothing drawn for {item.text!r}"


def _barcode_inside(picture: Image.Image, uid: str) -> None:
    [result] = zxingcpp.read_barcodes(picture)
    assert result.text == uid
    corners = [
        result.position.top_left,
        result.position.top_right,
        result.position.bottom_left,
        result.position.bottom_right,
    ]
    assert all(0 <= p.x < picture.width and 0 <= p.y < picture.height for p in corners)
    left = min(p.x for p in corners)
    right = max(p.x for p in corners)
    # Room for the quiet zones on both sides (10 modules of at least 2 dots).
    assert left >= 20 and picture.width - right >= 20, (left, right, picture.width)


@pytest.mark.parametrize("name", ZPL_TEMPLATES)
def test_zpl_full_labels_render_independently_and_decode(name: str) -> None:
    template = get(name)
    stream = b"".join(
        zpl.render_label(template, label(uid, facility))
        for uid, facility in zip(UIDS, NAMES * 2, strict=False)
    )
    pictures = zpl_renderer.render(stream, template.width, template.height, template.dpi)
    assert len(pictures) == len(UIDS)
    for picture, uid in zip(pictures, UIDS, strict=True):
        _barcode_inside(picture, uid)


@pytest.mark.parametrize("name", ZPL_TEMPLATES)
def test_zpl_stored_format_recalls_render_independently_and_decode(name: str) -> None:
    template = get(name)
    batch = zpl.render_batch(template, [label(uid, NAMES[1]) for uid in UIDS])
    assert batch.format.startswith(b"^XA^DF" + batch.name.encode())
    pictures = zpl_renderer.render(
        batch.format + b"".join(batch.recalls), template.width, template.height, template.dpi
    )
    assert len(pictures) == len(UIDS)
    for picture, uid in zip(pictures, UIDS, strict=True):
        _barcode_inside(picture, uid)


def test_zpl_recall_of_a_uid_label_is_small() -> None:
    batch = zpl.render_batch(get("uid-3x1-203"), [label(uid) for uid in UIDS])
    assert all(len(recall) <= 60 for recall in batch.recalls), [len(r) for r in batch.recalls]
    # Facility, license and order date are baked into the format, sent once.
    assert b"Green Leaf Farms" in batch.format
    assert all(b"Green" not in recall for recall in batch.recalls)


def test_zpl_escapes_caret_tilde_and_underscore_in_data() -> None:
    full = zpl.render_label(get("uid-3x1-203"), label(UIDS[0], NAMES[1])).decode()
    assert "^FH^FDCaret_5ETilde_7EUnder_5Fscore Co.^FS" in full
    fields = re.findall(r"\^FD(.*?)\^FS", full)
    assert all("^" not in f and "~" not in f for f in fields)
    assert full.startswith("^XA^CI28^PW609^LL203") and full.rstrip().endswith("^XZ")


def test_zpl_copies_use_print_quantity() -> None:
    assert b"^PQ100^XZ" in zpl.render_label(get("uid-3x1-203"), label(UIDS[0]), copies=100)
    batch = zpl.render_batch(get("uid-3x1-203"), [label(UIDS[0])], copies=3)
    assert batch.recalls[0].endswith(b"^PQ3^XZ\n")


def test_escpos_80mm_uses_native_code128_that_decodes() -> None:
    output = escpos.render(get("escpos-80mm"), [label(uid, NAMES[2]) for uid in UIDS])
    found = escpos_scan.scan(output)
    assert found.rasters == []
    assert found.cuts == len(UIDS)
    assert len(found.barcodes) == len(UIDS)
    for payload, uid in zip(found.barcodes, UIDS, strict=True):
        values = escpos_scan.code128_values(payload)
        picture = escpos_scan.draw_code128(values)
        assert decoded(picture) == [uid]
        # Fits 80 mm paper (576 dots) at 2 dots a module, with quiet zones.
        assert picture.width <= 576
    assert b"C11-0000001-LIC" in output and b"2026-11-20" in output
    assert "Café".encode("cp1252") in output


def test_escpos_58mm_prints_an_image_barcode_along_the_paper() -> None:
    output = escpos.render(get("escpos-58mm"), [label(uid) for uid in UIDS])
    found = escpos_scan.scan(output)
    assert found.barcodes == [], "the ZJ-5870 profile has no barcode command"
    assert len(found.rasters) == len(UIDS)
    for raster, uid in zip(found.rasters, UIDS, strict=True):
        assert raster.width <= 384
        assert decoded(raster) == [uid]
        assert b"{B" not in raster.tobytes()
    assert found.cuts == 0  # no cutter on this profile: the label is fed out instead


def test_pdf_sheet_holds_thirty_labels_a_page(tmp_path: Path) -> None:
    template = get("avery-5160-sheet")
    labels = [label(f"1A4060300002EE10{n:08d}") for n in range(1, 36)]
    pages = image.render_sheet_pages(template, labels)
    assert len(pages) == 2
    assert sorted(decoded(pages[0])) == sorted(d.uid for d in labels[:30])
    path = tmp_path / "sheet.pdf"
    path.write_bytes(drivers.get("pdf").document(template, labels))
    assert path.read_bytes().startswith(b"%PDF")
    assert len(re.findall(rb"/Type\s*/Page\b", path.read_bytes())) == 2


def test_barcodes_are_drawn_on_whole_dots() -> None:
    template = get("uid-3x1-203")
    [bars] = [item for item in place(template, label(UIDS[1])) if isinstance(item, PlacedBarcode)]
    assert bars.width == bars.code.modules * 2 == 466


# Subset C pairs that are Epson real-time commands: 16 20 02 is DLE DC4 fn 2 (power off),
# 16 20 01 a drawer pulse, 16 04 / 16 05 DLE EOT and DLE ENQ.
REAL_TIME_UIDS = (
    "1A4060300002EE1620020108",
    "1A4060300002EE1620010101",
    "1A4060300002EE0016040116",
    "1A4060300002EE0016050116",
)


def test_escpos_barcodes_never_carry_a_real_time_command() -> None:
    output = escpos.render(get("escpos-80mm"), [label(uid) for uid in REAL_TIME_UIDS])
    found = escpos_scan.scan(output)
    assert len(found.barcodes) == len(REAL_TIME_UIDS)
    for payload, uid in zip(found.barcodes, REAL_TIME_UIDS, strict=True):
        for command in (b"\x10\x14", b"\x10\x04", b"\x10\x05"):
            assert command not in payload, (uid, payload)
        picture = escpos_scan.draw_code128(escpos_scan.code128_values(payload))
        assert decoded(picture) == [uid]
        assert picture.width <= 576  # still fits 80 mm paper
    for command in (b"\x10\x14", b"\x10\x04", b"\x10\x05"):
        assert command not in output


@settings(max_examples=300, deadline=None)
@given(
    name=st.sampled_from(ZPL_TEMPLATES),
    facility=st.text(max_size=90),
    uid=st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=0x17F), max_size=40),
    item=st.text(max_size=60),
)
def test_full_zpl_labels_are_the_placed_layout_whatever_the_data(
    name: str, facility: str, uid: str, item: str
) -> None:
    """render_label reuses work between labels (fixed fields, fitted texts, barcode widths
    per shape of data); what it sends is what placing the label afresh gives, or the same
    error."""
    template = get(name)
    data = LabelData(uid, "C11-0000001-LIC", facility, "2026-11-20", item=item, strain=item)

    def placed_afresh() -> bytes:
        body = "".join(zpl._field(item) for item in place(template, data))
        return f"^XA{zpl._header(template)}{body}^XZ\n".encode()

    outcomes = []
    for render in (placed_afresh, lambda: zpl.render_label(template, data)):
        try:
            outcomes.append(render())
        except PrinterError as exc:
            outcomes.append(str(exc).encode())
    assert outcomes[0] == outcomes[1]


def test_a_control_character_is_refused_after_printable_data_of_the_same_shape() -> None:
    """The ZPL renderer reuses a barcode's placing for data of one shape (digits and the
    rest); DEL once took the shape of a letter and went out in a barcode unrefused."""
    template = get("package-4x2-203")
    zpl.render_label(template, LabelData("a", "C11-0000001-LIC", "Farm", "2026-11-20"))
    with pytest.raises(PrinterError, match="Code 128"):
        zpl.render_label(template, LabelData("\x7f", "C11-0000001-LIC", "Farm", "2026-11-20"))


@pytest.mark.parametrize("data", ["99766986943586479446", "99", "9912", "0099", "AB99", "EE9912"])
def test_code128_keeps_a_leading_99_pair(data: str) -> None:
    """python-barcode 0.16 drops a first digit pair "99" (it takes it for a switch to subset
    C): a badge code starting with 99 drew a barcode that read without it, and could not
    sign its operator in. The drawn symbol and the ESC/POS payload both read back whole."""
    code = Code128(data)
    assert decoded(escpos_scan.draw_code128(code.symbols)) == [data]
    assert decoded(escpos_scan.draw_code128(escpos_scan.code128_values(code.escpos_payload))) == [
        data
    ]
    badge = LabelData("", "", "", "", operator="Ann", role="operator", badge=data)
    [png] = drivers.get("png").files(badge_template("zpl", 203), [badge])
    assert decoded(Image.open(io.BytesIO(png))) == [data]
