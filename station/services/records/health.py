"""Checking the station's database in full (``station check``)."""

from __future__ import annotations

from station.db import integrity
from station.domain.errors import StationError, run
from station.domain.text import plural
from station.services.context import Context
from station.services.records import audit
from station.services.tags import tally


def check(ctx: Context, recount: bool = False) -> str:
    """What was checked, when the file is sound; a one-line error naming the first problem
    when it is not (SQLite's integrity_check: every page and every index; then the tag
    tally against a count of the tags). With ``recount``, a tally that disagrees is rebuilt
    from the tags (audited) instead."""
    found = integrity.problems(ctx.db, full=True)
    if found:
        raise StationError(integrity.damage_message(found[0]))
    pages = (
        "the database file is sound: every page and index checked"
        if integrity.checks_pages(ctx.db)
        else "PostgreSQL checks its own pages; the station's tables answer"
    )
    with ctx.db.atomic():
        wrong = tally.differences()
        if not wrong:
            return f"{pages}; the tag counts agree with the tags"
        if not recount:
            raise StationError(
                f"the tag counts shown on the first screen disagree with the tags ({wrong[0]}"
                f"{f'; {len(wrong) - 1} more' if len(wrong) > 1 else ''}): the tags themselves "
                "are what counts; ",
                run("check", "recount"),
                " rebuilds the counts from them",
            )
        tally.recount()
        audit.record(
            ctx, "check.recount", f"rebuilt the tag counts ({plural(len(wrong), 'difference')})",
            {"differences": wrong},
        )  # fmt: skip
    return f"{pages}; the tag counts disagreed with the tags and were rebuilt from them"
