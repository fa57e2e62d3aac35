"""Importing tag orders from a CSV file or a Metrc tags JSON array (the formats are in the
user guide's *Orders*, docs/user-guide.md).

A file is checked completely before anything is stored, and stored in one transaction, so a
bad row anywhere leaves the database as it was.
"""

from __future__ import annotations

import csv
import datetime as dt
import itertools
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from station.db.models import Facility, TagOrder
from station.domain.dates import parse_date, parse_past_date
from station.domain.errors import ProblemList, Problems, StationError, supply
from station.domain.packed import PackedUids, Prefixes, repeats
from station.domain.states import TagStatus, TagType
from station.domain.text import plural, show
from station.domain.uid import Run, UidRange, normalize
from station.services.context import Context
from station.services.tags import facilities
from station.services.tags.facilities import FacilityView
from station.services.tags.orders import (
    MAX_ORDER_TAGS,
    OrderDraft,
    clean_order_number,
    create_order,
    parse_tag_type,
)
from station.staff_files import read_text


@dataclass
class ImportOptions:
    """What the command line supplies for columns the file lacks."""

    license_number: str | None = None
    tag_type: str | None = None
    order_date: str | None = None


@dataclass
class ImportResult:
    order_ids: list[int]
    tag_count: int
    warnings: list[str]


# Header spellings (lower case, letters and digits only) mapped to the canonical column.
_COLUMNS = {
    "tag": "tag",
    "label": "tag",
    "starttag": "start",
    "first": "start",
    "firsttag": "start",
    "endtag": "end",
    "last": "end",
    "lasttag": "end",
    "type": "type",
    "tagtype": "type",
    "orderdate": "order_date",
    "ordernumber": "order_number",
    "licensenumber": "license",
    "license": "license",
    "facilityname": "facility_name",
    "facility": "facility_name",
}


@dataclass
class _Group:
    """Rows that make one order: same facility, type, order date and order number."""

    license_number: str
    facility_name: str | None
    tag_type: TagType
    order_date: dt.date
    order_number: str | None
    singles: PackedUids
    ranges: list[Run] = field(default_factory=list)


class _Groups:
    """The orders a file makes, found by their cells; their tags share one prefix table."""

    def __init__(self) -> None:
        self.prefixes = Prefixes()
        self.by_key: dict[tuple[object, ...], _Group] = {}
        # The same cells mean the same group: a million rows parse their dates once.
        self.by_cells: dict[tuple[str, ...], _Group] = {}

    def values(self) -> list[_Group]:
        return list(self.by_key.values())


def import_file(ctx: Context, path: Path, options: ImportOptions) -> ImportResult:
    groups, status = _parse(ctx, path, options)
    return _store(ctx, path, groups, status)


def _parse(ctx: Context, path: Path, options: ImportOptions) -> tuple[list[_Group], TagStatus]:
    """The file's orders; its text is let go of before they are stored."""
    text = read_text(path)
    if text.lstrip().startswith("["):
        return _parse_metrc_json(ctx, path, text, options), TagStatus.RECEIVED
    return _parse_csv(ctx, path, text, options), TagStatus.ORDERED


_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$")


def _lines(text: str) -> Iterator[str]:
    """The lines of ``text`` with their endings (CRLF, LF or CR, as a spreadsheet or editor
    wrote them), one at a time: no second copy of a large file is made."""
    return (match.group() for match in _LINE.finditer(text))


class _Rows:
    """The csv reader's rows, its own errors (a cell over its size limit, a stray quote)
    turned into a line naming the file and the line."""

    def __init__(self, path: Path, reader: Any) -> None:
        self.path, self.reader = path, reader

    @property
    def line_num(self) -> int:
        line: int = self.reader.line_num
        return line

    def __iter__(self) -> _Rows:
        return self

    def __next__(self) -> list[str]:
        try:
            row: list[str] = next(self.reader)
        except csv.Error as exc:
            raise StationError(f"{self.path} line {self.reader.line_num}: {exc}") from None
        return row


