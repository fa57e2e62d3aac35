"""``station order import``: Metrc-style CSVs and the Metrc tags JSON (PRODUCT.md §4)."""

from __future__ import annotations

import codecs
import datetime as dt
import json
from pathlib import Path

import pytest

from tests.helpers.station import FACILITY, LICENSE, PACKAGE_PREFIX, PLANT_PREFIX, Station, uid


def write(station: Station, text: str, name: str = "tags.csv", encoding: str = "utf-8") -> str:
    path = station.path.parent / name
    path.write_bytes(text.encode(encoding))
    return str(path)


@pytest.fixture
def facility(station: Station) -> Station:
    station.ok("facility", "add", LICENSE, FACILITY)
    return station


def orders(station: Station) -> list[dict[str, object]]:
    listed: list[dict[str, object]] = json.loads(
        station.ok("order", "list", "--format", "json").out
    )
    return listed


def test_ranges_with_every_optional_column(facility: Station) -> None:
    csv_text = (
        "Start Tag,End Tag,Type,Order Date,Order Number,License Number,Facility Name\n"
        f"{uid(PACKAGE_PREFIX, 1)},{uid(PACKAGE_PREFIX, 100)},CannabisPackage,2026-11-02,A1,"
        f"{LICENSE},{FACILITY}\n"
        f"{uid(PACKAGE_PREFIX, 201)},{uid(PACKAGE_PREFIX, 250)},Package,11/02/2026,A1,{LICENSE},\n"
        f"{uid(PLANT_PREFIX, 1)},{uid(PLANT_PREFIX, 20)},MedicalPlant,2026-11-02,A1,{LICENSE},\n"
    )
    result = facility.ok("order", "import", write(facility, csv_text))
    assert "imported 170 tags in 2 orders (1, 2)" in result.err
    listed = orders(facility)
    assert [(o["type"], o["total"], o["order_date"], o["order_number"]) for o in listed] == [
        ("package", 150, "2026-11-02", "A1"),
        ("plant", 20, "2026-11-02", "A1"),
    ]
    assert len(listed[0]["ranges"]) == 2  # type: ignore[arg-type]


def test_single_tags_any_column_order_and_header_case(facility: Station) -> None:
    rows = [uid(PLANT_PREFIX, n) for n in (5, 3, 4, 9)]
    csv_text = "order date,LABEL,tYpE\n" + "".join(f"2026-11-03,{r},plant\n" for r in rows)
    facility.ok("order", "import", write(facility, csv_text), "--license", LICENSE)
    listed = orders(facility)
    assert listed[0]["total"] == 4
    assert listed[0]["ranges"] == [
        f"{uid(PLANT_PREFIX, 3)}..{uid(PLANT_PREFIX, 5)} (3 tags)",
        uid(PLANT_PREFIX, 9),
    ]


def test_options_fill_what_the_file_lacks(facility: Station) -> None:
    path = write(facility, f"First,Last\n{uid(PACKAGE_PREFIX, 1)},{uid(PACKAGE_PREFIX, 10)}\n")
    facility.ok(
        "order",
        "import",
        path,
        "--license",
        LICENSE,
        "--type",
        "package",
        "--order-date",
        "2026-11-04",
    )
    assert orders(facility)[0]["order_date"] == "2026-11-04"


@pytest.mark.parametrize(
    "encode",
    [
        lambda text: codecs.BOM_UTF8 + text.replace("\n", "\r\n").encode(),
        lambda text: text.replace("\n", "\r\n").encode(),
        lambda text: codecs.BOM_UTF8 + text.encode(),
        # Mixed line endings (a file edited on two systems) read the same.
        lambda text: text.replace("\n", "\r\n", 1).encode(),
    ],
)
def test_bom_and_crlf_are_accepted(facility: Station, encode: object) -> None:
    text = "Tag,Type,Order Date\n" + "".join(
        f"{uid(PLANT_PREFIX, n)},Plant,2026-11-05\n" for n in (1, 2)
    )
    path = facility.path.parent / "bom.csv"
    path.write_bytes(encode(text))  # type: ignore[operator]
    facility.ok("order", "import", str(path), "--license", LICENSE)
    assert orders(facility)[0]["total"] == 2


def test_unknown_facility_is_added_from_the_file(station: Station) -> None:
    path = write(
        station,
        "Tag,Type,Order Date,License Number,Facility Name\n"
        f"{uid(PLANT_PREFIX, 1)},Plant,2026-11-05,CCL18-0000007,Hill Top\n",
    )
    station.ok("order", "import", path)
    facilities = json.loads(station.ok("facility", "list", "--format", "json").out)
    assert [(f["license_number"], f["facility_name"]) for f in facilities] == [
        ("CCL18-0000007", "Hill Top")
    ]


