"""Labels never cut traceability data: a field a template prints in full shrinks to the
smallest legible size and, past that, the render or print is refused before anything is sent,
naming the field and how much of it would fit. A facility name may still end in "…"."""

from __future__ import annotations

from pathlib import Path

import pytest

from printers import catalog
from printers.errors import PrinterError
from printers.label import LabelData
from printers.layout import PlacedText, place
from printers.render.zpl import render_batch, render_label
from tests.conftest import PACKAGE_PREFIX, Station, uid

LONG_BATCH = "BATCH-2026-11-27-GELATO41-SMALLS-ROSIN-INFUSED-PREROLLS-LOT-0007"
FITTING_BATCH = "BATCH-2026-11-27-GELATO41-SMALLS"


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


def test_a_field_too_long_even_when_shrunk_is_refused_naming_it() -> None:
    template = catalog.get("package-4x2-203")
    with pytest.raises(PrinterError) as refused:
        place(template, label(production_batch=LONG_BATCH))
    message = str(refused.value)
    assert message.startswith(
        f"the production batch 'Batch {LONG_BATCH}' does not fit the package-4x2-203 label, "
        "which prints it in full: "
    )
    fitting = int(message.split(": ")[-1].split(" of ")[0])
    assert 20 < fitting < len(LONG_BATCH)
    # The same refusal from every way a label is made.
    for make in (render_label, lambda t, one: render_batch(t, [label(), one])):
        with pytest.raises(PrinterError, match="does not fit the package-4x2-203 label"):
            make(template, label(production_batch=LONG_BATCH))


def test_a_facility_name_may_still_be_cut() -> None:
    template = catalog.get("package-4x2-203")
    name = "The Very Long Name Of A Cannabis Cultivation Facility In Humboldt County LLC"
    [shown] = [p for p in place(template, label(facility_name=name)) if p.y == 8]
    assert isinstance(shown, PlacedText) and shown.text.endswith("…")


def test_print_and_assign_refuse_before_anything_is_sent(received: Station) -> None:
    received.ok("assign", "package", "--count", "1", "--item", "Gelato", "--quantity", "1",
                "--unit", "Each", "--batch", LONG_BATCH)  # fmt: skip
    one = uid(PACKAGE_PREFIX, 1)
    message = received.refused("print", one, "--printer", "spool", "--template", "package-4x2-203")
    assert message.startswith(f"the production batch 'Batch {LONG_BATCH}' does not fit")
    out = Path(received.path.parent / "label.png")
    assert "does not fit" in received.refused(
        "render", one, "--template", "package-4x2-203", "--format", "png", "-o", str(out)
    )
    assert not out.exists()
    # With --print, refused before the batch is assigned.
    message = received.refused(
        "assign", "package", "--count", "1", "--item", "Gelato", "--quantity", "1",
        "--unit", "Each", "--batch", LONG_BATCH, "--print", "--printer", "spool",
        "--template", "package-4x2-203",
    )  # fmt: skip
    assert "does not fit the package-4x2-203 label" in message
