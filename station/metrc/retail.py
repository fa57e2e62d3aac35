"""Metrc's Retail ID calls (``/retailid/v2/*``) and their answers, read defensively.

Shapes are from ``../shared/reference/retail-id.md`` §1: the documentation's examples are
verified, several of their values are placeholders, and some fields are only inferred.
Everything Metrc sends is checked on the way in: types, sizes, and index ranges that are
ordered, within bounds and add up; an answer that is not understood is a one-line error.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import pairwise
from typing import Any, Protocol
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
    answer = client.get(ALLOTMENT)
    if isinstance(answer, list) and len(answer) == 1:
        answer = answer[0]
    value = _field(answer, "Allotment", ALLOTMENT)
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 10**9:
        raise _odd(ALLOTMENT, "Allotment is not a count")
    return value


def generate(client: RetailCaller, label: str, quantity: int) -> Issued:
    """Ask Metrc for ``quantity`` codes for the package ``label``. [V] The body is one object."""
    answer = client.post(GENERATE, {"PackageLabel": label, "Quantity": quantity})
    try:
        if isinstance(answer, list) and len(answer) == 1:
            answer = answer[0]  # [I] as for the allotment
        manifest = _field(answer, "Manifest", GENERATE)
        ranges = _ranges(_field(manifest, "Ranges", GENERATE), GENERATE)
        return Issued(_optional_text(answer, "IssuanceId", GENERATE), ranges)
    except MetrcError as exc:
        # Metrc said yes in a way the station cannot read: codes were likely issued, and
        # the next generate must settle from what Metrc holds rather than ask again.
        raise MetrcUnsure(str(exc)) from None


def packages_info(client: RetailCaller, labels: list[str]) -> dict[str, PackageInfo]:
    """Metrc's Retail ID counts for ``labels``, by upper-case label. [V] camelCase body."""
    answer = client.post(PACKAGES_INFO, {"packageLabels": labels})
    packages = _field(answer, "Packages", PACKAGES_INFO)
    if not isinstance(packages, list) or len(packages) > len(labels):
        raise _odd(PACKAGES_INFO, "Packages is not a list of the packages asked about")
    found: dict[str, PackageInfo] = {}
    for package in packages:
        tag = _text(package, "Tag", PACKAGES_INFO).upper()
        issuances = _field(package, "Issuances", PACKAGES_INFO, optional=True) or []
        if not isinstance(issuances, list) or len(issuances) > MAX_RANGES:
            raise _odd(PACKAGES_INFO, "Issuances is not a list")
        found[tag] = PackageInfo(
            tag,
            _count(_field(package, "QrCount", PACKAGES_INFO), PACKAGES_INFO),
            _optional_text(package, "IssuanceId", PACKAGES_INFO),
            [_count(_field(i, "LabelQuantity", PACKAGES_INFO), PACKAGES_INFO) for i in issuances],
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
    answer = client.post(ASSOCIATE, [{"PackageLabel": package, "QrUrls": urls}])
    ids = _field(answer, "Ids", ASSOCIATE, optional=True) if answer is not None else None
    return len(ids) if isinstance(ids, list) else 0


# --- reading answers -------------------------------------------------------------------


def _units(answer: Any, path: str) -> Units | None:
    if answer is None:
        return None
    siblings = _field(answer, "SiblingTags", path, optional=True) or []
    if not isinstance(siblings, list) or len(siblings) > MAX_RANGES:
        raise _odd(path, "SiblingTags is not a list")
    child = _optional_text(answer, "ChildTag", path)
    return Units(
        qr_count=_count(_field(answer, "QrCount", path), path),
        ranges=_ranges(_field(answer, "Ranges", path, optional=True) or [], path),
        child_tag=child.upper() if child else None,
        sibling_tags=[printable(str(tag), 30).upper() for tag in siblings],
        requires_verification=_field(answer, "RequiresVerification", path, optional=True) is True,
    )


def _ranges(value: Any, path: str) -> Ranges:
    """``[[first, last], ...]``: whole numbers, first ≤ last, in bounds, not overlapping,
    at most :data:`MAX_UNITS` units in all."""
    if not isinstance(value, list) or len(value) > MAX_RANGES:
        raise _odd(path, "Ranges is not a list of [first, last] pairs")
    ranges: Ranges = []
    total = 0
    for pair in value:
        if (
            not isinstance(pair, list)
            or len(pair) != 2
            or not all(isinstance(n, int) and not isinstance(n, bool) for n in pair)
            or not 0 <= pair[0] <= pair[1] <= MAX_INDEX
        ):
            raise _odd(path, "Ranges holds something other than [first, last] index pairs")
        total += pair[1] - pair[0] + 1
        if total > MAX_UNITS:
            raise _odd(path, f"Ranges count more than {MAX_UNITS:,} units")
        ranges.append((pair[0], pair[1]))
    ordered = sorted(ranges)
    if any(a[1] >= b[0] for a, b in pairwise(ordered)):
        raise _odd(path, "Ranges overlap")
    return ranges


def _field(value: Any, name: str, path: str, optional: bool = False) -> Any:
    if not isinstance(value, dict):
        raise _odd(path, "it is not one object")
    if name not in value and not optional:
        raise _odd(path, f"{name} is missing")
    return value.get(name)


def _text(value: Any, name: str, path: str) -> str:
    found = _field(value, name, path)
    if not isinstance(found, str) or not 0 < len(found) <= 64 or not found.isprintable():
        raise _odd(path, f"{name} is not a short text")
    return found


def _optional_text(value: Any, name: str, path: str) -> str | None:
    found = _field(value, name, path, optional=True)
    return None if found is None else _text(value, name, path)


def _count(value: Any, path: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= MAX_UNITS:
        raise _odd(path, "a count is not a whole number in range")
    return value


def _odd(path: str, why: str) -> MetrcError:
    return MetrcError(f"Metrc's answer to {path} is not understood: {why}")


def count_units(ranges: Ranges) -> int:
    return sum(last - first + 1 for first, last in ranges)
