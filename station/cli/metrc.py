"""``station metrc keys|pull|reconcile|push``: the exchange with Metrc's API."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import click

from station.cli.output import message, progress, working
from station.cli.state import State, pass_state
from station.domain.errors import StationError
from station.domain.text import plural
from station.metrc import keys as metrc_keys
from station.metrc.hosts import DEFAULT_STATE
from station.services.metrc import pull, session
from station.services.metrc import push as metrc_push
from station.services.metrc.pull import Comparison

TYPES = click.Choice(["package", "plant", "all"], case_sensitive=False)
OUT = click.Choice(["text", "json"])


@dataclass
class Server:
    address: session.Address


pass_server = click.make_pass_decorator(Server)


@click.group()
@click.option(
    "--url", help="Metrc API address (default: the state's production API; env METRC_URL)."
)
@click.option(
    "--state", "state_code", metavar="XX",
    help="Send the calls to this state's API, api-XX.metrc.com (default: each facility's).",
)  # fmt: skip
@click.option("--sandbox", is_flag=True, help="Use the state's sandbox API (env METRC_SANDBOX).")
@pass_state
@click.pass_context
def metrc(
    context: click.Context, state: State, url: str | None, state_code: str | None, sandbox: bool
) -> None:
    """Reconcile with the Metrc API and push assignments to it.

    The keys come from METRC_VENDOR_KEY and METRC_USER_KEY, or from the system keyring
    (`station metrc keys set`); they are never stored in the database or printed.
    """
    settings = state.settings
    address = session.Address(
        url or settings.metrc_url, state_code, sandbox or settings.metrc_sandbox
    )
    # Checked now, so that a bad --url or --state is refused before anything is read.
    address.url_for(DEFAULT_STATE)
    context.obj = Server(address)


@metrc.group()
def keys() -> None:
    """Keep the Metrc API keys in the system keyring."""


@keys.command("set")
@pass_state
def keys_set(state: State) -> None:
    """Ask for both keys (typed or pasted, not shown) and save them in the keyring."""
    state.context()  # signs in; the command needs a supervisor (station.services.people.roles)
    metrc_keys.check_keyring()  # before asking for keys it could not keep
    vendor = click.prompt("Vendor API key", hide_input=True)
    user = click.prompt("User API key", hide_input=True)
    where = metrc_keys.store_keys(vendor, user)
    message(f"saved both Metrc keys in the system keyring ({where})")


@keys.command("clear")
@pass_state
def keys_clear(state: State) -> None:
    """Remove the keys from the keyring."""
    state.context()  # signs in; the command needs a supervisor (station.services.people.roles)
    metrc_keys.forget_keys()
    message("removed the Metrc keys from the system keyring")


def _compare_command(name: str, act: Callable[..., Comparison], doc: str) -> click.Command:
    @click.command(name, help=doc)
    @click.option("--license", "license_number", help="One facility (default: every one).")
    @click.option("--type", "tag_type", type=TYPES, default="all", show_default=True)
    @click.option("--format", "fmt", type=OUT, default="text", show_default=True)
    @pass_server
    @pass_state
    def command(
        state: State, server: Server, license_number: str | None, tag_type: str, fmt: str
    ) -> None:
        kinds = ["package", "plant"] if tag_type.lower() == "all" else [tag_type.lower()]
        results: list[dict[str, Any]] = []
        ctx = state.context()
        with (
            session.clients(ctx, server.address, license_number, progress) as opened,
            working("asking Metrc..."),
        ):
            for found in pull.compare_all(ctx, opened, kinds, act):
                if isinstance(found, str):
                    message(found)
                    continue
                results.append(found.as_dict())
                if fmt == "text":
                    click.echo("\n".join(pull.describe(found)))
        if fmt == "json":
            click.echo(json.dumps(results, indent=2))

    return command


metrc.add_command(
    _compare_command(
        "pull",
        pull.pull,
        "Fetch Metrc's available tags; record the ones the station lacks as received, and "
        "report where the two disagree.",
    )
)
metrc.add_command(
    _compare_command(
        "reconcile",
        pull.compare,
        "Report where the station and Metrc's available tags disagree; changes nothing.",
    )
)


@metrc.command()
@click.option("--license", "license_number", help="One facility (default: every one).")
@click.option("--batch", "batches", type=int, multiple=True, help="Only these assignments.")
@click.option("--dry-run", is_flag=True, help="Show what would be sent; send nothing.")
@click.option("--format", "fmt", type=OUT, default="text", show_default=True)
@pass_server
@pass_state
def push(
    state: State,
    server: Server,
    license_number: str | None,
    batches: tuple[int, ...],
    dry_run: bool,
    fmt: str,
) -> None:
    """Create packages, tag plant batches' plants and replace plant tags in Metrc, for what
    Metrc has not accepted yet (at most 500 objects a call)."""
    ctx = state.context()
    only = list(batches) or None
    reports: list[dict[str, Any]] = []
    if dry_run:
        for facility in pull.licenses_to_check(ctx, license_number):
            todo, report = metrc_push.pending(ctx, facility.license_number, only)
            reports.append({**report.as_dict(), "would_send": len(todo)})
            if fmt == "text":
                click.echo(
                    "\n".join(metrc_push.describe_pending(facility.license_number, todo, report))
                )
    else:
        with session.clients(ctx, server.address, license_number, progress) as opened:
            for client in opened:
                with working(f"sending to Metrc for {client.license_number}..."):
                    report = metrc_push.push(ctx, client, only)
                reports.append(report.as_dict())
                if fmt == "text":
                    click.echo("\n".join(metrc_push.describe(report)))
    if fmt == "json":
        click.echo(json.dumps(reports, indent=2))
    refused = 0 if dry_run else sum(len(report["rejected"]) for report in reports)
    if refused:
        # Everything else was sent; a script must still learn that some objects were not.
        raise StationError(
            f"Metrc refused {plural(refused, 'object')} (listed above): correct them and push again"
        )