def test_metrc_tags_json_imports_as_received(facility: Station) -> None:
    tags = [
        {
            "Id": 101,
            "TagInventoryTypeName": "CannabisPackage",
            "Label": uid(PACKAGE_PREFIX, n),
            "FacilityId": 0,
            "GroupTagTypeName": None,
            "MaxGroupSize": 0,
        }
        for n in (1, 2, 3)
    ]
    path = write(facility, json.dumps(tags), "available.json")
    facility.ok("order", "import", path, "--license", LICENSE, "--order-date", "2026-10-01")
    listed = orders(facility)
    assert (listed[0]["received"], listed[0]["type"]) == (3, "package")
    audit = json.loads(facility.ok("audit", "--format", "json").out)
    assert audit[-1]["action"] == "order.import" and len(audit[-1]["uids"]) == 3
    tag = json.loads(facility.ok("tag", uid(PACKAGE_PREFIX, 2), "--format", "json").out)
    assert (tag["status"], tag["order_date"]) == ("received", "2026-10-01")
    received_at = dt.datetime.fromisoformat(tag["received_at"])
    assert abs(received_at - dt.datetime.fromisoformat(audit[-1]["at"])) < dt.timedelta(seconds=5)


CSV_HEADER = "Tag,Type,Order Date\n"
T1 = uid(PLANT_PREFIX, 1)


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("", "is empty"),
        ("  \r\n\n", "is empty"),
        (codecs.BOM_UTF8.decode() + "\r\n", "is empty"),
        ("Tag,Type,Order Date\n", "has a header but no tag rows"),
        (
            "UID Code,Type\n1A4060300002EE2000000001,Plant\n",
            "missing columns: need 'Tag' (or 'Label'), or 'Start Tag' and 'End Tag' "
            "(or 'First' and 'Last'); found 'UID Code', 'Type'",
        ),
        ("Start Tag,Type\n1A4060300002EE2000000001,Plant\n", "missing columns"),
        (
            "Tag,Start Tag,End Tag\nA,B,C\n",
            "use either a 'Tag' column or 'Start Tag' and 'End Tag' columns, not both",
        ),
        ("Tag,Tag\nA,B\n", "column 'Tag' appears twice"),
        (
            CSV_HEADER + f"{T1},Plant,2026-11-05\n1A4060300002EE200000002,Plant,2026-11-05\n",
            "line 3: '1A4060300002EE200000002' is not a UID: it has 23 characters",
        ),
        (
            CSV_HEADER + "1A4060300002EE2000000001,Tree,2026-11-05\n",
            "line 2: unknown tag type 'Tree': expected plant or package",
        ),
        (
            CSV_HEADER + "1A4060300002EE2000000001,Plant,2026-11-31\n",
            "line 2: bad order date '2026-11-31': November 2026 has days 1 to 30, not 31",
        ),
        (
            "Tag,Type\n1A4060300002EE2000000001,Plant\n",
            "line 2: order date missing: add an 'Order Date' column or pass --order-date",
        ),
        (
            "Tag,Order Date\n1A4060300002EE2000000001,2026-11-05\n",
            "line 2: tag type missing: add a 'Type' column or pass --type",
        ),
        (
            CSV_HEADER + f"{T1},Plant,2026-11-05\n{T1},Plant,2026-11-05\n",
            "line 3: 1A4060300002EE2000000001 is already listed on line 2",
        ),
        (
            f"First,Last,Type,Order Date\n{T1},{uid(PLANT_PREFIX, 10)},Plant,2026-11-05\n"
            f"{uid(PLANT_PREFIX, 5)},{uid(PLANT_PREFIX, 20)},Plant,2026-11-05\n",
            "line 3: tags overlap those on line 2",
        ),
        (
            f"First,Last,Type,Order Date\n{uid(PLANT_PREFIX, 10)},{T1},Plant,2026-11-05\n",
            "line 2: range runs backwards",
        ),
        (
            CSV_HEADER + "1A4060300002EE2000000001,Plant,2026-11-05,extra\n",
            "line 2: 4 cells but the header has 3 columns",
        ),
        ("[1]", "tag 1: expected an object with a 'Label'"),
        ('{"Label": "x"}', "missing columns"),
        ("[]", "holds no tags"),
        ('[{"Label": "1A4060300002EE2000000001"}', "line 1: not valid JSON"),
        (
            '[{"Label": "1A4060300002EE2000000001"}]',
            "tag 1: tag type missing: add a 'Type' column or pass --type",
        ),
    ],
)
def test_bad_files_are_refused_and_change_nothing(
    facility: Station, content: str, expected: str
) -> None:
    path = write(facility, content)
    message = facility.refused("order", "import", path, "--license", LICENSE)
    assert message.startswith(path), message
    assert expected in message, message


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (codecs.BOM_UTF16_LE + "Tag\n".encode("utf-16-le"), "is UTF-16 text; save it as UTF-8"),
        (b"Tag,Type\n\xff\xfe1A40,Plant\n", "is not UTF-8 text (byte 0xff at offset 9)"),
        (
            codecs.BOM_UTF8
            + b"Tag,Type,Order Date\r\n1A4060300002EE2000000001,Plant,2026-11-05\r\n"
            + codecs.BOM_UTF8
            + b"Tag,Type,Order Date\n",
            "line 3: a byte-order mark inside the file (two files joined together?)",
        ),
    ],
)
def test_foreign_encodings_and_joined_files_are_refused(
    facility: Station, data: bytes, expected: str
) -> None:
    path = facility.path.parent / "odd.csv"
    path.write_bytes(data)
    assert expected in facility.refused("order", "import", str(path), "--license", LICENSE)


