"""Labels never cut traceability data: a field a template prints in full shrinks to the
smallest legible size, then wraps onto the lines its box holds, and past that the render or
print is refused before anything is sent, naming the field and how much of it would fit. A
facility name may still end in "…"."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image

from printers import catalog
from printers.errors import PrinterError
from printers.label import LabelData
from printers.layout import PlacedText, font, place
from printers.render import escpos, image
from printers.render.zpl import render_batch, render_label
from tests.helpers import zpl_renderer
from tests.helpers.station import PACKAGE_PREFIX, Station, uid

LONG_BATCH = "BATCH-2026-11-27-GELATO41-SMALLS-ROSIN-INFUSED-PREROLLS-LOT-0007"
FITTING_BATCH = "BATCH-2026-11-27-GELATO41-SMALLS"
# 100 characters, the most a production batch may have: more than two lines of the box hold.
TOO_LONG = (LONG_BATCH + "-MMMMWWWWMMMMWWWWMMMMWWWWMMMMWWWWMMMMWWWW")[:100]


def label(**changes: str) -> LabelData:
    base = {
        "uid": uid(PACKAGE_PREFIX, 1),
        "license_number": "C11-0000001-LIC",
        "facility_name": "Green Leaf Farms",
        "order_date": "2026-11-20",
        "type": "package",
        "item": "Gelato 3.5g",
        "quantity": "3.5",
        "unit": "Grams",
        "production_batch": FITTING_BATCH,
        "packaged_date": "2026-11-27",
    }
    return LabelData(**{**base, **changes})


def test_a_long_field_shrinks_and_prints_in_full() -> None:
    template = catalog.get("package-4x2-203")
    texts = [p for p in place(template, label()) if isinstance(p, PlacedText)]
    [batch] = [p for p in texts if p.text.startswith("Batch ")]
    assert batch.text == f"Batch {FITTING_BATCH}"  # whole, at a smaller size
    assert batch.size < batch.source.size
    zpl = render_label(template, label()).decode()
    assert f"Batch {FITTING_BATCH}" in zpl and "…" not in zpl


def test_a_field_too_long_for_one_line_wraps_within_its_box() -> None:
    template = catalog.get("package-4x2-203")
    data = label(production_batch=LONG_BATCH)
    [batch] = [p for p in place(template, data) if isinstance(p, PlacedText) and p.lines]
    assert batch.lines == (
        "Batch BATCH-2026-11-27-GELATO41-SMALLS-", "ROSIN-INFUSED-PREROLLS-LOT-0007",
    )  # fmt: skip
    assert len(batch.lines) * batch.size <= batch.height  # both lines inside the box
    assert all(font(batch.size).getlength(line) <= batch.width for line in batch.lines)
    # One field a line, on every path to the printer, and never a cut.
    stored = render_batch(template, [label(), data])
    for zpl in (render_label(template, data), stored.recalls[1], stored.format):
        assert b"\xe2\x80\xa6" not in zpl  # no "…"
    for zpl in (render_label(template, data), stored.recalls[1]):
        text = zpl.decode()
        assert all(f"^FD{line}^FS" in text for line in batch.lines)
    assert FITTING_BATCH.encode() in stored.recalls[0]


@pytest.mark.skipif(not zpl_renderer.available(), reason="needs Node (make test installs it)")
def test_a_wrapped_field_prints_two_lines_where_the_preview_shows_them() -> None:
    """The independent renderer draws ink on both lines of the box, in the full label and in
    the stored format's recall, as the image renderer does."""
    template = catalog.get("package-4x2-203")
    data = label(production_batch=LONG_BATCH)
    [batch] = [p for p in place(template, data) if isinstance(p, PlacedText) and p.lines]
    stored = render_batch(template, [label(), data])
    pictures = [
        *zpl_renderer.render(render_label(template, data), template.width, template.height, 203),
        zpl_renderer.render(stored.format + b"".join(stored.recalls), template.width,
                            template.height, 203)[1],
        image.render_label(template, data),
    ]  # fmt: skip
    for picture in pictures:
        assert inked_lines(picture, batch) == 2


def inked_lines(picture: Image.Image, box: PlacedText) -> int:
    """How many separate bands of rows hold ink within ``box``: the lines of text drawn."""
    inked = [
        picture.crop((box.x, y, box.x + box.width, y + 1)).getextrema()[0] == 0
        for y in range(box.y, box.y + box.height)
    ]
    return sum(1 for y, ink in enumerate(inked) if ink and (y == 0 or not inked[y - 1]))


def test_a_field_too_long_even_when_wrapped_is_refused_naming_it() -> None:
    template = catalog.get("package-4x2-203")
    with pytest.raises(PrinterError) as refused:
        place(template, label(production_batch=TOO_LONG))
    message = str(refused.value)
    assert message.startswith(
        f"the production batch 'Batch {TOO_LONG}' does not fit the package-4x2-203 label, "
        "which prints it in full: "
    )
    fitting = int(message.split(": ")[-1].split(" of ")[0])
    assert len(FITTING_BATCH) < fitting < len(TOO_LONG)
    # The same refusal from every way a label is made.
    for make in (render_label, lambda t, one: render_batch(t, [label(), one])):
        with pytest.raises(PrinterError, match="does not fit the package-4x2-203 label"):
            make(template, label(production_batch=TOO_LONG))


def test_escpos_wraps_a_field_printed_in_full_onto_more_lines_of_the_roll() -> None:
    """The receipt printer's own font holds 32 characters a line on 58 mm paper; a longer
    license goes on to the next line rather than being cut with "~"."""
    template = catalog.get("escpos-58mm")
    long_license = "C11-0000001-LIC-EXTENDED-PREMISES-07"
    printed = escpos.render(template, [label(license_number=long_license)])
    assert f"Lic {long_license}".encode() not in printed and b"~" not in printed
    assert b"Lic C11-0000001-LIC-EXTENDED-" in printed and b"PREMISES-07" in printed


def test_a_facility_name_may_still_be_cut() -> None:
    template = catalog.get("package-4x2-203")
    name = "The Very Long Name Of A Cannabis Cultivation Facility In Humboldt County LLC"
    [shown] = [p for p in place(template, label(facility_name=name)) if p.y == 8]
    assert isinstance(shown, PlacedText) and shown.text.endswith("…")


def test_print_and_assign_refuse_before_anything_is_sent(received: Station) -> None:
    received.ok("assign", "package", "--count", "1", "--item", "Gelato", "--quantity", "1",
                "--unit", "Each", "--batch", TOO_LONG)  # fmt: skip
    one = uid(PACKAGE_PREFIX, 1)
    message = received.refused("print", one, "--printer", "spool", "--template", "package-4x2-203")
    assert message.startswith(f"the production batch 'Batch {TOO_LONG}' does not fit")
    out = Path(received.path.parent / "label.png")
    assert "does not fit" in received.refused(
        "render", one, "--template", "package-4x2-203", "--format", "png", "-o", str(out)
    )
    assert not out.exists()
    # With --print, refused before the batch is assigned.
    message = received.refused(
        "assign", "package", "--count", "1", "--item", "Gelato", "--quantity", "1",
        "--unit", "Each", "--batch", TOO_LONG, "--print", "--printer", "spool",
        "--template", "package-4x2-203",
    )  # fmt: skip
    assert "does not fit the package-4x2-203 label" in message
