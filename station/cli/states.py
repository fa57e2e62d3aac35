"""``station states [show XX]``: each Metrc state's rules the station applies, with sources."""

from __future__ import annotations

import json

import click

from station.cli.output import emit, message
from station.cli.state import State, pass_state
from station.services import state_rules
from station.states.profiles import Profile

# The rules the table shows, one column each (`states show` lists them all).
_COLUMNS = {
    "receipt_days": "receipt",
    "reconcile": "reconcile",
    "order_max_tags": "order_cap",
    "holding_cap": "holding_cap",
    "retail_id": "retail_id",
    "records_years": "records",
    "tag_price": "tag_price",
}


@click.group(invoke_without_command=True)
@click.option(
    "--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True
)
@pass_state
@click.pass_context
def states(context: click.Context, state: State, fmt: str) -> None:
    """Each Metrc state's rules (receipt days, reconciliation, order caps, Retail ID, records,
    tag prices), each with its source; "not known" where no source states one."""
    if context.invoked_subcommand is not None:
        return
    found = state_rules.every_in(state.folders)
    if fmt == "json":
        click.echo(json.dumps([profile.as_dict() for profile in found], ensure_ascii=False))
        return
    emit((_row(profile) for profile in found), "table", ["state", "name", *_COLUMNS.values()])
    message("each rule's source: station states show XX")


@states.command("show")
@click.argument("code", metavar="XX")
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True
)
@pass_state
def show(state: State, code: str, fmt: str) -> None:
    """One state's rules in full: value, source, and whether the source states it ([V]) or it
    is inferred ([I]); then the rules not known for the state."""
    profile = state_rules.profile_in(state.folders, code)
    if fmt == "json":
        click.echo(json.dumps(profile.as_dict(), ensure_ascii=False))
        return
    click.echo(f"{profile.code} {profile.name}")
    for rule in profile.rules.values():
        click.echo(f"  {rule.meaning}: {rule.said()}")
        click.echo(f"    {rule.cited()}")
        if rule.note:
            click.echo(f"    {rule.note}")
    missing = [name for name in state_rules.RULES if profile.rule(name) is None]
    for name in missing:
        click.echo(f"  {profile.not_known(name)}")


def _row(profile: Profile) -> dict[str, str]:
    row = {"state": profile.code, "name": profile.name}
    for name, column in _COLUMNS.items():
        rule = profile.rule(name)
        row[column] = rule.said() if rule is not None else "not known"
    return row
