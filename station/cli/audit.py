"""``station audit``: the append-only trail of every change."""

from __future__ import annotations

import click

from station.cli.output import FORMATS, emit
from station.cli.state import State, pass_state
from station.domain.uid import normalize
from station.services import audit as audit_service

_TABLE = ["id", "at", "operator", "action", "tag_count", "summary"]
_FULL = ["id", "at", "operator", "action", "summary", "tag_count", "uids", "details"]


@click.command("audit")
@click.option("--uid", help="Only events that touched this tag.")
@click.option("--format", "fmt", type=FORMATS, default="table", show_default=True)
@pass_state
def audit(state: State, uid: str | None, fmt: str) -> None:
    """The audit trail, oldest first: who, when, what, which tags."""
    wanted = normalize(uid) if uid is not None else None
    table = fmt == "table"
    # A table shows counts; CSV and JSON carry every UID, so they are complete.
    events = audit_service.events(state.context(), uid=wanted, with_uids=not table)
    emit((event.as_dict() for event in events), fmt, _TABLE if table else _FULL)
