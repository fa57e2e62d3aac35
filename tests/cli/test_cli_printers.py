"""``station printer``, ``station render`` and ``station templates`` as a user types them."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
import zxingcpp
from PIL import Image

from devtools.fakes.zebra import FakeZebra
from tests.helpers.station import PACKAGE_PREFIX, Station, uid


def test_a_new_station_has_the_spool_printer(station: Station) -> None:
    printers = json.loads(station.ok("printer", "list", "--format", "json").out)
    assert printers == [
        {
            "name": "spool",
            "driver": "zpl",
            "connection": "spool:",
            "dpi": 203,
            "template": "uid-3x1-203",
            "default": False,
        }
    ]
    assert station.ok("printer", "status", "spool").out.startswith("spool: ready")
    station.ok("printer", "test", "spool")
    spool = Path(os.environ["XDG_DATA_HOME"]) / "tag-station" / "spool"
    [preview] = list(spool.glob("*.png"))
    assert [r.text for r in zxingcpp.read_barcodes(Image.open(preview))] == [
        "TEST0000000000000000TEST"
    ]


def test_add_a_zebra_and_read_its_status(station: Station) -> None:
    with FakeZebra() as zebra:
        station.ok("printer", "add", "shelf", "--driver", "zpl", "--connection", zebra.url)
        result = station.ok("printer", "status", "shelf")
        assert result.out.splitlines()[0] == "shelf: ready"
        assert "  paper out: False" in result.out and "  labels remaining: 0" in result.out
        zebra.mode = "paper_out"
        before = station.dump()
        refused = station("printer", "status", "shelf")
        assert refused.code == 1 and refused.out.startswith("shelf: not ready: paper out")
        assert refused.err == "error: printer shelf is not ready: not ready: paper out\n"
        assert station.dump() == before
        zebra.mode = "ok"
        station.ok("printer", "test", "shelf")
        zebra.wait_for_text("TEST0000000000000000TEST")
        assert "TEST0000000000000000TEST" in zebra.raw.decode()
    audit = json.loads(station.ok("audit", "--format", "json").out)
    assert [event["action"] for event in audit] == ["printer.add", "printer.test"]


def test_a_printer_that_does_not_answer(station: Station) -> None:
    with FakeZebra("silent") as zebra:
        station.ok("printer", "add", "shelf", "--driver", "zpl", "--connection", zebra.url)
        result = station("printer", "status", "shelf", "--timeout", "0.3")
    assert result.code == 1
    assert result.out.startswith("shelf: unknown, possibly faulted: no answer to ~HS")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["bad name", "--driver", "zpl", "--connection", "tcp://h"], "bad printer name"),
        (["p", "--driver", "zpl", "--connection", "lpt1"], "unknown connection 'lpt1'"),
        (
            ["p", "--driver", "zpl", "--connection", "tcp://h", "--template", "nope"],
            "no template named 'nope'",
        ),
        (
            ["p", "--driver", "zpl", "--connection", "tcp://h", "--template", "escpos-80mm"],
            "template escpos-80mm is for escpos printers; p is zpl",
        ),
        (
            [
                "p",
                "--driver",
                "zpl",
                "--connection",
                "tcp://h",
                "--dpi",
                "300",
                "--template",
                "uid-3x1-203",
            ],
            "template uid-3x1-203 is laid out for 203 dpi; p prints at 300 dpi",
        ),
        (
            ["spool", "--driver", "zpl", "--connection", "spool:"],
            "a printer named spool already exists",
        ),
        (
            ["p", "--driver", "zpl", "--connection", "tcp://h\nerror: forged"],
            "connection 'tcp://h\\x0aerror: forged' contains a control character",
        ),
        (
            ["p", "--driver", "zpl", "--connection", "tcp://h\x1b[2J"],
            "connection 'tcp://h\\x1b[2J' contains a control character",
        ),
        (
            ["p", "--driver", "zpl", "--connection", "tcp://" + "h" * 10_000],
            "connection is 10,006 characters long; at most 500",
        ),
        (["p", "--driver", "zpl", "--connection", "cups://a b"], "has a space in it"),
    ],
)
def test_bad_printers_are_refused(station: Station, args: list[str], message: str) -> None:
    station.ok("printer", "list")
    assert message in station.refused("printer", "add", *args)


def test_remove_and_unknown_printer(station: Station) -> None:
    station.ok("printer", "add", "till", "--driver", "escpos", "--connection", "file:///dev/null")
    station.ok("printer", "remove", "till")
    assert station.refused("printer", "status", "till") == "no printer named 'till' (known: spool)"


def test_render_png_of_recorded_tags_decodes(received: Station, tmp_path: Path) -> None:
    received.ok(
        "assign",
        "package",
        "--count",
        "2",
        "--item",
        "Blue Dream 3.5g",
        "--quantity",
        "3.5",
        "--unit",
        "Grams",
    )
    out = tmp_path / "label.png"
    result = received.ok(
        "render",
        uid(PACKAGE_PREFIX, 1),
        "--template",
        "package-4x2-203",
        "--format",
        "png",
        "-o",
        str(out),
    )
    assert f"wrote 1 label to {out}" in result.err
    assert [r.text for r in zxingcpp.read_barcodes(Image.open(out))] == [uid(PACKAGE_PREFIX, 1)]
    received.ok(
        "render",
        "--range",
        uid(PACKAGE_PREFIX, 1),
        uid(PACKAGE_PREFIX, 3),
        "--template",
        "uid-3x1-203",
        "--format",
        "png",
        "-o",
        str(tmp_path / "r.png"),
    )
    assert len(list(tmp_path.glob("r-*.png"))) == 3


@pytest.mark.parametrize(
    ("fmt", "template", "check"),
    [
        ("zpl", "uid-2x1-300", b"^XA^CI28^PW600^LL300"),
        ("escpos", "escpos-80mm", b"\x1dkI"),
        ("pdf", "avery-5160-sheet", b"%PDF"),
    ],
)
def test_render_other_formats(
    received: Station, tmp_path: Path, fmt: str, template: str, check: bytes
) -> None:
    out = tmp_path / f"labels.{fmt}"
    received.ok(
        "render",
        uid(PACKAGE_PREFIX, 5),
        uid(PACKAGE_PREFIX, 6),
        "--template",
        template,
        "--format",
        fmt,
        "-o",
        str(out),
    )
    assert check in out.read_bytes()


def test_render_refusals(stocked: Station, tmp_path: Path) -> None:
    out = str(tmp_path / "x.png")
    assert stocked.refused(
        "render", uid(PACKAGE_PREFIX, 1), "--template", "uid-3x1-203", "--format", "png", "-o", out
    ) == (f"{uid(PACKAGE_PREFIX, 1)} is ordered; only received and used tags get labels")
    assert (
        stocked.refused(
            "render",
            uid(PACKAGE_PREFIX, 999),
            "--template",
            "uid-3x1-203",
            "--format",
            "png",
            "-o",
            out,
        )
        == f"{uid(PACKAGE_PREFIX, 999)} is on no order"
    )
    stocked.ok("receive", uid(PACKAGE_PREFIX, 1))
    assert stocked.refused(
        "render",
        uid(PACKAGE_PREFIX, 1),
        "--template",
        "uid-3x1-203",
        "--format",
        "escpos",
        "-o",
        out,
    ) == ("template uid-3x1-203 is a zpl template; it cannot render escpos")
    assert stocked.refused(
        "render", uid(PACKAGE_PREFIX, 1), "--template", "escpos-58mm", "--format", "zpl",
        "-o", out,
    ) == ("template escpos-58mm is an escpos template; it cannot render zpl")  # fmt: skip
    assert "no such folder" in stocked.refused(
        "render",
        uid(PACKAGE_PREFIX, 1),
        "--template",
        "uid-3x1-203",
        "--format",
        "png",
        "-o",
        str(tmp_path / "missing" / "x.png"),
    )
    assert not list(tmp_path.glob("*.png"))


def test_templates_lists_bundled_and_user_templates(station: Station) -> None:
    listed = json.loads(station.ok("templates", "--format", "json").out)
    names = {row["name"]: row for row in listed}
    assert set(names) >= {
        "uid-3x1-203",
        "uid-2x1-300",
        "package-4x2-203",
        "plant-4x2-203",
        "escpos-80mm",
        "escpos-58mm",
        "avery-5160-sheet",
    }
    assert names["uid-3x1-203"]["size"] == "3.00 x 1.00 in"
    folder = Path(os.environ["XDG_CONFIG_HOME"]) / "tag-station" / "templates"
    folder.mkdir(parents=True)
    bundled = Path(names["uid-3x1-203"]["path"]).read_text()
    (folder / "uid-3x1-203.toml").write_text(bundled.replace("3 x 1 in UID label", "Ours"))
    (folder / "broken.toml").write_text(
        'driver = "zpl"\ndpi = 203\nwidth = 100\nheight = 50\n'
        '[[element]]\nkind = "text"\ntext = "{colour}"\n'
        "x = 0\ny = 0\nwidth = 50\nheight = 20\n"
    )
    listed = {
        row["name"]: row for row in json.loads(station.ok("templates", "--format", "json").out)
    }
    assert listed["uid-3x1-203"]["source"] == "user"
    assert listed["uid-3x1-203"]["description"].startswith("Ours")
    assert listed["broken"]["problem"] == (
        "template broken.toml: element 1 (text): unknown field 'colour'"
    )


def test_an_office_printer_gets_whole_sheets_as_pdf(received: Station, tmp_path: Path) -> None:
    folder = tmp_path / "office"
    received.ok("printer", "add", "office", "--driver", "pdf", "--connection", f"spool://{folder}")
    [office] = [
        p
        for p in json.loads(received.ok("printer", "list", "--format", "json").out)
        if p["name"] == "office"
    ]
    assert (office["template"], office["dpi"]) == ("avery-5160-sheet", 300)
    first, last = uid(PACKAGE_PREFIX, 1), uid(PACKAGE_PREFIX, 35)
    received.ok("print", "--printer", "office", "--range", first, last)
    [job] = json.loads(received.ok("jobs", "--format", "json").out)
    assert (job["status"], job["done"], job["uncertain"]) == ("done", 35, 0)
    # 30 labels fill a page: the job went as two documents of one page each.
    documents = [path.read_bytes() for path in sorted(folder.glob("*.prn"))]
    assert [doc[:4] for doc in documents] == [b"%PDF", b"%PDF"]
    assert [len(re.findall(rb"/Type\s*/Page\b", doc)) for doc in documents] == [1, 1]
    previews = sorted(folder.glob("*.png"))
    read = [r.text for path in previews for r in zxingcpp.read_barcodes(Image.open(path))]
    assert read == [uid(PACKAGE_PREFIX, n) for n in range(1, 36)]


def test_a_sheet_template_renders_to_png_pages(received: Station, tmp_path: Path) -> None:
    out = tmp_path / "sheet.png"
    first, last = uid(PACKAGE_PREFIX, 1), uid(PACKAGE_PREFIX, 31)
    received.ok(
        "render", "--range", first, last, "--template", "avery-5160-sheet",
        "--format", "png", "-o", str(out),
    )  # fmt: skip
    pages = sorted(tmp_path.glob("sheet-*.png"))
    assert [page.name for page in pages] == ["sheet-0001.png", "sheet-0002.png"]
    read = sorted(r.text for r in zxingcpp.read_barcodes(Image.open(pages[0])))
    assert read == [uid(PACKAGE_PREFIX, n) for n in range(1, 31)]
