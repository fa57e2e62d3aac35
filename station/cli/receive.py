"""``station receive FIRST [LAST]`` and ``station receive -``; ``station unreceive``, which
takes a receipt back."""

from __future__ import annotations

import click

from station.cli.output import message, working
from station.cli.scans import read_uids, uids_from_args
from station.cli.state import State, pass_state
from station.domain.states import TagStatus
from station.domain.text import plural
from station.services.tags import receipt, receipt_undo


@click.command()
@click.argument("first", metavar="FIRST|-")
@click.argument("last", required=False)
@pass_state
def receive(state: State, first: str, last: str | None) -> None:
    """Receive tags that arrived: the range FIRST LAST (two UIDs), one UID, or scans on stdin
    ("-")."""
    ctx = state.context()
    if first == "-":
        if last is not None:
            raise click.UsageError("'-' reads scans from stdin; give no LAST with it")
        uids = read_uids("-")
        with working(f"receiving {plural(len(uids), 'tag')}..."):
            result = receipt.receive_uids(ctx, uids)
    else:
        ends = uids_from_args([first] + ([last] if last else []))
        with working("receiving..."):
            result = receipt.receive_range(ctx, ends[0], ends[-1])
    skipped = ", ".join(f"{n:,} already {status}" for status, n in sorted(result.skipped.items()))
    message(f"received {plural(result.received, 'tag')}" + (f" ({skipped})" if skipped else ""))
    today = ctx.today()
    for summary in result.orders:
        missing = summary.counts[TagStatus.ORDERED]
        state_of = (
            f"{missing:,} still missing, open {plural(summary.days_open(today) or 0, 'day')}"
            if missing
            else "complete"
        )
        arrived = summary.total - missing
        message(
            f"order {summary.id} ({summary.type}, {summary.order_date}): "
            f"{arrived:,} of {summary.total:,} received, {state_of}"
        )


@click.command()
@click.argument("first", metavar="FIRST|-")
@click.argument("last", required=False)
@click.option("--reason", required=True, help="Why, e.g. 'wrong roll scanned'.")
@pass_state
def unreceive(state: State, first: str, last: str | None, reason: str) -> None:
    """Take back a receipt recorded by mistake: received tags FIRST LAST (a range), one UID,
    or scans on stdin ("-") go back to ordered (used or voided tags are refused)."""
    ctx = state.context()
    if first == "-":
        if last is not None:
            raise click.UsageError("'-' reads scans from stdin; give no LAST with it")
        result = receipt_undo.unreceive_uids(ctx, read_uids("-"), reason)
    else:
        ends = uids_from_args([first] + ([last] if last else []))
        result = receipt_undo.unreceive_range(ctx, ends[0], ends[-1], reason)
    still = f" ({result.already_ordered:,} were not received)" if result.already_ordered else ""
    message(f"{plural(result.unreceived, 'tag')} back to ordered{still}")
