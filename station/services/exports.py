"""Files for Metrc and for people: Metrc Data Import CSVs (positional, no header, at most
500 rows a file), JSON files of package-create payloads, and a plain CSV of tags."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from station.db.models import Assignment, Facility, Tag, TagReplacement
from station.db.rows import tuples
from station.domain.errors import StationError
from station.metrc import shapes
from station.services import facilities
from station.services import tags as tag_service
from station.services.context import Context
from station.services.metrc_objects import Built, Skipped, build

KINDS = ("plant-tags", "replaced-tags", "packed-plants", "packages")


@dataclass
class Written:
    files: list[Path]
    rows: int
    skipped: list[Skipped]


def export(
    ctx: Context,
    kind: str,
    folder: Path,
    license_number: str | None = None,
    assignment_ids: Sequence[int] | None = None,
) -> Written:
    """Write ``kind`` files for every facility (or one) into ``folder``; all or none."""
    if kind not in KINDS:
        raise StationError(f"unknown export {kind!r}: use {', '.join(KINDS)}")
    if license_number is not None:
        license_number = facilities.get_facility(ctx, license_number).license_number
    if kind == "replaced-tags":
        per_license = _replacements(license_number, assignment_ids)
        skipped: list[Skipped] = []
    else:
        built = build(ctx, license_number, assignment_ids)
        per_license, skipped = _rows(kind, built), built.skipped
    files: dict[Path, str] = {}
    total = 0
    for license_number_, rows in per_license.items():
        for number, start in enumerate(range(0, len(rows), shapes.MAX_ROWS_PER_FILE), 1):
            part = rows[start : start + shapes.MAX_ROWS_PER_FILE]
            total += len(part)
            stem = f"{kind}-{license_number_}-{number:03d}"
            if kind == "packages":
                files[folder / f"{stem}.json"] = json.dumps(part, indent=2) + "\n"
            else:
                files[folder / f"{stem}.csv"] = _csv(part)
    _write_all(folder, files)
    return Written(sorted(files), total, skipped)


def tags_csv(
    ctx: Context, out: TextIO, status: str | None = None, tag_type: str | None = None
) -> int:
    """Every tag (or the filtered ones) with its state, order and assignment, with a header."""
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(tag_service.FIELDS)
    count = 0
    for view in tag_service.list_tags(ctx, status=status, tag_type=tag_type):
        row = view.as_dict()
        writer.writerow(["" if row[name] is None else row[name] for name in tag_service.FIELDS])
        count += 1
    return count


def _rows(kind: str, built: Built) -> dict[str, list[object]]:
    found: dict[str, list[object]] = {}
    for item in built.objects:
        payload = item.payload
        if kind == "packages" and item.endpoint == shapes.PACKAGES:
            found.setdefault(item.license_number, []).append(payload)
        elif kind == "plant-tags" and item.endpoint == shapes.GROWTH_PHASE:
            # [I] One row per plant with Count 1, so a gap in the tags does not matter.
            for uid in item.uids:
                found.setdefault(item.license_number, []).append(
                    [
                        payload["Name"],
                        1,
                        uid,
                        payload["GrowthPhase"],
                        payload["NewLocation"],
                        payload["GrowthDate"],
                        "",
                    ]
                )
        elif kind == "packed-plants" and item.endpoint == shapes.PLANT_BATCH_PACKAGES:
            found.setdefault(item.license_number, []).append(
                [
                    payload["PlantBatch"],
                    payload["Item"],
                    payload["Tag"],
                    "",
                    "",
                    shapes.csv_bool(payload["IsTradeSample"]),
                    shapes.csv_bool(payload["IsDonation"]),
                    payload["Count"],
                    payload["Location"] or "",
                    payload["ActualDate"],
                ]
            )
    return found


def _replacements(
    license_number: str | None, assignment_ids: Sequence[int] | None
) -> dict[str, list[object]]:
    old, new = Tag.alias(), Tag.alias()
    query = (
        TagReplacement.select(old.uid, new.uid, TagReplacement.replaced_on, Facility.license_number)
        .join(old, on=(TagReplacement.old_tag == old.id))
        .switch(TagReplacement)
        .join(new, on=(TagReplacement.new_tag == new.id))
        .switch(TagReplacement)
        .join(Assignment, on=(TagReplacement.assignment == Assignment.id))
        .join(Facility, on=(Assignment.facility == Facility.id))
        .order_by(TagReplacement.id)
    )
    if license_number is not None:
        query = query.where(Facility.license_number == license_number)
    if assignment_ids is not None:
        query = query.where(TagReplacement.assignment.in_(list(assignment_ids)))
    found: dict[str, list[object]] = {}
    for old_uid, new_uid, day, license_ in tuples(query):
        found.setdefault(license_, []).append([old_uid, new_uid, _day(day)])
    return found


def _day(value: dt.date | str) -> str:
    day = value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))
    return shapes.csv_date(day)


def _csv(rows: Iterable[object]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    for row in rows:
        writer.writerow(row)  # type: ignore[arg-type]
    return out.getvalue()


def _write_all(folder: Path, files: dict[Path, str]) -> None:
    """Write every file or none: each goes to a temporary name first, then all are renamed."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StationError(f"cannot create {folder}: {exc.strerror}") from None
    clashes = [path.name for path in files if path.exists()]
    if clashes:
        raise StationError(f"{folder / clashes[0]} already exists; export into an empty folder")
    temporary: list[tuple[Path, Path]] = []
    try:
        for path, text in files.items():
            part = path.with_name(f".{path.name}.part")
            part.write_text(text, encoding="utf-8", newline="")
            temporary.append((part, path))
    except OSError as exc:
        for part, _ in temporary:
            part.unlink(missing_ok=True)
        raise StationError(f"cannot write into {folder}: {exc.strerror}") from None
    for part, path in temporary:
        part.replace(path)
