"""The shapes of Metrc's Retail ID answers, declared once (msgspec checks an answer against
them): which fields, their types, and bounds on every count, index and list, so a hostile
answer cannot make the station build millions of codes.

Field names are Metrc's own (PascalCase). [V] Fields in the documentation's examples; [I]
which may be absent, so they default to None (``../shared/reference/retail-id.md`` §1).
Unknown fields are ignored: Metrc may add some. Loaded only when an answer is read.
"""

from __future__ import annotations

from typing import Annotated

import msgspec
from msgspec import Meta

from station.metrc.retail import MAX_INDEX, MAX_RANGES, MAX_UNITS

Count = Annotated[int, Meta(ge=0, le=MAX_UNITS)]
Index = Annotated[int, Meta(ge=0, le=MAX_INDEX)]
# An id or a tag: Metrc's are short (printable is checked where it is read).
Short = Annotated[str, Meta(min_length=1, max_length=64)]
RangeList = Annotated[list[tuple[Index, Index]], Meta(max_length=MAX_RANGES)]


class Allotment(msgspec.Struct):
    Allotment: Annotated[int, Meta(ge=0, le=10**9)]


class Manifest(msgspec.Struct):
    Ranges: RangeList


class Generated(msgspec.Struct):
    Manifest: Manifest
    IssuanceId: Short | None = None


class Issuance(msgspec.Struct):
    LabelQuantity: Count


class PackageCounts(msgspec.Struct):
    Tag: Short
    QrCount: Count
    IssuanceId: Short | None = None
    Issuances: Annotated[list[Issuance], Meta(max_length=MAX_RANGES)] | None = None


class PackagesInfo(msgspec.Struct):
    Packages: list[PackageCounts]


class Received(msgspec.Struct):
    QrCount: Count
    Ranges: RangeList | None = None
    ChildTag: Short | None = None
    SiblingTags: Annotated[list[str], Meta(max_length=MAX_RANGES)] | None = None
    RequiresVerification: bool | None = None


class Associated(msgspec.Struct):
    Ids: list[object] | None = None
