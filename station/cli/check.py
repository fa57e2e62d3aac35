"""``station check``: the database checked in full."""

from __future__ import annotations

import click

from station.cli.output import message, working
from station.cli.state import State, pass_state
from station.services import health


@click.command()
@pass_state
def check(state: State) -> None:
    """Check the database file: every page and index (exit 1 when it is damaged)."""
    ctx = state.context()
    with working("checking every page and index..."):
        said = health.check(ctx)
    message(said)
