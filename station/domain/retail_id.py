"""Metrc Retail ID codes, offline: a unit's QR URL from its tag and index, and back.

The content (Metrc's SDK-JS 0.10.1, ``../shared/reference/retail-id.md`` §2): the 12 bytes of
the tag read as hex, then the unit index as an unsigned LEB128 varint; the whole as one
big-endian number in base 36, upper case, after ``HTTPS://1A4.COM/``. Older labels carry the
same bytes as URL-safe base64 without padding. There is no checksum: a decoded code is only
well-formed, and whether Metrc issued it is for Metrc to say.
"""

from __future__ import annotations

import base64
import binascii
import re
import string
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from station.domain.errors import StationError
from station.domain.text import show

DOMAIN = "1A4.COM"
_DIGITS = string.digits + string.ascii_uppercase
_TAG_BYTES = 12
# The tag prefixes the SDK accepts: production tags, and the documentation's sandbox tags.
PREFIXES = ("1a4", "abc")
# The longest input looked at (a scan with a prefix or suffix), and the longest short code:
# a 12-byte tag and a varint up to 2**63 need 28 base-36 digits.
_MAX_SCAN = 200
_MAX_CODE = 28
_MAX_INDEX = 2**63 - 1
# Keyboard layouts can mangle ':' and '/': the code is the trailing run of letters and digits
# (base64's '-' and '_' too, for the older codes).
_CODE = re.compile(r"([0-9A-Za-z_-]{1,64})\s*$")
_BASE36 = re.compile(r"([0-9A-Za-z]+)$")
# What may stand before the code: nothing (a bare code typed or pasted), or Metrc's domain
# with or without a scheme, its ':' and '/' possibly mangled by a keyboard layout (any one to
# three characters that are not letters or digits). D.1A4.COM is the demo domain of Metrc's
# own SDK examples and test vectors (retail-id.md §2.1). A code under any other address is
# not Metrc's, however well it decodes.
_ADDRESS = re.compile(r"(?:HTTPS?[^0-9A-Z]{1,3})?(?:D\.)?1A4\.COM[^0-9A-Z]", re.I)


@dataclass(frozen=True)
class RetailId:
    tag: str
    """The package's UID, upper case (24 hex digits)."""
    index: int
    """The unit's number within the package's issuance."""

    @property
    def url(self) -> str:
        return url(self.tag, self.index)

    @property
    def short_code(self) -> str:
        return short_code(self.tag, self.index)


def short_code(tag: str, index: int) -> str:
    """The base-36 code for unit ``index`` of ``tag`` (the SDK's ``getShortUrl`` data part)."""
    return _base36(int.from_bytes(_tag_bytes(tag) + _varint(index), "big"))


def url(tag: str, index: int, domain: str = DOMAIN) -> str:
    """What the unit's QR code carries: ``HTTPS://1A4.COM/<code>``, all upper case (so the
    whole URL is in QR's alphanumeric set)."""
    return f"HTTPS://{domain}/{short_code(tag, index)}".upper()


def urls(tag: str, indexes: Iterable[int], domain: str = DOMAIN) -> Iterator[str]:
    """:func:`url` for each of a package's ``indexes``: the same strings, made faster for a
    job of thousands of units. The code is (tag << varint bits) + varint; the tag's part is
    split once into digits above and below 36**8, so each unit costs two small divisions
    instead of a dozen on a 160-bit number."""
    head = int.from_bytes(_tag_bytes(tag), "big")
    prefix = f"HTTPS://{domain}/".upper()
    split: dict[int, tuple[int, int]] = {}  # varint bytes -> the tag's high digits, low part
    highs: dict[int, str] = {}
    for index in indexes:
        if 0 <= index < 0x80:
            length, value = 1, index  # the varint is the index itself
        elif 0x80 <= index < 2**35:
            # The varint's bytes, low 7 bits first, each with the "more" bit but the last.
            length, value, rest = 0, 0, index
            while rest >= 0x80:
                value = (value << 8) | (rest & 0x7F) | 0x80
                rest >>= 7
                length += 1
            length, value = length + 1, (value << 8) | rest
        else:  # out of range (refused there), or a varint too long for the low digits
            yield url(tag, index, domain)
            continue
        parts = split.get(length)
        if parts is None:
            parts = split[length] = divmod(head << (8 * length), _LOW)
        high, low = parts
        low += value
        if low >= _LOW:
            high, low = high + 1, low - _LOW
        text = highs.get(high)
        if text is None:
            text = highs[high] = _base36(high)
        rest, c = divmod(low, _TRIPLE)
        a, b = divmod(rest, _TRIPLE)
        yield prefix + text + _TRIPLES[a][1:] + _TRIPLES[b] + _TRIPLES[c]


# Every three-digit base-36 string: a 160-bit code takes 11 divisions instead of 31.
_TRIPLES = [a + b + c for a in _DIGITS for b in _DIGITS for c in _DIGITS]
_TRIPLE = 36**3
# The low eight digits (a varint of up to 5 bytes is below it).
_LOW = 36**8


