"""Every refused case: exit 1, one plain ``error:`` line, and the database unchanged."""

from __future__ import annotations

import pytest

from tests.helpers.station import LICENSE, PACKAGE_PREFIX, PLANT_PREFIX, Station, uid

GOOD = uid(PACKAGE_PREFIX, 1)
MALFORMED = [
    (GOOD[:23], "it has 23 characters, a UID has 24"),
    (GOOD + "0", "it has 25 characters, a UID has 24"),
    (GOOD[:5] + "#" + GOOD[6:], "'#' at position 6 is not 0-9 or A-Z"),
    (GOOD[:5] + "\x1b[31m" + GOOD[10:], "contains a control character"),
    ("[b]" + GOOD[3:], "'[' at position 1 is not 0-9 or A-Z"),
    ("[red]boom[/red]", "'[' at position 1 is not 0-9 or A-Z"),
    # A range typed as the docs write it in prose.
    (f"{GOOD}..{uid(PACKAGE_PREFIX, 9)}", "is not a UID: give a range as two UIDs, FIRST LAST"),
]


@pytest.mark.parametrize(("bad", "expected"), MALFORMED)
def test_malformed_uids_are_refused_everywhere(received: Station, bad: str, expected: str) -> None:
    commands = [
        (
            "order",
            "add",
            "--license",
            LICENSE,
            "--type",
            "package",
            "--first",
            bad,
            "--count",
            "5",
            "--order-date",
            "2026-11-20",
        ),
        ("receive", bad),
        ("receive", GOOD, bad),
        ("void", bad, "--reason", "torn"),
        ("tag", bad),
        ("audit", "--uid", bad),
    ]
    for command in commands:
        message = received.refused(*command)
        assert expected in message, (command, message)
        assert "\x1b" not in message
    assert expected in received.refused("receive", "-", stdin=f"{GOOD}\n{bad}\n")
    message = received.refused(
        "assign",
        "package",
        "--tags",
        "-",
        "--item",
        "X",
        "--quantity",
        "1",
        "--unit",
        "Each",
        stdin=f"{uid(PACKAGE_PREFIX, 9)}\n{bad}\n",
    )
    assert message.startswith("line 2: ") and expected in message


def test_a_bad_scan_among_good_ones_receives_nothing(stocked: Station) -> None:
    scans = "\n".join(
        [uid(PLANT_PREFIX, 1), uid(PLANT_PREFIX, 2), "NOT-A-TAG", uid(PLANT_PREFIX, 3)]
    )
    assert stocked.refused("receive", "-", stdin=scans).startswith(
        "line 3: 'NOT-A-TAG' is not a UID"
    )


def test_range_with_different_prefixes_or_running_backwards(stocked: Station) -> None:
    add = ("order", "add", "--license", LICENSE, "--type", "plant", "--order-date", "2026-11-20")
    other = "1A4060300002EE30" + "00000009"
    assert "first 16 characters differ" in stocked.refused(
        *add, "--first", "1A4060300002EE3100000001", "--last", other
    )
    assert "range runs backwards" in stocked.refused(
        *add, "--first", other, "--last", "1A4060300002EE3000000001"
    )
    assert "first 16 characters differ" in stocked.refused(
        "receive", uid(PACKAGE_PREFIX, 1), uid(PLANT_PREFIX, 5)
    )
    assert "range runs backwards" in stocked.refused(
        "receive", uid(PACKAGE_PREFIX, 9), uid(PACKAGE_PREFIX, 1)
    )


def test_order_overlapping_tags_on_record(stocked: Station) -> None:
    message = stocked.refused(
        "order",
        "add",
        "--license",
        LICENSE,
        "--type",
        "package",
        "--first",
        uid(PACKAGE_PREFIX, 490),
        "--count",
        "20",
        "--order-date",
        "2026-11-21",
    )
    assert message == (
        f"{uid(PACKAGE_PREFIX, 490)} is already on record (order 1, ordered); "
        "an order cannot overlap tags on record"
    )


def test_unknown_facility(station: Station) -> None:
    station.ok("facility", "list")  # the database exists, with its schema
    message = station.refused(
        "order",
        "add",
        "--license",
        "C11-9999999-LIC",
        "--type",
        "package",
        "--first",
        GOOD,
        "--count",
        "5",
        "--order-date",
        "2026-11-20",
    )
    assert message == (
        "unknown facility 'C11-9999999-LIC': add it with "
        "'station facility add C11-9999999-LIC NAME'"
    )


def test_duplicate_facility_and_empty_name(stocked: Station) -> None:
    assert stocked.refused("facility", "add", LICENSE, "Other") == (
        f"facility {LICENSE} is already on record"
    )
    assert stocked.refused("facility", "add", "C11-2", "  ") == "facility name is empty"


