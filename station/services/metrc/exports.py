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

from safefiles import new_file, private_folder_made, write_new
from station.db.rows import slices
from station.domain import times
from station.domain.errors import StationError, give
from station.domain.text import FORMULA_STARTS, show, spreadsheet_cell
from station.metrc import shapes
from station.services.context import Context
from station.services.metrc.objects import Built, Skipped, build
from station.services.records import audit as audit_service
from station.services.tags import facilities
from station.services.tags import lookup as tag_service

KINDS = ("plant-tags", "replaced-tags", "packed-plants", "packages")
_EMPTY_FOLDER = "; export into an empty folder"


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
    built = build(ctx, license_number, assignment_ids)
    per_license = _rows(kind, built)
    # A batch Metrc cannot take yet still has its replaced tags to report.
    skipped = [] if kind == "replaced-tags" else built.skipped
    files: dict[Path, str] = {}
    total = 0
    for license_number_, rows in per_license.items():
        for number, part in enumerate(slices(rows, shapes.MAX_ROWS_PER_FILE), 1):
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
        writer.writerow(
            [
                "" if row[name] is None else spreadsheet_cell(times.text(row[name]))
                for name in tag_service.FIELDS
            ]
        )
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
                        _date(payload["GrowthDate"]),
                        "",
                    ]
                )
        elif kind == "replaced-tags" and item.endpoint == shapes.REPLACE_PLANT_TAG:
            found.setdefault(item.license_number, []).append(
                [payload["Label"], payload["NewTag"], _date(payload["ReplaceDate"])]
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
                    _date(payload["ActualDate"]),
                ]
            )
    return found


def _date(api_date: str) -> str:
    """An API date (``YYYY-MM-DD``) as the import files write dates."""
    return shapes.csv_date(dt.date.fromisoformat(api_date))


def _csv(rows: Iterable[object]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    for row in rows:
        assert isinstance(row, list)  # the positional files' rows (JSON files hold dicts)
        for cell in row:
            # Metrc reads these files by position and would keep a protective quote as
            # part of the value, so a value a spreadsheet would run is refused instead.
            if isinstance(cell, str) and cell.startswith(FORMULA_STARTS):
                raise StationError(
                    f"{show(cell)} cannot go into a Metrc import file: a spreadsheet would "
                    f"read it as a formula (it starts with {show(cell[0])}); change it first"
                )
        writer.writerow(row)
    return out.getvalue()


def tags_file(
    ctx: Context, path: Path, status: str | None = None, tag_type: str | None = None
) -> int:
    """:func:`tags_csv` into the new file ``path``, which appears only when it is complete."""
    _refuse_existing([path])
    try:
        with new_file(path) as out, io.TextIOWrapper(out, encoding="utf-8", newline="") as text:
            return tags_csv(ctx, text, status, tag_type)
    except FileExistsError:
        raise StationError(f"{path} already exists") from None
    except OSError as exc:
        raise StationError(f"cannot write {path}: {exc.strerror}") from None


def _write_all(folder: Path, files: dict[Path, str]) -> None:
    """Write every file or none: a file that cannot be written takes the ones before it
    away again."""
    try:
        private_folder_made(folder)
    except OSError as exc:
        raise StationError(f"cannot create {folder}: {exc.strerror}") from None
    _refuse_existing(files, _EMPTY_FOLDER)
    written: list[Path] = []
    try:
        for path, text in files.items():
            write_new(path, text.encode())
            written.append(path)
    except OSError as exc:
        for path in written:
            path.unlink(missing_ok=True)
        if isinstance(exc, FileExistsError):
            raise StationError(
                f"{exc.filename} already exists; export into an empty folder"
            ) from None
        raise StationError(f"cannot write into {folder}: {exc.strerror}") from None


def _refuse_existing(paths: Iterable[Path], advice: str = "") -> None:
    for path in paths:
        if path.exists():
            raise StationError(f"{path} already exists{advice}")


AUDIT_FORMATS = ("csv", "jsonl")


def audit_format(path: Path, fmt: str | None) -> str:
    """The archive's format: as asked, else from the file's suffix (``.csv``, ``.jsonl``)."""
    chosen = fmt or {".csv": "csv", ".jsonl": "jsonl", ".json": "jsonl"}.get(path.suffix.lower())
    if chosen not in AUDIT_FORMATS:
        raise StationError(
            f"cannot tell the format of {path.name}: name it .csv or .jsonl, or ",
            give("format", verb="add"),
        )
    return chosen


def audit_archive(
    ctx: Context,
    out: TextIO,
    fmt: str,
    start: dt.date | None = None,
    end: dt.date | None = None,
) -> int:
    """The audit trail from ``start`` to ``end`` (station-local dates, both included), oldest
    first, each event with every UID it touched: CSV with a header, or one JSON object a line.
    Returns the number of events written."""
    if start is not None and end is not None and end < start:
        raise StationError(give("to"), f" {end} is before ", give("from"), f" {start}")
    writer = csv.writer(out, lineterminator="\n")
    if fmt == "csv":
        writer.writerow(audit_service.FIELDS)
    count = 0
    for event in audit_service.events(ctx, since=_utc(start), before=_utc(end, 1)):
        row = event.as_dict()
        if fmt == "csv":
            row["uids"] = " ".join(row["uids"])
            row["details"] = json.dumps(row["details"], sort_keys=True, ensure_ascii=False)
            # An event no supervisor approved has an empty approved_by, not "None".
            writer.writerow(
                [
                    "" if row[name] is None else spreadsheet_cell(times.text(row[name]))
                    for name in audit_service.FIELDS
                ]
            )
        else:
            out.write(
                json.dumps(row, ensure_ascii=False, sort_keys=True, default=times.text) + "\n"
            )
        count += 1
    return count


def audit_file(
    ctx: Context,
    path: Path,
    fmt: str | None = None,
    start: dt.date | None = None,
    end: dt.date | None = None,
) -> int:
    """:func:`audit_archive` into the new file ``path`` (complete or absent, never over one)."""
    chosen = audit_format(path, fmt)
    _refuse_existing([path])
    try:
        with new_file(path) as out, io.TextIOWrapper(out, encoding="utf-8", newline="") as text:
            return audit_archive(ctx, text, chosen, start, end)
    except FileExistsError:
        raise StationError(f"{path} already exists") from None
    except OSError as exc:
        raise StationError(f"cannot write {path}: {exc.strerror}") from None


def _utc(day: dt.date | None, later: int = 0) -> dt.datetime | None:
    return None if day is None else times.day_start(day, later)