def _base36(number: int) -> str:
    parts = []
    while number >= _TRIPLE:
        number, rest = divmod(number, _TRIPLE)
        parts.append(_TRIPLES[rest])
    parts.append(_TRIPLES[number].lstrip("0") or "0")
    return "".join(reversed(parts))


def decode(scanned: str) -> RetailId:
    """The tag and index in a scanned Retail ID URL or short code; refused, with why, when it
    is not one. Base 36 first (current codes, any case), then the older base64."""
    text = scanned.strip()
    # Not only ASCII: a scanner typing through another keyboard layout turns ':' into 'Ö'.
    if not text or len(text) > _MAX_SCAN or not text.isprintable():
        raise StationError("not a Retail ID: expected a URL such as HTTPS://1A4.COM/5LN8...")
    found = _CODE.search(text)
    if found is None:
        raise StationError("not a Retail ID: no code after the address")
    code = found.group(1)
    # The base-36 code is the trailing run of letters and digits: a '/' mangled into '-'
    # then still ends it. (An older base64 code may hold '-' itself; a mangled one of those
    # cannot be told apart and is refused.)
    base36 = _BASE36.search(code)
    part36 = base36.group(1) if base36 else ""
    attempts = (
        (_from_base36, part36, text[: len(text) - len(part36)]),
        (_from_base64, code, text[: found.start(1)]),
    )
    foreign = False
    for attempt, part, address in attempts:
        data = attempt(part)
        parsed = _parsed(data) if data is not None else None
        if parsed is None or not _canonical(parsed, part, attempt is _from_base36):
            continue
        if address and not _ADDRESS.fullmatch(address.strip()):
            foreign = True
            continue
        return parsed
    if foreign:
        raise StationError(f"not a Retail ID: a code under {show(text[:60])}, not Metrc's {DOMAIN}")
    raise StationError(
        f"not a Retail ID: {show(code[:40])} does not decode to a 1A4 tag and a unit number"
    )


def is_retail_id(scanned: str) -> bool:
    try:
        decode(scanned)
    except StationError:
        return False
    return True


def is_unit_scan(scanned: str) -> bool:
    """Whether a scan is a Retail ID unit rather than a tag: a URL (its scheme, however a
    keyboard layout mangled what follows) that decodes. A bare code could also be a UID, and
    a scanned tag is the commoner case, so a bare code is not taken for a unit."""
    text = scanned.strip()
    return text[:4].lower() == "http" and is_retail_id(text)


def _tag_bytes(tag: str) -> bytes:
    text = tag.strip()
    if len(text) != 2 * _TAG_BYTES or not all(c in string.hexdigits for c in text):
        raise StationError(f"a Retail ID's tag is 24 hexadecimal digits, not {text[:40]!r}")
    return bytes.fromhex(text)


def _varint(index: int) -> bytes:
    if not 0 <= index <= _MAX_INDEX:
        raise StationError(f"a unit index is 0 to {_MAX_INDEX:,}, not {index}")
    out = bytearray()
    while index >= 0x80:
        out.append((index & 0x7F) | 0x80)
        index >>= 7
    out.append(index)
    return bytes(out)


def _from_base36(code: str) -> bytes | None:
    if not code or len(code) > _MAX_CODE or not code.isalnum():
        return None
    number = int(code, 36)
    return number.to_bytes((number.bit_length() + 7) // 8, "big")


def _from_base64(code: str) -> bytes | None:
    if len(code) > 64:
        return None
    try:
        return base64.urlsafe_b64decode(code + "=" * (-len(code) % 4))
    except (binascii.Error, ValueError):
        return None


def _canonical(parsed: RetailId, code: str, base36: bool) -> bool:
    """Whether ``code`` is the one way of writing ``parsed``: no leading zeros, and the
    shortest varint (a code written another way names the same unit under a second code,
    which is not one Metrc issued)."""
    if base36:
        return code.upper() == short_code(parsed.tag, parsed.index)
    data = _tag_bytes(parsed.tag) + _varint(parsed.index)
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=") == code


def _parsed(data: bytes) -> RetailId | None:
    """The SDK's strict reading: 12 tag bytes with a known prefix, then exactly one varint."""
    if len(data) <= _TAG_BYTES:
        return None
    tag = data[:_TAG_BYTES].hex()
    if not tag.startswith(PREFIXES):
        return None
    index, shift = 0, 0
    rest = data[_TAG_BYTES:]
    for position, byte in enumerate(rest):
        index |= (byte & 0x7F) << shift
        shift += 7
        if not byte & 0x80:
            if position != len(rest) - 1 or index > _MAX_INDEX:
                return None  # bytes after the varint, or a number no index reaches
            return RetailId(tag.upper(), index)
    return None  # the varint never ended
