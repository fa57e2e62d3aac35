"""Printer-layer figures: ZPL (full labels and stored-format recalls), ESC/POS (native and
image barcodes) and PNG, plus the same UID label built with the PyPI ZPL generators
``simple-zpl2`` and ``zpl`` for comparison."""

from __future__ import annotations

import dataclasses
import io
import time
from collections.abc import Callable
from functools import partial

from bench.table import Table
from printers.catalog import get
from printers.label import LabelData
from printers.render import escpos, image, zpl
from printers.template import BarcodeElement, Template

N_ZPL = 20_000
N_ESCPOS = 2_000
N_PNG = 300


def sample_labels(count: int) -> list[LabelData]:
    return [
        LabelData(
            uid=f"1A4060300032964{n:09d}",
            license_number="C11-0000001-LIC",
            facility_name="Green Leaf Farms",
            order_date="2026-11-20",
        )
        for n in range(count)
    ]


def _rate(count: int, work: Callable[[], object]) -> tuple[float, object]:
    start = time.perf_counter()
    result = work()
    return count / (time.perf_counter() - start), result


def _each(build: Callable[[LabelData], bytes], labels: list[LabelData]) -> list[bytes]:
    return [build(label) for label in labels]


def _simple_zpl2(label: LabelData) -> bytes:
    import simple_zpl2

    doc = simple_zpl2.ZPLDocument()
    doc.add_zpl_raw("^CI28^PW609^LL203")
    doc.add_field_origin(20, 6)
    doc.add_font("0", "N", 28, 28)
    doc.add_field_data(label.facility_name)
    doc.add_field_origin(20, 38)
    doc.add_font("0", "N", 22, 22)
    doc.add_field_data(f"Lic {label.license_number}   Tag order {label.order_date}")
    doc.add_field_origin(72, 68)
    doc.add_barcode_default(2)
    doc.add_barcode(simple_zpl2.Code128_Barcode(label.uid, "N", 92, "N", "N"))
    doc.add_field_origin(20, 164)
    doc.add_font("0", "N", 30, 30)
    doc.add_field_data(label.uid)
    result: bytes = doc.zpl_bytes
    return result


def zpl_package(label: LabelData) -> bytes:
    import zpl as zpl_package

    built = zpl_package.Label(25.4, 76.2, 8)
    built.origin(2.5, 0.75)
    built.write_text(label.facility_name, char_height=3.5, char_width=3.5)
    built.endorigin()
    built.origin(2.5, 4.75)
    built.write_text(
        f"Lic {label.license_number}   Tag order {label.order_date}",
        char_height=2.75,
        char_width=2.75,
    )
    built.endorigin()
    built.origin(9, 8.5)
    built.barcode("C", label.uid, height=92, print_interpretation_line="N", mode="A")
    built.endorigin()
    built.origin(2.5, 20.5)
    built.write_text(label.uid, char_height=3.75, char_width=3.75)
    built.endorigin()
    result: bytes = built.dumpZPL().encode()
    return result


def _image_mode(template: Template) -> Template:
    elements = tuple(
        dataclasses.replace(e, mode="image") if isinstance(e, BarcodeElement) else e
        for e in template.elements
    )
    return dataclasses.replace(template, elements=elements)


def run() -> Table:
    table = Table("printers: one UID label (3 x 1 in, 203 dpi; 80 mm ESC/POS)")
    template = get("uid-3x1-203")
    labels = sample_labels(N_ZPL)

    full_rate, full = _rate(N_ZPL, lambda: [zpl.render_label(template, lbl) for lbl in labels])
    assert isinstance(full, list)
    table.add("ZPL full label: labels/s", f"{full_rate:,.0f}", ">= 20,000")
    table.add("ZPL full label: bytes/label", f"{sum(map(len, full)) / N_ZPL:.0f}")
    batch_rate, batch = _rate(N_ZPL, lambda: zpl.render_batch(template, labels))
    assert isinstance(batch, zpl.StoredBatch)
    table.add("ZPL stored format + recalls: labels/s", f"{batch_rate:,.0f}", ">= 20,000")
    table.add(
        "ZPL stored-format recall: bytes/label",
        f"{sum(map(len, batch.recalls)) / N_ZPL:.0f} (format {len(batch.format)} once)",
        "<= 60",
    )
    for name, build in (("simple-zpl2", _simple_zpl2), ("zpl (PyPI)", zpl_package)):
        sample = labels[:2000]
        build(sample[0])  # the peer's import is not part of its rate
        rate, built = _rate(len(sample), partial(_each, build, sample))
        assert isinstance(built, list)
        table.add(
            f"peer {name}: labels/s, bytes/label",
            f"{rate:,.0f}, {sum(map(len, built)) / len(sample):.0f}",
            f"ours: stored {batch_rate / rate:.1f}x, full {full_rate / rate:.1f}x (>= 5x)",
        )

    receipt = get("escpos-80mm")
    small = labels[:N_ESCPOS]
    rate, native = _rate(N_ESCPOS, lambda: [escpos.render(receipt, [lbl]) for lbl in small])
    assert isinstance(native, list)
    table.add(
        "ESC/POS native GS k: labels/s, bytes/label",
        f"{rate:,.0f}, {sum(map(len, native)) / N_ESCPOS:.0f}",
        "<= 200 bytes",
    )
    pictured = _image_mode(receipt)
    sample = small[:300]
    rate, images = _rate(len(sample), lambda: [escpos.render(pictured, [lbl]) for lbl in sample])
    assert isinstance(images, list)
    table.add(
        "ESC/POS image barcode: labels/s, bytes/label",
        f"{rate:,.0f}, {sum(map(len, images)) / len(sample):,.0f}",
    )

    start = time.perf_counter()
    for lbl in labels[:N_PNG]:
        image.render_label(template, lbl).save(io.BytesIO(), "PNG")
    per_label = (time.perf_counter() - start) * 1000 / N_PNG
    table.add("PNG: ms/label (render and encode)", f"{per_label:.2f}", "<= 15 ms")
    return table
