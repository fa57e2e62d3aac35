"""What a state profile file may say, declared once (msgspec checks each file against it).

A profile names its state and lists rules; each rule is a value with its source. Which
rules exist, and what each value looks like, is this module's to say; which rules a state
has is its file's.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Generic, Literal, TypeVar

import msgspec
from msgspec import Meta

from station.states.rules import MEANINGS

T = TypeVar("T")

Days = Annotated[int, Meta(ge=1, le=3660)]
Count = Annotated[int, Meta(ge=1, le=10_000_000)]
Price = Annotated[float, Meta(ge=0, le=1000)]
# [V] fact read in the source; [V (secondary)] read in a secondary source; [I] inferred.
Tag = Literal["V", "V (secondary)", "I", "V / I"]


class Rule(msgspec.Struct, Generic[T], forbid_unknown_fields=True):
    value: T
    tag: Tag
    source: Annotated[str, Meta(min_length=3, max_length=300)]
    note: Annotated[str, Meta(max_length=300)] = ""


class Cadence(msgspec.Struct, forbid_unknown_fields=True):
    """Every so many days, or each day by an hour (``"08:00"``): one of the two."""

    every_days: Days | None = None
    daily_by: Annotated[str, Meta(pattern=r"^([01]\d|2[0-3]):[0-5]\d$")] | None = None


class ByType(msgspec.Struct, Generic[T], forbid_unknown_fields=True):
    plant: T
    package: T


class RetailId(msgspec.Struct, forbid_unknown_fields=True):
    """``absent``: the state's API has no Retail ID; ``available``: it has, and no source
    says it is required; ``required`` (from ``since``)."""

    mode: Literal["absent", "available", "required"]
    since: dt.date | None = None


class Rules(msgspec.Struct, forbid_unknown_fields=True):
    api_host: Rule[Annotated[str, Meta(pattern=r"^[a-z0-9.-]+\.metrc\.com$")]] | None = None
    receipt_days: Rule[Days] | None = None
    not_arrived_days: Rule[Days] | None = None
    reconcile: Rule[Cadence] | None = None
    discrepancy_percent: Rule[Annotated[float, Meta(gt=0, le=100)]] | None = None
    order_max_tags: Rule[Count] | None = None
    holding_cap: Rule[ByType[Count]] | None = None
    retail_id: Rule[RetailId] | None = None
    records_years: Rule[Annotated[int, Meta(ge=1, le=100)]] | None = None
    tag_price: Rule[ByType[Price]] | None = None
    plant_batch_max: Rule[Count] | None = None
    monthly_report_day: Rule[Annotated[int, Meta(ge=1, le=31)]] | None = None


class ProfileFile(msgspec.Struct, forbid_unknown_fields=True):
    code: Annotated[str, Meta(pattern=r"^[A-Z]{2}$")]
    name: Annotated[str, Meta(max_length=60)] = ""
    rules: Rules = msgspec.field(default_factory=Rules)


assert set(MEANINGS) == set(Rules.__struct_fields__)


def read(raw: object) -> ProfileFile:
    """A parsed TOML table checked against the schema; ValueError with msgspec's words."""
    try:
        profile = msgspec.convert(raw, ProfileFile)
    except msgspec.ValidationError as exc:
        raise ValueError(str(exc)) from None
    cadence = profile.rules.reconcile
    if cadence is not None and (cadence.value.every_days is None) == (
        cadence.value.daily_by is None
    ):
        raise ValueError("rules.reconcile: give every_days or daily_by, one of the two")
    retail = profile.rules.retail_id
    if retail is not None and retail.value.since is not None and retail.value.mode != "required":
        raise ValueError("rules.retail_id: 'since' goes with mode 'required' only")
    return profile
