"""Template files: units, validation messages, warnings and user overrides."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from printers import catalog, layout
from printers.errors import TemplateError
from printers.label import LabelData
from printers.template import REFERENCE_UIDS, TextElement, parse, to_dots


def uid_label(dpi: int, width: str, module: int, **extra: Any) -> dict[str, Any]:
    return {
        "driver": "zpl",
        "dpi": dpi,
        "width": width,
        "height": "1in",
        "element": [
            {
                "kind": "text",
                "text": "{facility_name}",
                "x": 10,
                "y": 5,
                "width": 300,
                "height": 30,
            },
            {
                "kind": "barcode",
                "y": 40,
                "height": 80,
                "module": module,
                "align": "center",
                **extra,
            },
        ],
    }


def test_lengths_in_dots_mm_and_inches() -> None:
    assert to_dots(40, 203, "x") == 40
    assert to_dots("1in", 203, "x") == 203
    assert to_dots("25.4mm", 300, "x") == 300
    assert to_dots("12 dots", 300, "x") == 12
    with pytest.raises(TemplateError, match="expected a length"):
        to_dots("wide", 203, "x")


def test_two_by_one_inch_at_203_dpi_needs_one_dot_modules() -> None:
    with pytest.raises(TemplateError, match=r"needs 506 dots .* but the label has 406"):
        parse(uid_label(203, "2in", 2), "t")
    accepted = parse(uid_label(203, "2in", 1), "t")
    assert accepted.warnings == (
        "element 2 (barcode): 1-dot modules are 4.9 mil at 203 dpi; many handheld scanners "
        "need 6 mil or more",
    )
    assert parse(uid_label(300, "2in", 2), "t").warnings == ()


BOX = {"x": 0, "y": 0, "width": 9, "height": 9, "size": 8}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"driver": "epl"}, "driver 'epl' is not one of zpl, escpos, png, pdf"),
        ({"dpi": 72}, "dpi must be a whole number from 100 to 600"),
        ({"colour": "red"}, "template: unknown setting 'colour'"),
        ({"element": []}, "no [[element]] entries"),
        (
            {
                "element": [
                    {
                        "kind": "text",
                        "text": "{facility}",
                        "x": 0,
                        "y": 0,
                        "width": 10,
                        "height": 10,
                    }
                ]
            },
            "element 1 (text): unknown field 'facility'",
        ),
        (
            {
                "element": [
                    {"kind": "text", "text": "x", "x": 300, "y": 0, "width": 400, "height": 10}
                ]
            },
            "element 1 (text): outside the label",
        ),
        (
            {"element": [{"kind": "box", "x": 0, "y": 190, "width": 10, "height": 20}]},
            "element 1 (box): outside the label",
        ),
        ({"element": [{"kind": "circle"}]}, "kind must be text, barcode, qr, line or box"),
        (
            {"element": [{"kind": "text", "x": 0, "y": 0, "width": 10, "height": 10}]},
            "element 1: missing 'text'",
        ),
        (
            {"element": [{"kind": "barcode", "y": 0, "height": 10, "field": "sku"}]},
            "element 1 (barcode): unknown field 'sku'",
        ),
        (
            {"element": [{"kind": "text", "text": "Lic\n{uid}", **BOX}]},
            "element 1 (text): 'Lic\\n{uid}' holds a control character",
        ),
        # The schema's own refusals, in the same wording.
        ({"element": [5]}, "element 1: expected a table"),
        ({"element": [{"x": 1}]}, "element 1: missing 'kind'"),
        (
            {"element": [{"kind": "barcode", "y": 0, "height": 10, "rotate": 45}]},
            "element 1: rotate must be one of 0, 90, not 45",
        ),
        (
            {"element": [{"kind": "text", "text": "x", **BOX, "fit": "squash"}]},
            "element 1: fit must be one of shrink, truncate, full, not 'squash'",
        ),
        (
            {"element": [{"kind": "box", "x": True, "y": 0, "width": 9, "height": 9}]},
            "element 1: x: expected a length such as 40, '5mm' or '0.25in', not True",
        ),
        ({"sheet": 5}, "[sheet]: expected a table"),
        ({"sheet": {"page_width": 10}}, "[sheet]: missing 'page_height'"),
        ({"dpi": True}, "dpi must be a whole number from 100 to 600, not True"),
    ],
)
def test_invalid_templates_name_the_problem(change: dict[str, Any], message: str) -> None:
    with pytest.raises(TemplateError) as caught:
        parse({**uid_label(203, "3in", 2), **change}, "t")
    assert message in str(caught.value)


def test_user_templates_override_bundled_ones(tmp_path: Path) -> None:
    bundled = catalog.template_files(None)["uid-3x1-203"][0]
    (tmp_path / "uid-3x1-203.toml").write_text(
        bundled.read_text().replace('version = "1"', 'version = "7"')
    )
    assert catalog.get("uid-3x1-203", tmp_path).version == "7"
    assert catalog.get("uid-3x1-203").version == "1"
    with pytest.raises(TemplateError, match="no template named 'nope'; known: avery-5160-sheet"):
        catalog.get("nope", tmp_path)


def test_a_file_that_is_not_toml(tmp_path: Path) -> None:
    (tmp_path / "bad.toml").write_text("driver = zpl = 3\n")
    with pytest.raises(TemplateError, match=r"template bad.toml: not valid TOML"):
        catalog.get("bad", tmp_path)


@pytest.mark.parametrize(
    ("element", "message"),
    [
        (
            {"kind": "box", "x": 0, "y": 0, "width": -5, "height": 10},
            "element 1 (box): width must not be -5",
        ),
        (
            {"kind": "barcode", "y": 0, "height": 60, "module": 0},
            "element 1 (barcode): module must not be 0",
        ),
        (
            {"kind": "text", "x": 0, "y": 0, "width": 99, "height": 20, "text": "{uid:>>>}"},
            "element 1 (text): '{uid:>>>}' is not a usable text",
        ),
        (
            {"kind": "text", "x": 0, "y": 0, "width": 99, "height": 20, "text": "{0} {uid"},
            "element 1 (text): '{0} {uid' is not a usable text",
        ),
    ],
)
def test_impossible_elements_are_refused_when_read(element: dict[str, Any], message: str) -> None:
    with pytest.raises(TemplateError) as caught:
        parse({"driver": "zpl", "dpi": 203, "width": "3in", "height": "1in",
               "element": [element]}, "t")  # fmt: skip
    assert str(caught.value).startswith(message)


def _every_label(template_uid: str) -> LabelData:
    return LabelData(
        uid=template_uid,
        license_number="C11-0000001-LIC",
        facility_name="Green Leaf Farms of the Emerald Triangle Cooperative",
        order_date="2026-11-20",
        item="Gummies 10pk",
        retail_id="HTTPS://1A4.COM/10NOIEYKAJDG6CF0EXGJK",
        unit_index="5",
        badge="00000000000000000001",
        operator="Ann",
    )


@pytest.mark.parametrize("name", sorted(catalog.template_files(None)))
def test_no_bundled_label_breaks_a_uid_and_texts_keep_off_the_edges(name: str) -> None:
    """The 1x1 Retail ID label printed 1A4060300002E / E1000000005 on two lines; 58 mm
    texts came within 3 dots of the paper's edge."""
    template = catalog.get(name)
    margin = round(template.dpi / 32)  # 1/32 inch: 6 dots at 203 dpi, 9 at 300
    for element in template.elements:
        if isinstance(element, TextElement):
            assert element.x >= margin and element.x + element.width <= template.width - margin
    for reference in REFERENCE_UIDS:
        for placed in layout.place(template, _every_label(reference)):
            if isinstance(placed, layout.PlacedText) and reference in placed.text:
                assert any(reference in row for row in placed.rows), placed.rows


def test_a_uid_is_never_broken_across_lines_other_long_words_may_be() -> None:
    uid = "1A4060300002EE1000000005"
    # Too wide for one line at this size: wrapped at the space, the UID whole...
    assert layout.wrap(f"Tag {uid}", 320, 20) == ("Tag", uid)
    # ...and where the UID alone cannot fit a line at this size, no wrap at all (a smaller
    # size is tried instead), while a word that is not a UID still breaks where it must.
    assert layout.wrap(uid, 150, 20) is None
    assert layout.wrap("Supercalifragilisticexpialidocious", 150, 20) is not None


def test_every_bundled_label_says_ordered_the_same_way() -> None:
    texts = [
        element.text
        for name in catalog.template_files(None)
        for element in catalog.get(name).elements
        if isinstance(element, TextElement) and "{order_date}" in element.text
    ]
    assert texts and all("Ordered {order_date}" in text for text in texts), texts
