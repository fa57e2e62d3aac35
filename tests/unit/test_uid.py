"""UID normalisation, validation and range arithmetic (docs/user-guide.md, *UIDs*)."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from station.domain.text import show
from station.domain.uid import (
    MAX_SERIAL,
    Run,
    UidError,
    UidRange,
    hex_warning,
    make_uid,
    normalize,
    runs,
    runs_text,
    serial_of,
)

REAL = "1A4060300032964000221615"


@pytest.mark.parametrize(
    "raw",
    [
        REAL,
        f"  {REAL}  ",
        f"{REAL}\r\n",
        f"{REAL}\n",
        f"\t{REAL}",
        REAL.lower(),
        f"]C0{REAL}",
        f"]c1{REAL.lower()}\r\n",
        f"]Q3{REAL}",
    ],
)
def test_scanner_input_is_normalized(raw: str) -> None:
    assert normalize(raw) == REAL


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("", "empty scan"),
        ("   \r\n", "empty scan"),
        (REAL[:23], "it has 23 characters, a UID has 24"),
        (REAL + "0", "it has 25 characters, a UID has 24"),
        (REAL[:10] + "-" + REAL[11:], "'-' at position 11 is not 0-9 or A-Z"),
        (REAL[:12] + "\x1b[31m" + REAL[12:], "contains a control character"),
        (REAL[:12] + "\x00" + REAL[13:], "contains a control character"),
        ("[b]" + REAL[3:], "'[' at position 1 is not 0-9 or A-Z"),
        (REAL[:20] + "ÄÖÜ1", "at position 21 is not 0-9 or A-Z"),
        # Look-alikes that Unicode upper-casing would turn into valid letters or digits.
        (REAL[:22] + "\ufb00", "'\ufb00' at position 23 is not 0-9 or A-Z"),
        (REAL[:22] + "ß", "'ß' at position 23 is not 0-9 or A-Z"),
        (REAL[:23] + "\u0131", "'\u0131' at position 24 is not 0-9 or A-Z"),
        ("\uff11" + REAL[1:], "'\uff11' at position 1 is not 0-9 or A-Z"),
    ],
)
def test_bad_input_is_refused_with_a_precise_message(raw: str, expected: str) -> None:
    with pytest.raises(UidError) as caught:
        normalize(raw)
    message = str(caught.value)
    assert expected in message
    assert "\x1b" not in message and "\x00" not in message and "\n" not in message


def test_shown_input_is_safe_and_short() -> None:
    shown = show("AB\x1b[2J\r\n" + "X" * 100)
    assert shown.startswith("'AB\\x1b[2J\\x0d\\x0a")
    assert shown.endswith("…'")
    assert len(shown) < 80


def test_non_hex_uid_is_valid_but_warned() -> None:
    odd = "ZZZZEF012345670000010001"
    assert normalize(odd) == odd
    assert hex_warning(odd) is not None
    assert hex_warning(REAL) is None


def test_range_refuses_different_prefixes_and_backwards() -> None:
    with pytest.raises(UidError, match="first 16 characters differ"):
        UidRange.between("1A4060300002EE1000000001", "1A4060300002EE2000000009")
    with pytest.raises(UidError, match="range runs backwards"):
        UidRange.between("1A4060300002EE1000000009", "1A4060300002EE1000000001")
    with pytest.raises(UidError, match="not a decimal serial"):
        UidRange.between("1A4060300002EE100000000A", "1A4060300002EE100000000F")
    with pytest.raises(UidError, match="would run past serial"):
        UidRange.counted(make_uid("1A4060300002EE10", MAX_SERIAL), 2)


prefixes = st.text(alphabet="0123456789ABCDEF", min_size=16, max_size=16)
serials = st.integers(min_value=0, max_value=MAX_SERIAL)


@given(prefixes, serials, serials)
def test_range_quantity_is_last_minus_first_plus_one(prefix: str, a: int, b: int) -> None:
    first, last = sorted((a, b))
    rng = UidRange.between(make_uid(prefix, first), make_uid(prefix, last))
    assert rng.quantity == last - first + 1
    assert rng.first_uid == make_uid(prefix, first)
    assert rng.last_uid == make_uid(prefix, last)
    assert UidRange.counted(rng.first_uid, rng.quantity) == rng
    assert rng.first_uid in rng and rng.last_uid in rng
    if first > 0:
        assert make_uid(prefix, first - 1) not in rng
    if last < MAX_SERIAL:
        assert make_uid(prefix, last + 1) not in rng


@given(prefixes, st.integers(0, MAX_SERIAL - 300), st.integers(1, 300))
def test_iterating_a_range_yields_consecutive_uids(prefix: str, first: int, count: int) -> None:
    rng = UidRange.counted(make_uid(prefix, first), count)
    uids = list(rng)
    assert len(uids) == count == len(rng)
    assert uids == sorted(uids), "UID order must match serial order"
    assert [serial_of(uid) for uid in uids] == list(range(first, first + count))
    assert all(len(uid) == 24 and uid.startswith(prefix) for uid in uids)


@given(prefixes, serials, serials, serials, serials)
def test_overlap_is_symmetric_and_matches_shared_uids(
    prefix: str, a: int, b: int, c: int, d: int
) -> None:
    one = UidRange(prefix, *sorted((a, b)))
    two = UidRange(prefix, *sorted((c, d)))
    shared = max(one.first, two.first) <= min(one.last, two.last)
    assert one.overlaps(two) == two.overlaps(one) == shared


@given(st.sets(st.integers(0, 400), min_size=1, max_size=120), prefixes)
def test_runs_partition_uids_into_maximal_consecutive_runs(
    serial_set: set[int], prefix: str
) -> None:
    uids = [make_uid(prefix, serial) for serial in serial_set]
    found = runs(uids + uids[:3])  # repeats count once
    assert sum(run.count for run in found) == len(serial_set)
    rebuilt = [uid for run in found for uid in run.uids()]
    assert rebuilt == sorted(uids)
    for before, after in itertools.pairwise(found):
        # Maximal: a gap separates every run from the next.
        assert serial_of(after.first_uid) - serial_of(before.last_uid) > 1  # type: ignore[operator]


def test_runs_keep_non_decimal_uids_alone() -> None:
    odd = "1A4060300002EE100000000A"
    assert runs([odd, "1A4060300002EE1000000009"]) == [
        Run("1A4060300002EE1000000009", "1A4060300002EE1000000009", 1),
        Run(odd, odd, 1),
    ]


def test_runs_text_reads_runs_not_uids() -> None:
    serials = [*range(1, 501), 600, 700, 701, *range(800, 900, 10)]
    text = runs_text([make_uid("1A4060300002EE10", n) for n in serials])
    first = make_uid("1A4060300002EE10", 1)
    assert text.startswith(f"{first}..{make_uid('1A4060300002EE10', 500)} (500 tags), ")
    assert text.endswith(", and 8 more runs")  # 13 runs in all
    assert runs_text([]) == "none"
    assert runs_text([first, first]) == first
