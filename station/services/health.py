"""Checking the station's database in full (``station check``)."""

from __future__ import annotations

from station.db import integrity
from station.domain.errors import StationError
from station.domain.text import printable
from station.services.context import Context


def check(ctx: Context) -> str:
    """What was checked, when the file is sound; a one-line error naming the first problem
    when it is not (SQLite's integrity_check: every page and every index)."""
    found = integrity.problems(ctx.db, full=True)
    if found:
        raise StationError(integrity.DAMAGED.format(first=printable(found[0], 120)))
    if integrity.checks_pages(ctx.db):
        return "the database file is sound: every page and index checked"
    return "PostgreSQL checks its own pages; the station's tables answer"