def test_one_bad_row_late_in_a_big_file_imports_nothing(facility: Station) -> None:
    rows = "".join(f"{uid(PLANT_PREFIX, n)},Plant,2026-11-05\n" for n in range(1, 2001))
    path = write(facility, CSV_HEADER + rows + "NOPE,Plant,2026-11-05\n")
    assert "line 2002: 'NOPE' is not a UID" in facility.refused(
        "order", "import", path, "--license", LICENSE
    )


def test_import_overlapping_tags_on_record_changes_nothing(facility: Station) -> None:
    first = write(facility, CSV_HEADER + f"{uid(PLANT_PREFIX, 7)},Plant,2026-11-05\n", "a.csv")
    facility.ok("order", "import", first, "--license", LICENSE)
    second = write(
        facility,
        "First,Last,Type,Order Date\n"
        f"{uid(PACKAGE_PREFIX, 1)},{uid(PACKAGE_PREFIX, 9)},Package,2026-11-05\n"
        f"{uid(PLANT_PREFIX, 1)},{uid(PLANT_PREFIX, 9)},Plant,2026-11-05\n",
        "b.csv",
    )
    assert "is already on record (order 1, ordered)" in facility.refused(
        "order", "import", second, "--license", LICENSE
    )


def test_missing_file(facility: Station, tmp_path: Path) -> None:
    missing = tmp_path / "nope.csv"
    assert facility.refused("order", "import", str(missing)) == f"no such file: {missing}"


def test_every_bad_row_is_reported_in_one_run(facility: Station) -> None:
    """A file with bad rows here and there: each one named (the first 50, then a count),
    and still nothing imported."""
    rows = [f"{uid(PLANT_PREFIX, n)},Plant,2026-11-05" for n in range(1, 201)]
    for n in (3, 50, 51):
        rows[n - 1] = f"{uid(PLANT_PREFIX, n)},Tree,2026-11-05"
    rows[9] = "1A40603000,Plant,2026-11-05"
    rows[99] = rows[98]
    bad_dates = [f"{uid(PACKAGE_PREFIX, n)},Package,2026-13-01" for n in range(1, 61)]
    path = write(facility, CSV_HEADER + "\n".join([*rows, *bad_dates]) + "\n")
    before = facility.dump()
    result = facility("order", "import", path, "--license", LICENSE)
    assert result.code == 1 and facility.dump() == before
    summary, *listed = result.err.splitlines()
    assert summary == f"error: {path} has 65 rows with problems; nothing was imported"
    assert listed[:4] == [
        "  line 4: unknown tag type 'Tree': expected plant or package",
        "  line 11: '1A40603000' is not a UID: it has 10 characters, a UID has 24",
        "  line 51: unknown tag type 'Tree': expected plant or package",
        "  line 52: unknown tag type 'Tree': expected plant or package",
    ]
    assert listed[4] == "  line 202: bad order date '2026-13-01': there is no month 13"
    # The first 50 found, then how many more: the repeat (found last) is among those.
    assert len(listed) == 51 and listed[-1] == "  and 15 more"
    assert "Traceback" not in result.err
