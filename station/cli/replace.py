"""``station replace OLD NEW``: a plant's damaged or lost tag replaced by a new one."""

from __future__ import annotations

import click

from station.cli.output import message
from station.cli.scans import uids_from_args
from station.cli.state import State, pass_state
from station.domain.dates import parse_past_date
from station.services.tags import replacement


@click.command()
@click.argument("old")
@click.argument("new")
@click.option("--date", "replaced", help="When it was replaced, YYYY-MM-DD (default today).")
@pass_state
def replace(state: State, old: str, new: str, replaced: str | None) -> None:
    """Put plant tag NEW on the plant that carried OLD (OLD is retired, never reused)."""
    ctx = state.context()
    old_uid, new_uid = uids_from_args((old, new))
    when = parse_past_date(replaced, "replace date", ctx.today()) if replaced else None
    replacement.replace_tag(ctx, old_uid, new_uid, when)
    message(f"{new_uid} now carries the plant of {old_uid}; {old_uid} is retired")
