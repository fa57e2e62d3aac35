"""Metrc's Retail ID calls (``/retailid/v2/*``) and their answers, read defensively.

Shapes are from ``../shared/reference/retail-id.md`` §1: the documentation's examples are
verified, several of their values are placeholders, and some fields are only inferred.
Everything Metrc sends is checked on the way in: types, sizes, and index ranges that are
ordered, within bounds and add up; an answer that is not understood is a one-line error.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import pairwise
from typing import Any, Protocol, TypeVar
from urllib.parse import quote

from station.domain.text import printable
from station.metrc.client import MetrcError, MetrcUnsure

ALLOTMENT = "/retailid/v2/allotment"
GENERATE = "/retailid/v2/generate"
ASSOCIATE = "/retailid/v2/associate"
PACKAGES_INFO = "/retailid/v2/packages/info"
RECEIVE = "/retailid/v2/receive/{label}"
RECEIVE_QR = "/retailid/v2/receive/qr/{code}"

# The most units one package's codes may number here, and the most ranges they may come in:
# far above any real batch, and low enough that a hostile answer cannot make the station
# build millions of codes.
MAX_UNITS = 1_000_000
MAX_RANGES = 10_000
# [I] Indexes are a varint after the tag; the SDK's examples stay far below this.
MAX_INDEX = 2**32 - 1
_Shape = TypeVar("_Shape")

Ranges = list[tuple[int, int]]


class RetailCaller(Protocol):
    license_number: str

    def get(self, path: str) -> Any: ...

    def post(self, path: str, body: Any) -> Any: ...


@dataclass(frozen=True)
class Issued:
    issuance_id: str | None
    ranges: Ranges


@dataclass(frozen=True)
class PackageInfo:
    tag: str
    qr_count: int
    issuance_id: str | None
    issuances: list[int]  # each issuance's LabelQuantity, in Metrc's order


@dataclass(frozen=True)
class Units:
    """What Metrc holds for a package's units (``receive`` calls)."""

    qr_count: int
    ranges: Ranges
    child_tag: str | None
    sibling_tags: list[str]
    requires_verification: bool


def allotment(client: RetailCaller) -> int:
    """The facility's remaining Retail ID quota. [V] The documentation shows one object;
    [I] a client in the wild reads a list of them, so a one-element list is taken too."""
    from station.metrc import retail_answers as answers

    return _read(_one(client.get(ALLOTMENT)), answers.Allotment, ALLOTMENT).Allotment


def generate(client: RetailCaller, label: str, quantity: int) -> Issued:
    """Ask Metrc for ``quantity`` codes for the package ``label``. [V] The body is one object."""
    from station.metrc import retail_answers as answers

    answer = client.post(GENERATE, {"PackageLabel": label, "Quantity": quantity})
    try:
        # [I] One object, or a list of one as for the allotment.
        read = _read(_one(answer), answers.Generated, GENERATE)
        return Issued(_short(read.IssuanceId, GENERATE), _ranges(read.Manifest.Ranges, GENERATE))
    except MetrcError as exc:
        # Metrc said yes in a way the station cannot read: codes were likely issued, and
        # the next generate must settle from what Metrc holds rather than ask again.
        raise MetrcUnsure(str(exc)) from None


def packages_info(client: RetailCaller, labels: list[str]) -> dict[str, PackageInfo]:
    """Metrc's Retail ID counts for ``labels``, by upper-case label. [V] camelCase body."""
    from station.metrc import retail_answers as answers

    answer = client.post(PACKAGES_INFO, {"packageLabels": labels})
    packages = _read(answer, answers.PackagesInfo, PACKAGES_INFO).Packages
    if len(packages) > len(labels):
        raise _odd(PACKAGES_INFO, "Packages is not a list of the packages asked about")
    found: dict[str, PackageInfo] = {}
    for package in packages:
        tag = _short(package.Tag, PACKAGES_INFO)
        assert tag is not None  # the schema requires a Tag
        found[tag.upper()] = PackageInfo(
            tag.upper(),
            package.QrCount,
            _short(package.IssuanceId, PACKAGES_INFO),
            [issuance.LabelQuantity for issuance in package.Issuances or []],
        )
    return found


def receive(client: RetailCaller, label: str) -> Units | None:
    """The units Metrc holds for the package ``label`` (None: Metrc knows no such package)."""
    return _units(client.get(RECEIVE.format(label=quote(label, safe=""))), RECEIVE)


def receive_qr(client: RetailCaller, short_code: str) -> Units | None:
    """What Metrc holds for a scanned unit's short code (None: not a code Metrc issued)."""
    return _units(client.get(RECEIVE_QR.format(code=quote(short_code, safe=""))), RECEIVE_QR)


def associate(client: RetailCaller, package: str, urls: list[str]) -> int:
    """Tell Metrc the units ``urls`` are in ``package``; [V] the body is an array of
    ``{PackageLabel, QrUrls}``. Returns how many objects Metrc said it added or replaced."""
    from station.metrc import retail_answers as answers

    answer = client.post(ASSOCIATE, [{"PackageLabel": package, "QrUrls": urls}])
    if answer is None:
        return 0
    ids = _read(answer, answers.Associated, ASSOCIATE).Ids
    return len(ids) if ids is not None else 0


# --- reading answers -------------------------------------------------------------------


def _units(answer: Any, path: str) -> Units | None:
    from station.metrc import retail_answers as answers

    if answer is None:
        return None
    read = _read(answer, answers.Received, path)
    child = _short(read.ChildTag, path)
    return Units(
        qr_count=read.QrCount,
        ranges=_ranges(read.Ranges or [], path),
        child_tag=child.upper() if child else None,
        sibling_tags=[printable(str(tag), 30).upper() for tag in read.SiblingTags or []],
        requires_verification=read.RequiresVerification is True,
    )


def _read(answer: Any, shape: type[_Shape], path: str) -> _Shape:
    """``answer`` checked against its declared shape, or a one-line error naming where in
    it the first problem is."""
    import msgspec

    try:
        return msgspec.convert(answer, shape)
    except msgspec.ValidationError as exc:
        raise _odd(path, printable(str(exc), 160)) from None


def _one(answer: Any) -> Any:
    return answer[0] if isinstance(answer, list) and len(answer) == 1 else answer


def _ranges(pairs: list[tuple[int, int]], path: str) -> Ranges:
    """``[[first, last], ...]`` (whole numbers in bounds, as the shape says): first ≤ last,
    not overlapping, at most :data:`MAX_UNITS` units in all."""
    total = 0
    for first, last in pairs:
        if first > last:
            raise _odd(path, "Ranges holds something other than [first, last] index pairs")
        total += last - first + 1
        if total > MAX_UNITS:
            raise _odd(path, f"Ranges count more than {MAX_UNITS:,} units")
    ranges = [(first, last) for first, last in pairs]
    if any(a[1] >= b[0] for a, b in pairwise(sorted(ranges))):
        raise _odd(path, "Ranges overlap")
    return ranges


def _short(text: str | None, path: str) -> str | None:
    """A name or id Metrc gave (the shape bounds its length): printable, or refused."""
    if text is not None and not text.isprintable():
        raise _odd(path, f"{text!r} is not a short text")
    return text


def _odd(path: str, why: str) -> MetrcError:
    return MetrcError(f"Metrc's answer to {path} is not understood: {why}")


def count_units(ranges: Ranges) -> int:
    return sum(last - first + 1 for first, last in ranges)
