"""``station audit``: the append-only trail of every change."""

from __future__ import annotations

import click

from station.cli.output import FORMATS, emit
from station.cli.state import State, pass_state
from station.domain.dates import parse_date
from station.domain.uid import normalize
from station.services import audit as audit_service

_TABLE = ["id", "at", "operator", "action", "tag_count", "summary"]
_FULL = ["id", "at", "operator", "action", "summary", "tag_count", "uids", "details"]


@click.command("audit")
@click.option("--uid", help="Only events that touched this tag.")
@click.option("--action", help="Only this action, or a family of them (print: print.*).")
@click.option("--operator", help="Only what this person did.")
@click.option("--from", "start", metavar="DATE", help="First day (YYYY-MM-DD), station time.")
@click.option("--to", "end", metavar="DATE", help="Last day (YYYY-MM-DD), included.")
@click.option("--format", "fmt", type=FORMATS, default="table", show_default=True)
@pass_state
def audit(
    state: State,
    uid: str | None,
    action: str | None,
    operator: str | None,
    start: str | None,
    end: str | None,
    fmt: str,
) -> None:
    """The audit trail, oldest first: who, when, what, which tags."""
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
