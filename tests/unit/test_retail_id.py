"""Retail ID codes offline: every test vector of Metrc's SDK (reference/retail-id.md §2.2),
both ways, the older base64 form, case flips and what is not a Retail ID."""

from __future__ import annotations

import base64

import pytest
from hypothesis import given
from hypothesis import strategies as st

from station.domain import retail_id
from station.domain.errors import StationError

# (tag, index, current URL on the SDK's demo domain, the older base64 URL)
VECTORS = [
    ("abcdef012345670000027190", 0, "HTTPS://D.1A4.COM/10NOIEYKAJDG6CF0EXGJK",
     "https://d.1a4.com/q83vASNFZwAAAnGQAA"),
    ("abcdef012345670000027190", 1, "HTTPS://D.1A4.COM/10NOIEYKAJDG6CF0EXGJL",
     "https://d.1a4.com/q83vASNFZwAAAnGQAQ"),
    ("abcdef012345670000027190", 128, "HTTPS://D.1A4.COM/78OEAYDSAXRN14AQY5YCCH",
     "https://d.1a4.com/q83vASNFZwAAAnGQgAE"),
    ("abcdef012345670000027190", 485, "HTTPS://D.1A4.COM/78OEAYDSAXRN14AQY5YWAR",
     "https://d.1a4.com/q83vASNFZwAAAnGQ5QM"),
    ("abcdef012345670000027190", 16384, "HTTPS://D.1A4.COM/1FHPHPWI19S4JRYKFMYC8HS1",
     "https://d.1a4.com/q83vASNFZwAAAnGQgIAB"),
]  # fmt: skip


@pytest.mark.parametrize(("tag", "index", "current", "legacy"), VECTORS)
def test_the_sdk_vectors_encode_and_decode(tag: str, index: int, current: str, legacy: str) -> None:
    assert retail_id.url(tag, index, "d.1a4.com") == current
    assert retail_id.decode(current) == retail_id.RetailId(tag.upper(), index)
    assert retail_id.decode(legacy) == retail_id.RetailId(tag.upper(), index)
    # A keyboard-wedge scanner with Caps Lock on, or a phone that lower-cases the URL.
    assert retail_id.decode(current.lower()) == retail_id.RetailId(tag.upper(), index)


def test_a_production_label() -> None:
    scanned = "HTTPS://1A4.COM/5LN8CBN1UB33DON9CHKX"
    assert retail_id.url("1A4060300020081000006609", 1) == scanned
    found = retail_id.decode(scanned)
    assert (found.tag, found.index, found.url) == ("1A4060300020081000006609", 1, scanned)
    assert retail_id.decode("5LN8CBN1UB33DON9CHKX") == found  # the short code alone
    assert retail_id.decode("HTTPS;%%1A4.COM%5LN8CBN1UB33DON9CHKX\r\n") == found  # mangled
    assert retail_id.decode("https://1a4.com/GkBgMAAEG2AAAJKXEQ") == retail_id.RetailId(
        "1A40603000041B6000009297", 17
    )


@pytest.mark.parametrize(
    "scanned",
    [
        "",
        "HTTPS://1A4.COM/",
        "1A4060300002EE1000000001",  # a UID, not a unit code
        "HTTPS://1A4.COM/ZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZ",  # too long for a code
        "HTTPS://1A4.COM/10NOIEYKAJDG6CF0EXGJK\x00",
        "HTTPS://1A4.COM/" + "A" * 300,
        "HTTPS://1A4.COM/ÄÖÜ",
        "HTTPS://1A4.COM/0000000000000000000000",
    ],
)
def test_what_is_not_a_retail_id_is_refused(scanned: str) -> None:
    with pytest.raises(StationError, match="not a Retail ID"):
        retail_id.decode(scanned)
    assert not retail_id.is_retail_id(scanned)


def test_bad_tags_and_indexes_are_refused() -> None:
    with pytest.raises(StationError, match="24 hexadecimal digits"):
        retail_id.url("1A4060300002EE10000000ZZ", 1)
    with pytest.raises(StationError, match="unit index"):
        retail_id.url("1A4060300020081000006609", -1)


@given(
    tag=st.sampled_from(["1a4", "abc"]).flatmap(
        lambda prefix: st.text("0123456789abcdef", min_size=21, max_size=21).map(
            lambda rest: prefix + rest
        )
    ),
    index=st.integers(0, 2**40),
)
def test_every_code_decodes_to_its_tag_and_index(tag: str, index: int) -> None:
    scanned = retail_id.url(tag, index)
    assert scanned == scanned.upper() and scanned.startswith("HTTPS://1A4.COM/")
    assert retail_id.decode(scanned) == retail_id.RetailId(tag.upper(), index)


@given(
    tag=st.sampled_from(
        ["1A4060300020081000006609", "ABCDEF012345670000027190", "1A4FFFFFFFFFFFFFFFFFFFFF"]
    ),
    first=st.integers(0, 2**36),
    count=st.integers(1, 300),
)
def test_a_jobs_urls_are_the_units_urls(tag: str, first: int, count: int) -> None:
    # The fast path for a job's units makes exactly the strings url() makes, across every
    # varint length (the boundaries at 128, 16384, ... included by the ranges drawn).
    indexes = [*range(first, first + count), 127, 128, 16_383, 16_384, 2**35 - 1, 2**35]
    assert list(retail_id.urls(tag, indexes)) == [retail_id.url(tag, i) for i in indexes]


GOOD = "5LN8CBN1UB33DON9CHKX"  # unit 1 of 1A4060300020081000006609


@pytest.mark.parametrize(
    "scanned",
    [
        f"HTTPS://EVIL.COM/{GOOD}",
        f"https://1a4.com.evil.com/{GOOD}",
        f"HTTPS://X1A4.COM/{GOOD}",
        f"HTTPS://EVIL.COM/HTTPS://1A4.COM/{GOOD}",
        f"FTP://1A4.COM/{GOOD}",
        f"1A4.COM.EVIL/{GOOD}",
        "https://evil.com/GkBgMAAEG2AAAJKXEQ",  # an older base64 code, same rule
    ],
)
def test_a_code_under_another_address_is_refused(scanned: str) -> None:
    with pytest.raises(StationError, match="not a Retail ID"):
        retail_id.decode(scanned)
    assert not retail_id.is_unit_scan(scanned)


def test_only_the_one_way_of_writing_a_code_is_taken() -> None:
    """A leading zero, or a varint with a needless continuation byte, names the same unit
    under a code Metrc never issued."""
    tag = "1A4060300020081000006609"
    with pytest.raises(StationError, match="not a Retail ID"):
        retail_id.decode("HTTPS://1A4.COM/0" + GOOD)
    padded = int.from_bytes(bytes.fromhex(tag) + bytes([0x81, 0x00]), "big")
    with pytest.raises(StationError, match="not a Retail ID"):
        retail_id.decode(retail_id._base36(padded))
    legacy = base64.urlsafe_b64encode(bytes.fromhex(tag) + bytes([0x81, 0x00])).decode()
    with pytest.raises(StationError, match="not a Retail ID"):
        retail_id.decode("https://1a4.com/" + legacy.rstrip("="))
    # Index 0 stays valid: labels in the field decode to it (retail-id.md §2.2).
    zero = retail_id.decode("HTTPS://1A4.COM/5LO1I9DSOPW43WR19JI8")
    assert (zero.tag, zero.index) == ("1A41203000020D5000000078", 0)
    assert retail_id.decode(f"https://1a4.com/{GOOD.lower()}").index == 1
