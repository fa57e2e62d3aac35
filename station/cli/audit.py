"""``station audit [verify|head]``: the append-only trail of every change, and its hash
chain."""

from __future__ import annotations

import json
from pathlib import Path

import click

from station.cli.output import FORMATS, emit, message
from station.cli.state import State, pass_state
from station.domain.dates import parse_date
from station.domain.errors import StationError
from station.domain.uid import normalize
from station.services.records import audit as audit_service
from station.services.records import audit_chain, key_exchange

_TABLE = ["id", "at", "operator", "approved_by", "action", "tag_count", "summary"]
_FULL = list(audit_service.FIELDS)


@click.group("audit", invoke_without_command=True)
@click.option("--uid", help="Only events that touched this tag.")
@click.option("--action", help="Only this action, or a family of them (print: print.*).")
@click.option("--operator", help="Only what this person did.")
@click.option("--from", "start", metavar="DATE", help="First day (YYYY-MM-DD), station time.")
@click.option("--to", "end", metavar="DATE", help="Last day (YYYY-MM-DD), included.")
@click.option("--format", "fmt", type=FORMATS, default="table", show_default=True)
@click.pass_context
@pass_state
def audit(
    state: State,
    click_context: click.Context,
    uid: str | None,
    action: str | None,
    operator: str | None,
    start: str | None,
    end: str | None,
    fmt: str,
) -> None:
    """The audit trail, oldest first: who, when, what, which tags (verify and head: its
    hash chain)."""
    if click_context.invoked_subcommand is not None:
        return
    filters = audit_service.Filters(
        uid=normalize(uid) if uid is not None else None,
        action=action,
        operator=operator,
        start=parse_date(start, "--from date") if start is not None else None,
        end=parse_date(end, "--to date") if end is not None else None,
    )
    table = fmt == "table"
    # A table shows counts; CSV and JSON carry every UID, so they are complete.
    events = audit_service.events(state.context(), with_uids=not table, filters=filters)
    emit((event.as_dict() for event in events), fmt, _TABLE if table else _FULL)


@audit.command("verify")
@click.option(
    "--head",
    "known_head",
    metavar="HASH",
    help="A head noted earlier: prove it is still in the chain.",
)
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True
)
@pass_state
def verify(state: State, known_head: str | None, fmt: str) -> None:
    """Recompute every event's hash and its link to the one before: exit 0 when the chain is
    intact, 1 naming the first event altered, removed, inserted or reordered."""
    wanted = audit_chain.parse_head(known_head) if known_head is not None else None
    verdict = audit_chain.verify(state.context(), wanted)
    if fmt == "json":
        click.echo(json.dumps(verdict.as_dict()))
        if not verdict.intact:
            raise click.exceptions.Exit(1)
        return
    if not verdict.intact:
        raise StationError(f"audit chain broken: {verdict.problem}")
    message(
        f"audit chain intact: {verdict.events:,} events, head {verdict.head} "
        f"({verdict.keyed:,} keyed; {verdict.anchors:,} anchors outside the database hold)"
    )


@audit.command("head")
@pass_state
def head(state: State) -> None:
    """The newest event's hash, to note on paper or in another system (verify --head)."""
    found = audit_chain.head(state.context())
    if found is None:
        raise StationError("the audit trail has no events yet")
    click.echo(found[1])


@audit.group("key")
def key() -> None:
    """The chain key, kept outside the database: share it between the stations of one
    PostgreSQL database (export on one, import on the others)."""


@key.command("export")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@pass_state
def key_export(state: State, file: Path) -> None:
    """Write this station's chain key to the new private FILE, for another station."""
    ids = key_exchange.export(state.context(), file)
    message(f"exported chain key {ids} to {file}: move it to the other station, import it, "
            "and delete it")  # fmt: skip


@key.command("import")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@pass_state
def key_import(state: State, file: Path) -> None:
    """Add the chain key in FILE (an export from another station of this database)."""
    added = key_exchange.import_(state.context(), file)
    message(
        f"imported chain key {', '.join(added)}" if added else "this station already holds that key"
    )