def test_receiving_a_tag_on_no_order(stocked: Station) -> None:
    stray = uid(PACKAGE_PREFIX, 501)
    assert stocked.refused("receive", stray) == (
        f"1 of the 1 tags in {stray} are on no order (first: {stray}); record the order first"
    )
    assert stocked.refused("receive", uid(PACKAGE_PREFIX, 495), uid(PACKAGE_PREFIX, 510)) == (
        f"10 of the 16 tags in {uid(PACKAGE_PREFIX, 495)}..{uid(PACKAGE_PREFIX, 510)} (16 tags) "
        f"are on no order (first: {stray}); record the order first"
    )
    assert stocked.refused("receive", "-", stdin=f"{GOOD}\n{stray}\n") == (
        f"{stray} is on no order; record the order first"
    )


def test_receiving_nothing_new(received: Station) -> None:
    assert received.refused("receive", GOOD) == "nothing to receive: the tags are 1 received"


@pytest.mark.parametrize(
    ("setup", "expected"),
    [
        ([], "is ordered, not received; receive it before assigning it"),
        ([("void", "{tag}", "--reason", "torn")], "is voided; a voided tag is never reused"),
    ],
)
def test_assigning_a_tag_that_is_not_received_says_its_state(
    stocked: Station, setup: list[tuple[str, ...]], expected: str
) -> None:
    tag = uid(PACKAGE_PREFIX, 3)
    for command in setup:
        stocked.ok(*(part.format(tag=tag) for part in command))
    message = stocked.refused(
        "assign",
        "package",
        "--tags",
        "-",
        "--item",
        "X",
        "--quantity",
        "1",
        "--unit",
        "Each",
        stdin=tag,
    )
    assert message == f"{tag} {expected}"


def test_assigning_a_used_tag_or_a_tag_of_the_wrong_type(received: Station) -> None:
    package = ("assign", "package", "--tags", "-", "--item", "X", "--quantity", "1", "--unit", "g")
    received.ok(*package, stdin=GOOD)
    assert received.refused(*package, stdin=GOOD) == (
        f"{GOOD} is used (assignment 1); a used tag is never reused"
    )
    plant = uid(PLANT_PREFIX, 1)
    assert received.refused(*package, stdin=plant) == (
        f"{plant} is a plant tag; this assignment needs package tags"
    )
    assert received.refused(*package, stdin=uid(PACKAGE_PREFIX, 999)) == (
        f"{uid(PACKAGE_PREFIX, 999)} is on no order; only received tags can be assigned"
    )


def test_assigning_more_tags_than_are_on_hand_says_how_many(received: Station) -> None:
    message = received.refused("assign", "plant", "--count", "101", "--strain", "OG Kush")
    assert message == f"only 100 received plant tags are on hand at {LICENSE}; asked for 101"


def test_assign_needs_license_when_several_facilities_hold_tags(received: Station) -> None:
    received.ok("facility", "add", "CCL18-0000002", "North Farm")
    received.ok(
        "order",
        "add",
        "--license",
        "CCL18-0000002",
        "--type",
        "plant",
        "--first",
        "1A4060300009990000000001",
        "--count",
        "10",
        "--order-date",
        "2026-11-01",
    )
    received.ok("receive", "1A4060300009990000000001", "1A4060300009990000000010")
    assert received.refused("assign", "plant", "--count", "1", "--strain", "OG") == (
        "--license is required: received plant tags are on hand at 2 facilities "
        f"({LICENSE}, CCL18-0000002)"
    )
    result = received.ok(
        "assign", "plant", "--count", "1", "--strain", "OG", "--license", "ccl18-0000002"
    )
    assert result.lines == ["1A4060300009990000000001"]
    mixed = f"{uid(PLANT_PREFIX, 1)}\n1A4060300009990000000002\n"
    assert "the tags belong to 2 facilities" in received.refused(
        "assign", "plant", "--tags", "-", "--strain", "OG", stdin=mixed
    )


def test_voiding_a_used_or_voided_tag_changes_nothing(received: Station) -> None:
    received.ok(
        "assign", "package", "--count", "1", "--item", "X", "--quantity", "1", "--unit", "g"
    )
    assert received.refused("void", uid(PACKAGE_PREFIX, 2), GOOD, "--reason", "lost") == (
        f"{GOOD} is used (assignment 1); a used tag cannot be voided"
    )
    received.ok("void", uid(PACKAGE_PREFIX, 2), "--reason", "lost")
    assert received.refused("void", uid(PACKAGE_PREFIX, 2), "--reason", "lost") == (
        f"{uid(PACKAGE_PREFIX, 2)} is already voided"
    )
    assert received.refused("void", uid(PACKAGE_PREFIX, 3), "--reason", " ") == (
        "void reason is empty"
    )


@pytest.mark.parametrize(
    ("date", "expected"),
    [
        ("2026-02-30", "bad order date '2026-02-30': February 2026 has days 1 to 28, not 30"),
        (
            "20/11/2026",
            "bad order date '20/11/2026': there is no month 20 (Metrc's form is MM/DD/YYYY)",
        ),
        ("yesterday", "bad order date 'yesterday': expected YYYY-MM-DD"),
        ("2999-01-01", "bad order date 2999-01-01: it is after today"),
    ],
)
def test_bad_order_dates(stocked: Station, date: str, expected: str) -> None:
    message = stocked.refused(
        "order",
        "add",
        "--license",
        LICENSE,
        "--type",
        "package",
        "--first",
        uid(PACKAGE_PREFIX, 600),
        "--count",
        "5",
        "--order-date",
        date,
    )
    assert message.startswith(expected)


