"""The data one label carries: plain strings, so any caller can fill it."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, fields

# The tag types a template may be made for (a label's ``type``).
TAG_TYPES = ("plant", "package")
# Every field a template may name. Values are already formatted for printing.
FIELDS = (
    "uid",
    "type",
    "order_date",
    "order_number",
    "license_number",
    "facility_name",
    "item",
    "quantity",
    "unit",
    "production_batch",
    "packaged_date",
    "strain",
    "location",
    "growth_phase",
    # An operator's badge (templates/badges/): who, their role, and the badge code.
    "operator",
    "role",
    "badge",
    # A Metrc Retail ID unit label: the unit's QR URL and its index in the package.
    "retail_id",
    "unit_index",
)


# Not frozen, and with slots: a frozen dataclass of this many fields takes 4 µs to build,
# and a Retail ID job builds one a unit (100,000 a second is the aim). Treat it as read-only.
@dataclass(slots=True)
class LabelData:
    uid: str
    license_number: str
    facility_name: str
    order_date: str
    type: str = ""
    order_number: str = ""
    item: str = ""
    quantity: str = ""
    unit: str = ""
    production_batch: str = ""
    packaged_date: str = ""
    strain: str = ""
    location: str = ""
    growth_phase: str = ""
    operator: str = ""
    role: str = ""
    badge: str = ""
    retail_id: str = ""
    unit_index: str = ""

    def as_dict(self) -> dict[str, str]:
        return {field.name: getattr(self, field.name) for field in fields(self)}

    def units(self, units: Iterable[tuple[str, str]]) -> list[LabelData]:
        """This label once a Retail ID unit, with each one's (URL, unit index). Built with
        positional arguments (the unit's two fields are the last ones): a third less time
        than by keyword, which is the most of a Retail ID job's labels."""
        head = tuple(getattr(self, name) for name in _BEFORE_UNIT)
        make: Callable[..., LabelData] = LabelData  # mypy cannot count a tuple's length
        return [make(*head, url, index) for url, index in units]


_NAMES = tuple(field.name for field in fields(LabelData))
_BEFORE_UNIT = _NAMES[:-2]
if _NAMES[-2:] != ("retail_id", "unit_index"):
    raise TypeError("LabelData.units needs retail_id and unit_index as the last two fields")
