"""``station tags`` (listing) and ``station tag UID`` (one tag and its history)."""

from __future__ import annotations

import json

import click

from station.cli.output import FORMATS, cell, emit, json_value
from station.cli.state import State, pass_state
from station.domain import times
from station.domain.states import TagStatus, TagType
from station.domain.uid import normalize
from station.services.tags import lookup as tag_service

STATUS = click.Choice([status.value for status in TagStatus], case_sensitive=False)
TAG_TYPE = click.Choice([kind.value for kind in TagType], case_sensitive=False)
_TABLE_COLUMNS = [
    "uid",
    "type",
    "status",
    "license_number",
    "order_id",
    "order_date",
    "assignment_id",
]


@click.command("tags")
@click.option("--status", type=STATUS)
@click.option("--type", "tag_type", type=TAG_TYPE)
@click.option("--order", "order_id", type=int, help="Only this order's tags.")
@click.option("--batch", "assignment_id", type=int, help="Only this assignment batch's tags.")
@click.option("--format", "fmt", type=FORMATS, default="table", show_default=True)
@pass_state
def tags(
    state: State,
    status: str | None,
    tag_type: str | None,
    order_id: int | None,
    assignment_id: int | None,
    fmt: str,
) -> None:
    """List tags (complete, in UID order)."""
    rows = (
        view.as_dict()
        for view in tag_service.list_tags(
            state.context(),
            status=status.lower() if status else None,
            tag_type=tag_type.lower() if tag_type else None,
            order_id=order_id,
            assignment_id=assignment_id,
        )
    )
    emit(rows, fmt, _TABLE_COLUMNS if fmt == "table" else list(tag_service.FIELDS))


@click.command("tag")
@click.argument("uid")
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True
)
@pass_state
def tag(state: State, uid: str, fmt: str) -> None:
    """One tag: its facility, order, assignment and full history."""
    ctx = state.context()
    wanted = normalize(uid)
    view = tag_service.get_tag(ctx, wanted)
    events = tag_service.history(ctx, wanted)
    if fmt == "json":
        record = view.as_dict()
        record["history"] = [
            {k: v for k, v in event.as_dict().items() if k != "uids"} for event in events
        ]
        click.echo(json.dumps(record, ensure_ascii=False, indent=2, default=json_value))
        return
    for key, value in view.as_dict().items():
        if value is not None:
            click.echo(f"{key.replace('_', ' ')}: {cell(value)}")
    click.echo("history:")
    for event in events:
        click.echo(f"  {times.local(event.at)}  {event.operator}  {event.action}  {event.summary}")
