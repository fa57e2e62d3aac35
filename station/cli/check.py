"""``station check``: the database checked in full."""

from __future__ import annotations

import click

from station.cli.output import message, working
from station.cli.state import State, pass_state
from station.services.records import health


@click.command()
@click.option(
    "--recount", is_flag=True, help="Rebuild tag counts that disagree with the tags (audited)."
)
@pass_state
def check(state: State, recount: bool) -> None:
    """Check the database: every page and index, and the tag counts against the tags (exit 1
    when anything is wrong)."""
    ctx = state.context()
    with working("checking every page and index..."):
        said = health.check(ctx, recount)
    message(said)
