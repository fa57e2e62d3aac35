"""``station void UID... --reason TEXT``."""

from __future__ import annotations

import click

from station.cli.output import message
from station.cli.scans import uids_from_args
from station.cli.state import State, pass_state
from station.domain.text import plural
from station.services.tags import voiding


@click.command()
@click.argument("uids", nargs=-1, required=True, metavar="UID...")
@click.option("--reason", required=True, help="Why: damaged, lost, misprinted...")
@pass_state
def void(state: State, uids: tuple[str, ...], reason: str) -> None:
    """Void damaged or lost tags (ordered or received; never used ones)."""
    voided = voiding.void(state.context(), uids_from_args(uids), reason)
    message(f"voided {plural(len(voided), 'tag')}")