def _parse_csv(ctx: Context, path: Path, text: str, options: ImportOptions) -> list[_Group]:
    # newline="" lets the csv module take CRLF, LF or a mix of both, as Excel and editors write.
    reader = _Rows(path, csv.reader(_lines(text)))
    header = next(reader, None)
    if not header or not any(cell.strip() for cell in header):
        raise StationError(f"{path} has no header row")
    columns = _map_header(path, header)
    groups = _Groups()
    spans: list[tuple[Run, int]] = []
    problems = ProblemList()
    for row in reader:
        line = reader.line_num
        if not any(cell.strip() for cell in row):
            continue
        if len(row) > len(header):
            problems.add(f"line {line}: {len(row)} cells but the header has {len(header)} columns")
            continue
        cells = {name: (row[index] if index < len(row) else "") for name, index in columns.items()}
        try:
            group = _group_for(ctx, groups, cells, options)
            if "tag" in columns:
                group.singles.add(normalize(cells["tag"]), line)
            else:
                first, last = normalize(cells["start"]), normalize(cells["end"])
                run = UidRange.between(first, last).run()
                group.ranges.append(run)
                spans.append((run, line))
        except StationError as exc:
            problems.add(f"line {line}: ", *exc.parts)
    if not groups.by_key and not problems.count:
        raise StationError(f"{path} has a header but no tag rows")
    for uid, first_line, line in repeats(group.singles for group in groups.values()):
        problems.add(f"line {line}: {uid} is already listed on line {first_line}")
    for problem in _overlapping_lines(spans):
        problems.add(problem)
    _refuse(path, problems, "row")
    return groups.values()


def _refuse(path: Path, problems: ProblemList, what: str) -> None:
    """Every problem found in the file at once, so all can be fixed in one go; with just
    one, the usual one line."""
    if problems.count == 1:
        raise StationError(f"{path} ", *problems.shown[0])
    if problems.count:
        summary = f"{path} has {plural(problems.count, what)} with problems; nothing was imported"
        raise Problems(summary, problems.lines())


def _map_header(path: Path, header: list[str]) -> dict[str, int]:
    columns: dict[str, int] = {}
    for index, cell in enumerate(header):
        key = "".join(char for char in cell.lower() if char.isalnum())
        name = _COLUMNS.get(key)
        if name is None:
            continue  # Metrc and spreadsheet exports carry extra columns; they are ignored.
        if name in columns:
            raise StationError(f"{path}: column {show(cell.strip())} appears twice")
        columns[name] = index
    has_single = "tag" in columns
    has_range = "start" in columns or "end" in columns
    found = ", ".join(show(cell.strip()) for cell in header)
    if has_single and has_range:
        raise StationError(
            f"{path}: use either a 'Tag' column or 'Start Tag' and 'End Tag' columns, not both"
        )
    if not has_single and not ("start" in columns and "end" in columns):
        raise StationError(
            f"{path}: missing columns: need 'Tag' (or 'Label'), or 'Start Tag' and 'End Tag' "
            f"(or 'First' and 'Last'); found {found}"
        )
    return columns


def _group_for(
    ctx: Context, groups: _Groups, cells: dict[str, str], options: ImportOptions
) -> _Group:
    raw = tuple(cells.get(name, "") for name in _GROUP_CELLS)
    known = groups.by_cells.get(raw)
    if known is not None:
        return known
    group = groups.by_cells[raw] = _new_group(ctx, groups, cells, options)
    return group


# The cells that decide which order a row belongs to.
_GROUP_CELLS = ("license", "type", "order_date", "order_number", "facility_name")


def _new_group(
    ctx: Context, groups: _Groups, cells: dict[str, str], options: ImportOptions
) -> _Group:
    license_number = _cell_or_option(
        cells, "license", options, "license number", "a 'License Number' column"
    )
    license_number = facilities.normalize_license(license_number)
    type_text = _cell_or_option(cells, "type", options, "tag type", "a 'Type' column")
    tag_type = parse_tag_type(type_text)
    date_text = _cell_or_option(
        cells, "order_date", options, "order date", "an 'Order Date' column"
    )
    order_date = parse_past_date(date_text, "order date", ctx.today())
    order_number = clean_order_number(cells.get("order_number"))
    facility_name = cells.get("facility_name", "").strip() or None
    key = (license_number, tag_type, order_date, order_number)
    group = groups.by_key.get(key)
    if group is None:
        group = groups.by_key[key] = _Group(
            license_number,
            facility_name,
            tag_type,
            order_date,
            order_number,
            PackedUids(groups.prefixes),
        )
    return group


def _cell_or_option(
    cells: dict[str, str], column: str, options: ImportOptions, what: str, column_hint: str
) -> str:
    option = {
        "license": options.license_number,
        "type": options.tag_type,
        "order_date": options.order_date,
    }[column]
    value = cells.get(column, "").strip() or (option or "").strip()
    if not value:
        raise StationError(
            f"{what} missing: add {column_hint} or ", supply(column.replace("_", "-"))
        )
    return value