@pytest.mark.parametrize(
    ("option", "value", "expected"),
    [
        ("--date", "2026-13-01", "bad packaged date '2026-13-01': there is no month 13"),
        ("--quantity", "-2", "bad quantity '-2': it must be more than 0"),
        ("--quantity", "lots", "bad quantity 'lots': expected a number"),
        ("--quantity", "NaN", "bad quantity 'NaN': it must be more than 0"),
        ("--quantity", "1e309", "bad quantity '1e309': it must be under 10,000,000,000"),
        ("--quantity", "9" * 5000, "bad quantity '" + "9" * 40 + "…': expected a number"),
        ("--item", "  ", "item is empty"),
        (
            "--unit",
            "bananas",
            "unknown unit of measure 'bananas': use one of Metrc's: Each, Grams, Kilograms, "
            "Milligrams, Ounces, Pounds, Fluid Ounces, Gallons, Liters, Milliliters, Pints, "
            "Quarts",
        ),
        (
            "--date",
            "1999-12-31",
            "bad packaged date 1999-12-31: it is before 2017, when Metrc's tracking began in "
            "California",
        ),
    ],
)
def test_bad_package_details(received: Station, option: str, value: str, expected: str) -> None:
    args = {"--item": "Flower", "--quantity": "1", "--unit": "Grams", option: value}
    flat = [part for pair in args.items() for part in pair]
    assert received.refused("assign", "package", "--count", "2", *flat) == expected


def test_bad_growth_phase(received: Station) -> None:
    assert (
        received.refused(
            "assign", "plant", "--count", "1", "--strain", "OG", "--phase", "Sprouting"
        )
        == "unknown growth phase 'Sprouting': use Immature, Vegetative, Flowering"
    )


def test_usage_errors_exit_2(station: Station) -> None:
    result = station("order", "add", "--license", LICENSE)
    assert result.code == 2 and "Missing option" in result.err
    result = station(
        "order",
        "add",
        "--license",
        LICENSE,
        "--type",
        "package",
        "--first",
        GOOD,
        "--order-date",
        "2026-11-20",
    )
    assert result.code == 2 and "give exactly one of --last and --count" in result.err
    assert station("assign", "plant", "--strain", "X").code == 2
    assert station("frobnicate").code == 2


@pytest.mark.sqlite_only
def test_an_unopenable_database_is_a_one_line_error(tmp_path: object, station: Station) -> None:
    station.path.write_bytes(b"this is not a database" * 100)
    result = station("facility", "list")
    assert result.code == 1 and result.err.startswith("error: ") and result.err.count("\n") == 1


def test_tags_file_that_is_missing_or_not_utf8(received: Station) -> None:
    assign = ("assign", "plant", "--strain", "OG", "--tags")
    missing = received.path.parent / "missing.txt"
    assert received.refused(*assign, str(missing)) == f"no such file: {missing}"
    utf16 = received.path.parent / "utf16.txt"
    utf16.write_text(uid(PLANT_PREFIX, 1), encoding="utf-16")
    assert received.refused(*assign, str(utf16)) == (
        f"{utf16} is UTF-16 text; save it as UTF-8 (CSV UTF-8)"
    )
    empty = received.path.parent / "empty.txt"
    empty.write_text("\n\n")
    assert received.refused(*assign, str(empty)) == f"{empty} is empty"


def test_a_count_that_disagrees_with_the_scanned_tags_is_a_usage_error(received: Station) -> None:
    before = received.dump()
    scanned = f"{uid(PLANT_PREFIX, 1)}\n{uid(PLANT_PREFIX, 2)}\n"
    result = received("assign", "plant", "--strain", "OG", "--tags", "-", "--count", "5",
                      stdin=scanned)  # fmt: skip
    assert result.code == 2 and "--count 5 but 2 UIDs were given" in result.err
    assert received.dump() == before


def test_a_uid_with_a_letter_o_on_no_order_says_which_letter(received: Station) -> None:
    typed = uid(PACKAGE_PREFIX, 1).replace("00000001", "O0000001")
    hint = "(it has O, which real Metrc tags never have: a letter O for a zero?)"
    assert received.refused("tag", typed) == f"{typed} is on no order {hint}"
    voided = received("void", typed, "--reason", "torn")
    assert voided.code == 1
    assert voided.err.splitlines()[-1] == f"error: {typed} is on no order; nothing to void {hint}"
    # A hexadecimal UID on no order gets no hint: nothing in it is a typing slip.
    other = "1A4060300002EE3000000001"
    assert received.refused("tag", other) == f"{other} is on no order"
    lowercase_l = typed.replace("O", "L")
    assert received.refused("tag", lowercase_l).endswith(
        "(it has L, which real Metrc tags never have: check it was typed correctly)"
    )
