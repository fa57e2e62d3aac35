"""``station order add|import|edit|delete|list``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from station.cli.output import FORMATS, emit, message, warn_all, working
from station.cli.state import State, pass_state
from station.domain.changes import described
from station.domain.states import TagStatus, TagType
from station.domain.text import plural
from station.services.tags import order_corrections, orders
from station.services.tags.order_files import ImportOptions, import_file

TAG_TYPE = click.Choice([kind.value for kind in TagType], case_sensitive=False)


@click.group()
def order() -> None:
    """Tag orders: the ranges Metrc ships to a facility."""


@order.command("add")
@click.option("--license", "license_number", required=True, help="Facility license number.")
@click.option("--type", "tag_type", type=TAG_TYPE, required=True)
@click.option("--first", "first", required=True, help="First UID of the range.")
@click.option("--last", "last", help="Last UID of the range.")
@click.option("--count", type=int, help="Number of tags from --first (instead of --last).")
@click.option("--order-date", required=True, help="YYYY-MM-DD, as printed on the tags.")
@click.option("--order-number", help="Metrc's order number, if the tags carry one.")
@pass_state
def add(
    state: State,
    license_number: str,
    tag_type: str,
    first: str,
    last: str | None,
    count: int | None,
    order_date: str,
    order_number: str | None,
) -> None:
    """Record an order range (tags start as ordered)."""
    if (last is None) == (count is None):
        raise click.UsageError("give exactly one of --last and --count")
    ctx = state.context()
    draft = orders.draft_order(
        ctx, license_number, tag_type, first, order_date, order_number, last, count
    )
    with working(f"recording {plural(draft.quantity, draft.tag_type + ' tag')}..."):
        recorded, warnings = orders.add_order(ctx, draft)
    warn_all(warnings)
    [run] = draft.runs
    message(
        f"recorded order {recorded.id}: {run.count:,} {draft.tag_type} tags {run.first_uid}"
        f"..{run.last_uid} for {draft.facility.license_number}"
    )


@order.command("edit")
@click.argument("order_id", type=int)
@click.option("--type", "tag_type", type=TAG_TYPE, help="The tag type it should have been.")
@click.option("--order-date", help="YYYY-MM-DD, as printed on the tags.")
@click.option("--order-number", help="Metrc's order number (empty to clear it).")
@click.option("--reason", required=True, help="Why, e.g. 'typed the wrong date'.")
@pass_state
def edit(
    state: State,
    order_id: int,
    tag_type: str | None,
    order_date: str | None,
    order_number: str | None,
    reason: str,
) -> None:
    """Correct an order while all its tags are still ordered (received, used or voided
    tags rest on it as it is)."""
    changes = order_corrections.edit_order(
        state.context(), order_id, reason, tag_type, order_date, order_number
    )
    message(f"corrected order {order_id}: {described(changes, with_before=True)}")


@order.command("delete")
@click.argument("order_id", type=int)
@click.option("--reason", required=True, help="Why, e.g. 'recorded the same order twice'.")
@pass_state
def delete(state: State, order_id: int, reason: str) -> None:
    """Delete an order recorded in error, with its tags, while all of them are still
    ordered. The audit trail keeps the order's events and names its UIDs."""
    count = order_corrections.delete_order(state.context(), order_id, reason)
    message(f"deleted order {order_id} and its {plural(count, 'tag')}")


@order.command("import")
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--license", "license_number", help="License number for rows that lack one.")
@click.option("--type", "tag_type", help="plant or package, for rows that lack a Type.")
@click.option("--order-date", help="YYYY-MM-DD, for rows that lack an Order Date.")
@pass_state
def import_(
    state: State,
    file: Path,
    license_number: str | None,
    tag_type: str | None,
    order_date: str | None,
) -> None:
    """Import orders from a CSV file or a Metrc tags JSON array."""
    with working(f"importing {file}..."):
        result = import_file(
            state.context(), file, ImportOptions(license_number, tag_type, order_date)
        )
    warn_all(result.warnings)
    ids = ", ".join(str(order_id) for order_id in result.order_ids)
    message(f"imported {result.tag_count:,} tags in {len(result.order_ids)} orders ({ids})")


@order.command("list")
@click.option("--format", "fmt", type=FORMATS, default="table", show_default=True)
@pass_state
def list_(state: State, fmt: str) -> None:
    """Orders with their tag counts per state and how long receipt has been open."""
    ctx = state.context()
    today = ctx.today()

    def rows() -> Any:
        for summary in orders.list_orders(ctx):
            yield {
                "id": summary.id,
                "license_number": summary.license_number,
                "facility_name": summary.facility_name,
                "type": summary.type,
                "order_date": summary.order_date.isoformat(),
                "order_number": summary.order_number,
                "total": summary.total,
                **{status.value: summary.counts[status] for status in TagStatus},
                "days_open": summary.days_open(today),
                "ranges": summary.ranges,
            }

    columns = [
        "id",
        "license_number",
        "type",
        "order_date",
        "order_number",
        "total",
        *(status.value for status in TagStatus),
        "days_open",
    ]
    if fmt != "table":
        columns += ["facility_name", "ranges"]
    emit(rows(), fmt, columns)
