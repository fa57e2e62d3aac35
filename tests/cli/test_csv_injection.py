"""Text that a spreadsheet would run as a formula: shown as text in every CSV for people,
refused in Metrc's positional import files (which cannot quote it)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from station.domain.text import spreadsheet_cell
from tests.helpers.station import PLANT_PREFIX, Station, uid

LICENSE = "C11-0000009-LIC"
FORMULAS = ["=cmd|'/c calc'!A1", "+1+1", "-2+3", "@SUM(A1)"]


@pytest.mark.parametrize("name", FORMULAS)
def test_listings_for_spreadsheets_show_formulas_as_text(station: Station, name: str) -> None:
    station.ok("facility", "add", "--", LICENSE, name)
    station.ok(
        "order", "add", "--license", LICENSE, "--type", "plant", "--first", uid(PLANT_PREFIX, 1),
        "--count", "2", "--order-date", "2026-11-20", "--order-number", "=HYPERLINK(\"x\")",
    )  # fmt: skip
    for args in (["tags"], ["order", "list"], ["facility", "list"]):
        out = station.ok(*args, "--format", "csv").out
        for row in csv.DictReader(io.StringIO(out)):
            for value in row.values():
                assert not value.startswith(("=", "+", "-", "@", "\t", "\r")), (args, value)
        assert "'" + name in out
    exported = station.ok("export", "tags").out
    assert "'=HYPERLINK" in exported and "'" + name in exported


@pytest.mark.parametrize("value", ["=1", "+1", "-1", "@1", "\t1", "\r1", "\n1"])
def test_every_formula_start_is_neutralised(value: str) -> None:
    assert spreadsheet_cell(value) == "'" + value
    assert spreadsheet_cell("1" + value) == "1" + value


def test_a_formula_cannot_go_into_a_metrc_import_file(station: Station, tmp_path: Path) -> None:
    station.ok("facility", "add", LICENSE, "Green Leaf Farms")
    station.ok(
        "order", "add", "--license", LICENSE, "--type", "plant", "--first", uid(PLANT_PREFIX, 1),
        "--count", "2", "--order-date", "2026-11-20",
    )  # fmt: skip
    station.ok("receive", uid(PLANT_PREFIX, 1), uid(PLANT_PREFIX, 2))
    station.ok(
        "assign", "plant", "--count", "2", "--strain", "Blue Dream", "--plant-batch", "BD 1",
        "--phase", "Vegetative", "--location", "@SUM(1+1)",
    )  # fmt: skip
    folder = tmp_path / "promote"
    message = station.refused("export", "plant-tags", str(folder))
    assert message.startswith("'@SUM(1+1)' cannot go into a Metrc import file")
    assert not folder.exists() or not list(folder.iterdir())
