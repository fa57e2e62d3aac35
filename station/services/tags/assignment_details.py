"""What an assignment records about its packages or plants, read from what staff typed (the
command line's options or the assign screen's fields) by one set of rules."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from station.domain import fields
from station.domain.dates import parse_past_date
from station.domain.errors import StationError
from station.domain.states import TagType
from station.domain.text import show

GROWTH_PHASES = ("Immature", "Vegetative", "Flowering")
# [I] Metrc's units of measure (GET /unitsofmeasure/v2/active in California), with the short
# forms staff type; a unit Metrc does not know would only fail later, at push or import.
UNITS = {
    "Each": ("ea", "each", "unit", "units"),
    "Grams": ("g", "gram", "grams"),
    "Kilograms": ("kg", "kilogram", "kilograms"),
    "Milligrams": ("mg", "milligram", "milligrams"),
    "Ounces": ("oz", "ounce", "ounces"),
    "Pounds": ("lb", "lbs", "pound", "pounds"),
    "Fluid Ounces": ("fl oz", "floz", "fluid ounce", "fluid ounces"),
    "Gallons": ("gal", "gallon", "gallons"),
    "Liters": ("l", "liter", "liters", "litre", "litres"),
    "Milliliters": ("ml", "milliliter", "milliliters", "millilitre", "millilitres"),
    "Pints": ("pt", "pint", "pints"),
    "Quarts": ("qt", "quart", "quarts"),
}
_UNIT_NAMES = {form: unit for unit, forms in UNITS.items() for form in forms}
# Longest value of each free-text field, as the database holds it.
ITEM_LENGTH = 200
UNIT_LENGTH = 40
BATCH_LENGTH = 100
PLACE_LENGTH = 200


@dataclass(frozen=True)
class PackageDetails:
    item: str
    quantity: Decimal
    unit: str
    production_batch: str | None
    packaged_date: dt.date
    location: str | None = None
    # Set when the packages hold immature plants from this Metrc plant batch.
    plant_batch: str | None = None

    kind = TagType.PACKAGE


@dataclass(frozen=True)
class PlantDetails:
    strain: str
    location: str | None
    growth_phase: str | None
    # The Metrc plant batch the newly tagged plants come from.
    plant_batch: str | None = None

    kind = TagType.PLANT


Details = PackageDetails | PlantDetails


def package_details(
    today: dt.date,
    item: str | None,
    quantity: str | None,
    unit: str | None,
    batch: str | None = None,
    packaged: str | None = None,
    location: str | None = None,
    plant_batch: str | None = None,
) -> PackageDetails:
    """Package details as typed; an empty packaged date means today."""
    return PackageDetails(
        item=fields.required_text(item, "item", ITEM_LENGTH),
        quantity=fields.positive_decimal(quantity or "", "quantity"),
        unit=unit_of_measure(unit),
        production_batch=fields.text(batch, "production batch", BATCH_LENGTH, required=False),
        packaged_date=parse_past_date(packaged, "packaged date", today) if packaged else today,
        location=fields.text(location, "location", PLACE_LENGTH, required=False),
        plant_batch=fields.text(plant_batch, "plant batch", PLACE_LENGTH, required=False),
    )


def plant_details(
    strain: str | None,
    location: str | None = None,
    phase: str | None = None,
    plant_batch: str | None = None,
) -> PlantDetails:
    return PlantDetails(
        strain=fields.required_text(strain, "strain", ITEM_LENGTH),
        location=fields.text(location, "location", PLACE_LENGTH, required=False),
        growth_phase=parse_growth_phase(phase),
        plant_batch=fields.text(plant_batch, "plant batch", PLACE_LENGTH, required=False),
    )


def unit_of_measure(value: str | None) -> str:
    """One of Metrc's units, from its name or a short form, in any case (``g`` is Grams)."""
    typed = fields.required_text(value, "unit", UNIT_LENGTH)
    unit = _UNIT_NAMES.get(" ".join(typed.lower().split()))
    if unit is None:
        raise StationError(
            f"unknown unit of measure {show(typed)}: use one of Metrc's: {', '.join(UNITS)}"
        )
    return unit


def parse_growth_phase(value: str | None) -> str | None:
    if value is None or not value.strip():
        return None
    for phase in GROWTH_PHASES:
        if phase.lower() == value.strip().lower():
            return phase
    raise StationError(f"unknown growth phase {value.strip()!r}: use {', '.join(GROWTH_PHASES)}")