def _overlapping_lines(spans: list[tuple[Run, int]]) -> list[str]:
    spans.sort(key=lambda span: span[0].first_uid)
    found: list[str] = []
    for (before, line_before), (after, line_after) in itertools.pairwise(spans):
        if after.first_uid <= before.last_uid:
            first, second = sorted((line_before, line_after))
            found.append(f"line {second}: tags overlap those on line {first}")
    return found


def _parse_metrc_json(ctx: Context, path: Path, text: str, options: ImportOptions) -> list[_Group]:
    """Metrc's ``GET /tags/v2/{plant,package}/available`` answer: tags already received."""
    try:
        items = json.loads(text)
    except json.JSONDecodeError as exc:
        raise StationError(f"{path} line {exc.lineno}: not valid JSON ({exc.msg})") from None
    except RecursionError:
        raise StationError(f"{path}: not Metrc's tags (its JSON is nested too deeply)") from None
    except ValueError:  # e.g. an integer of thousands of digits
        raise StationError(f"{path}: not Metrc's tags (it holds a number too long)") from None
    if not isinstance(items, list):
        raise StationError(f"{path}: expected a JSON array of Metrc tags")
    if not items:
        raise StationError(f"{path} holds no tags")
    groups = _Groups()
    seen: set[str] = set()
    problems = ProblemList()
    for number, item in enumerate(items, start=1):
        try:
            uid, cells = _metrc_tag(item)
            if uid in seen:
                raise StationError(f"{uid} is listed twice")
            seen.add(uid)
            _group_for(ctx, groups, cells, options).singles.add(uid, number)
        except StationError as exc:
            problems.add(f"tag {number}: ", *exc.parts)
    _refuse(path, problems, "tag")
    return groups.values()


def _metrc_tag(item: Any) -> tuple[str, dict[str, str]]:
    if not isinstance(item, dict) or not isinstance(item.get("Label"), str):
        raise StationError("expected an object with a 'Label'")
    cells: dict[str, str] = {}
    kind = item.get("TagInventoryTypeName") or item.get("TagTypeName")
    if isinstance(kind, str):
        cells["type"] = kind
    commissioned = item.get("CommissionedDateTime")
    if isinstance(commissioned, str) and len(commissioned) >= 10:
        # Metrc does not say when a tag was ordered; the day it was commissioned is closest.
        cells["order_date"] = parse_date(commissioned[:10], "CommissionedDateTime").isoformat()
    return normalize(item["Label"]), cells


def _store(ctx: Context, path: Path, groups: list[_Group], status: TagStatus) -> ImportResult:
    orders: list[TagOrder] = []
    warnings: list[str] = []
    total = 0
    wanted = sum(len(group.singles) + sum(run.count for run in group.ranges) for group in groups)
    if wanted > MAX_ORDER_TAGS:
        raise StationError(
            f"{path} holds {wanted:,} tags, over the {MAX_ORDER_TAGS:,} one import records; "
            "split it"
        )
    with ctx.db.atomic():
        for group in groups:
            facility = _facility_for(ctx, group, warnings)
            draft = OrderDraft(
                facility=FacilityView.of(facility),
                tag_type=group.tag_type,
                order_date=group.order_date,
                order_number=group.order_number,
                runs=group.singles.runs() + group.ranges,
                status=status,
            )
            order, order_warnings = create_order(ctx, draft, f"file:{path.name}")
            orders.append(order)
            warnings.extend(order_warnings)
            total += draft.quantity
    return ImportResult([order.id for order in orders], total, warnings)


def _facility_for(ctx: Context, group: _Group, warnings: list[str]) -> Facility:
    facility: Facility | None = Facility.get_or_none(
        Facility.license_number == group.license_number
    )
    if facility is None:
        if group.facility_name is None:
            # Raises the usual "unknown facility" message.
            return facilities.get_facility(ctx, group.license_number)
        facilities.add_facility(ctx, group.license_number, group.facility_name)
        return facilities.get_facility(ctx, group.license_number)
    if group.facility_name and group.facility_name != facility.name:
        warnings.append(
            f"the file names facility {group.license_number} {show(group.facility_name)}; "
            f"keeping the name on record, {show(facility.name)}"
        )
    return facility
