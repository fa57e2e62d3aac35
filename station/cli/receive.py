"""``station receive FIRST [LAST]``, ``station receive -`` and ``station receive --rfid``;
``station unreceive``, which takes a receipt back."""

from __future__ import annotations

import click

from station.cli.output import message, working
from station.cli.reading import SECONDS_HELP, SOURCE_HELP, gather
from station.cli.rfid import SHOWN
from station.cli.scans import read_uids, uids_from_args
from station.cli.state import State, pass_state
from station.domain.errors import StationError
from station.domain.states import TagStatus
from station.domain.text import plural
from station.domain.uid import runs_text
from station.services.context import Context
from station.services.rfid import box
from station.services.tags import receipt, receipt_undo
from station.services.tags.receipt import ReceiveResult


@click.command()
@click.argument("first", metavar="FIRST|-", required=False)
@click.argument("last", required=False)
@click.option("--rfid", "rfid", metavar="SOURCE", help="Read the box by RFID: " + SOURCE_HELP)
@click.option("--order", "order_id", type=int, metavar="N", help="With --rfid: this order only.")
@click.option("--license", "license_number", metavar="LIC", help="With --rfid: the facility.")
@click.option("--seconds", type=float, help="With --rfid: " + SECONDS_HELP)
@click.option("--yes", is_flag=True, help="With --rfid: receive without asking.")
@pass_state
def receive(
    state: State,
    first: str | None,
    last: str | None,
    rfid: str | None,
    order_id: int | None,
    license_number: str | None,
    seconds: float | None,
    yes: bool,
) -> None:
    """Receive tags that arrived: the range FIRST LAST (two UIDs), one UID, scans on stdin
    ("-"), or a box read by RFID (--rfid SOURCE)."""
    ctx = state.context()
    if rfid is not None:
        if first is not None:
            raise click.UsageError("--rfid reads the tags; give no FIRST or LAST with it")
        _by_rfid(state, rfid, order_id, license_number, seconds, yes)
        return
    if first is None:
        raise click.UsageError("give FIRST [LAST], '-' or --rfid SOURCE")
    if order_id is not None or license_number is not None or seconds is not None or yes:
        raise click.UsageError("--order, --license, --seconds and --yes go with --rfid")
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
    _said(ctx, result)


def _said(ctx: Context, result: ReceiveResult) -> None:
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


def _by_rfid(
    state: State,
    source: str,
    order_id: int | None,
    license_number: str | None,
    seconds: float | None,
    yes: bool,
) -> None:
    if source == "-" and not yes:
        raise click.UsageError("with the reads on stdin nothing is left to answer with; add --yes")
    ctx = state.context()
    reads = gather(source, seconds)
    found = box.sort_box(ctx, reads, order_id, license_number)
    if not found.to_receive:
        raise StationError(box.nothing_to_receive(found))
    message(
        f"{plural(found.reads, 'read')} of {plural(found.distinct, 'tag')} "
        f"for {found.license_number}"
    )
    for order in found.orders:
        still = order.waiting - order.read
        tail = f"; still missing {still:,}: {order.missing_runs}" if still else "; all here"
        message(
            f"  order {order.id} ({order.type}, {order.order_date}): {order.read:,} read of "
            f"{order.waiting:,} to receive ({order.total:,} ordered){tail}"
        )
    by_reason: dict[str, list[str]] = {}
    for entry in found.already:
        by_reason.setdefault(entry.reason, []).append(entry.uid or "")
    for reason, uids in sorted(by_reason.items()):
        message(f"  {reason} ({len(uids):,}), not received again: {runs_text(uids, shown=3)}")
    if found.strays:
        message(f"  strays ({len(found.strays):,}), not received:")
        for entry in found.strays[:SHOWN]:
            message(f"    {entry.uid or entry.epc}  {entry.reason}")
        if len(found.strays) > SHOWN:
            message(f"    ... and {len(found.strays) - SHOWN:,} more")
    many = len(found.to_receive) > 1
    asked = f"receive these {len(found.to_receive):,} tags?" if many else "receive this tag?"
    if not yes and not click.confirm(asked, default=False, err=True):
        message("nothing was received")
        raise click.exceptions.Exit(1)
    with working("receiving..."):
        result = box.receive_box(ctx, found, source)
    _said(ctx, result)


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
