"""Writing results: tables for people, complete CSV or JSON for scripts (the user guide's
*Commands*)."""

from __future__ import annotations

import csv
import datetime as dt
import json
import sys
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from itertools import islice
from typing import Any

import click

from station.domain import times
from station.domain.text import spreadsheet_cell

FORMATS = click.Choice(["table", "csv", "json"])
# Rows used to size table columns; later rows stream through at those widths.
_SIZING_ROWS = 1000


def message(text: str) -> None:
    """A line for the operator, on stderr so stdout stays clean for scripts."""
    click.echo(text, err=True)


def progress(text: str) -> None:
    """How a long wait is going, for a person at a terminal; scripts get only the result."""
    if sys.stderr.isatty():
        message(text)


@contextmanager
def working(text: str) -> Iterator[None]:
    """A spinner with ``text`` on a terminal while something that can take seconds runs
    (a large order, a receipt, Metrc); nothing in scripts."""
    if not sys.stderr.isatty():
        yield
        return
    from rich.console import Console

    with Console(stderr=True).status(text):
        yield


def warn(text: str) -> None:
    click.echo(f"warning: {text}", err=True)


def warn_all(texts: Sequence[str], shown: int = 5) -> None:
    """Warnings, at most ``shown`` of them spelled out (a 100,000-tag file must not flood)."""
    for text in texts[:shown]:
        warn(text)
    if len(texts) > shown:
        warn(f"... and {len(texts) - shown:,} more like these")


def emit(rows: Iterable[dict[str, Any]], fmt: str, columns: Sequence[str]) -> None:
    if fmt == "json":
        _json(rows)
    elif fmt == "csv":
        _csv(rows, columns)
    else:
        _table(rows, columns)


def _json(rows: Iterable[dict[str, Any]]) -> None:
    out = sys.stdout
    out.write("[")
    for index, row in enumerate(rows):
        out.write(",\n" if index else "\n")
        out.write(json.dumps(row, ensure_ascii=False, default=json_value))
    out.write("\n]\n")


def json_value(value: Any) -> Any:
    """What JSON cannot hold by itself: a moment in ISO 8601 with its offset; else text."""
    if isinstance(value, dt.datetime):
        return times.iso(value)
    return str(value)


def cell(value: Any) -> str:
    """A value in a text table: a moment in the station's local time."""
    if isinstance(value, dt.datetime):
        return times.local(value)
    return _cell(value)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return times.iso(value)
    if isinstance(value, list):
        return " ".join(str(item) for item in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, default=str, sort_keys=True)
    return str(value)


def _csv(rows: Iterable[dict[str, Any]], columns: Sequence[str]) -> None:
    writer = csv.writer(sys.stdout, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([spreadsheet_cell(_cell(row.get(column))) for column in columns])


def _table(rows: Iterable[dict[str, Any]], columns: Sequence[str]) -> None:
    iterator: Iterator[dict[str, Any]] = iter(rows)
    head = list(islice(iterator, _SIZING_ROWS))
    if not head:
        message("(none)")
        return
    cells = [[cell(row.get(column)) for column in columns] for row in head]
    widths = [
        max(len(column), *(len(line[index]) for line in cells))
        for index, column in enumerate(columns)
    ]

    def line(values: Sequence[str]) -> str:
        return "  ".join(value.ljust(width) for value, width in zip(values, widths, strict=True))

    click.echo(line([column.replace("_", " ").upper() for column in columns]).rstrip())
    for values in cells:
        click.echo(line(values).rstrip())
    for row in iterator:
        click.echo(line([cell(row.get(column)) for column in columns]).rstrip())
