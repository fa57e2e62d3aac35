"""Every Metrc shape the station writes, in one place: API objects and CSV column orders.

The payload fields follow the examples in Metrc's API documentation. Some are inferences —
the CSV column orders, the date and boolean spellings in the CSVs, and StartingTag + Count
meaning a contiguous run — so each lives here as one named constant or function, easy to
change when Metrc's own templates say otherwise.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

PACKAGES = "/packages/v2/"
PLANT_BATCH_PACKAGES = "/plantbatches/v2/packages"
GROWTH_PHASE = "/plantbatches/v2/growthphase"
REPLACE_PLANT_TAG = "/plants/v2/tag"
# Write calls that are not POSTs.
METHODS = {REPLACE_PLANT_TAG: "PUT"}
AVAILABLE_TAGS = {"package": "/tags/v2/package/available", "plant": "/tags/v2/plant/available"}
# Where a pushed object can be looked up by its tag, to tell whether Metrc already has it.
LOOKUP = {
    PACKAGES: "/packages/v2/{uid}",
    PLANT_BATCH_PACKAGES: "/packages/v2/{uid}",
    GROWTH_PHASE: "/plants/v2/{uid}",
    REPLACE_PLANT_TAG: "/plants/v2/{uid}",
}
# At most this many objects per API call and rows per import file.
MAX_PER_CALL = 500
MAX_ROWS_PER_FILE = 500
# Growth phases a plant batch can move to when its plants get tags.
TAGGED_PHASES = ("Vegetative", "Flowering")


def csv_date(day: dt.date) -> str:
    """[I] Dates in import files, as the API writes them."""
    return day.isoformat()


def csv_bool(value: bool) -> str:
    """[I] Booleans in import files."""
    return "True" if value else "False"


def package_create(
    tag: str,
    item: str,
    quantity: Decimal,
    unit: str,
    packaged: dt.date,
    location: str | None,
    production_batch: str | None,
) -> dict[str, Any]:
    """One ``POST /packages/v2/`` object. The station does not record source packages, so
    ``Ingredients`` is empty: add them before upload where Metrc needs them."""
    return {
        "Tag": tag,
        "Location": location,
        "Sublocation": None,
        "Item": item,
        "Quantity": _number(quantity),
        "UnitOfMeasure": unit,
        "PatientLicenseNumber": None,
        "Note": None,
        "IsProductionBatch": production_batch is not None,
        "ProductionBatchNumber": production_batch,
        "IsDonation": False,
        "IsTradeSample": False,
        "IsFinishedGood": False,
        "ProductRequiresRemediation": False,
        "UseSameItem": False,
        "ActualDate": packaged.isoformat(),
        "ExpirationDate": None,
        "SellByDate": None,
        "UseByDate": None,
        "Ingredients": [],
        "RequiredLabTestBatches": None,
        "ProcessingJobTypeId": None,
        "LabTestStageId": None,
    }


def plant_batch_package(
    tag: str,
    plant_batch: str,
    count: int,
    item: str,
    packaged: dt.date,
    location: str | None,
) -> dict[str, Any]:
    """One ``POST /plantbatches/v2/packages`` object: immature plants into a package."""
    return {
        "Id": None,
        "PlantBatch": plant_batch,
        "Count": count,
        "Location": location,
        "Sublocation": None,
        "Item": item,
        "Tag": tag,
        "PatientLicenseNumber": None,
        "Note": None,
        "IsTradeSample": False,
        "IsDonation": False,
        "ActualDate": packaged.isoformat(),
        "ExpirationDate": None,
        "SellByDate": None,
        "UseByDate": None,
    }


def growth_phase(
    plant_batch: str,
    starting_tag: str,
    count: int,
    phase: str,
    location: str | None,
    day: dt.date,
) -> dict[str, Any]:
    """One ``POST /plantbatches/v2/growthphase`` object: ``count`` plants of the batch get the
    tags from ``starting_tag`` on ([I] a contiguous run)."""
    return {
        "Name": plant_batch,
        "Count": count,
        "StartingTag": starting_tag,
        "GrowthPhase": phase,
        "NewLocation": location,
        "NewSublocation": None,
        "GrowthDate": day.isoformat(),
        "PatientLicenseNumber": None,
    }


def replace_plant_tag(old: str, new: str, day: dt.date) -> dict[str, Any]:
    """One ``PUT /plants/v2/tag`` object: the plant tagged ``old`` now carries ``new``."""
    return {
        "Id": None,
        "Label": old,
        "TagId": None,
        "NewTag": new,
        "ReplaceDate": day.isoformat(),
    }


def same_object(endpoint: str, ours: dict[str, Any], theirs: dict[str, Any]) -> bool:
    """Whether what Metrc holds under the object's tag is the object the station sent (and
    not another one that used the tag)."""
    if endpoint == GROWTH_PHASE:
        return bool(theirs.get("PlantBatchName") == ours["Name"])
    if endpoint == REPLACE_PLANT_TAG:
        return bool(theirs.get("Label") == ours["NewTag"])
    item = theirs.get("Item") or {}
    name = item.get("Name") if isinstance(item, dict) else item
    if name != ours["Item"]:
        return False
    if endpoint == PACKAGES:
        return bool(_number(Decimal(str(theirs.get("Quantity")))) == ours["Quantity"])
    return True


def _number(value: Decimal) -> float | int:
    return int(value) if value == value.to_integral_value() else float(value)
