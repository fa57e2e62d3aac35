"""``station count ...`` (an inventory count by RFID) and ``station rfid check`` (is a tag's
EPC its printed UID?)."""

from __future__ import annotations

import json

import click

from station.cli.output import emit, message
from station.cli.reading import SECONDS_HELP, SOURCE_HELP, gather, source_of
from station.cli.scans import uids_from_args
from station.cli.state import State, pass_state
from station.domain.reads import ReadSet
from station.domain.text import plural
from station.services.rfid import counts as counting
from station.services.rfid import pairs
from station.services.rfid.counts import CountReport

# A report at a terminal lists this many of each kind; csv and json list them all.
SHOWN = 30


@click.group()
def count() -> None:
    """Count a room's tags by RFID against the records (the 30-day reconciliation)."""


@count.command("start")
@click.option("--license", "license_number", metavar="LIC", help="The facility (if several).")
@click.option("--room", metavar="ROOM", help="The room (a batch's location); default: all.")
@pass_state
def start(state: State, license_number: str | None, room: str | None) -> None:
    """Open a count of a room (or the whole facility); one is open per room at a time."""
    view = counting.start(state.context(), license_number, room)
    click.echo(view.id)
    message(f"count {view.id} of {view.where} is open; add reads: station count read {view.id}")


@count.command("read")
@click.argument("count_id", metavar="COUNT", type=int)
@click.option("--from", "source", metavar="SOURCE", help=SOURCE_HELP)
@click.option("--seconds", type=float, help=SECONDS_HELP)
@pass_state
def read(state: State, count_id: int, source: str | None, seconds: float | None) -> None:
    """Add reads to an open count (run it again, here or at another station, to go on)."""
    ctx = state.context()
    counting.get(ctx, count_id)  # an unknown count is refused before a reader opens
    where = source_of(source, state.settings.rfid)
    added = {"new": 0, "distinct": 0, "reads": 0, "epcs": 0}
    epcs: set[str] = set()

    def flush(batch: ReadSet) -> None:
        done = counting.add_reads(ctx, count_id, batch, where)
        epcs.update(batch.by_epc)
        added["new"] += done.new
        added["distinct"] = done.distinct
        added["reads"] += batch.reads
        added["epcs"] = len(epcs)

    try:
        gather(where, seconds, flush)
    finally:
        if added["distinct"]:
            counting.record_pass(ctx, count_id, where, added["reads"], added["epcs"], added["new"])
    message(
        f"count {count_id}: {plural(added['reads'], 'read')} of {plural(added['epcs'], 'tag')}"
        f" ({added['new']:,} new to the count, {added['distinct']:,} in it); "
        f"station count report {count_id}"
    )


@count.command("report")
@click.argument("count_id", metavar="COUNT", type=int)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json", "csv"]),
    default="table",
    show_default=True,
)
@pass_state
def report(state: State, count_id: int, fmt: str) -> None:
    """Seen, missing, strays and wrong room, with counts and the variance."""
    _show(counting.report(state.context(), count_id), fmt)


@count.command("finish")
@click.argument("count_id", metavar="COUNT", type=int)
@pass_state
def finish(state: State, count_id: int) -> None:
    """Close a count and record it as the facility's reconciliation."""
    found = counting.finish(state.context(), count_id)
    _summary(found)
    message(f"count {count_id} finished: recorded as the reconciliation (station due)")


@count.command("list")
@click.option("--open", "open_only", is_flag=True, help="Only counts not finished.")
@pass_state
def list_(state: State, open_only: bool) -> None:
    """The counts, newest first."""
    rows = (
        {
            "count": view.id,
            "license": view.license_number,
            "room": view.room or "(all)",
            "started": view.started_at,
            "by": view.started_by,
            "finished": view.finished_at or "open",
        }
        for view in counting.counts(state.context(), open_only)
    )
    emit(rows, "table", ["count", "license", "room", "started", "by", "finished"])


def _show(found: CountReport, fmt: str) -> None:
    if fmt == "json":
        click.echo(json.dumps(found.as_dict(), ensure_ascii=False))
        return
    if fmt == "csv":
        rows = (
            {"list": name, "uid": entry.uid or "", "epc": entry.epc or "", "reason": entry.reason}
            for name, entries in _lists(found)
            for entry in entries
        )
        emit(rows, "csv", ["list", "uid", "epc", "reason"])
        return
    _summary(found)
    for name, entries in _lists(found):
        if name == "seen" or not entries:
            continue
        click.echo(f"{name.replace('_', ' ')} ({len(entries):,}):")
        for entry in entries[:SHOWN]:
            click.echo(f"  {entry.uid or entry.epc}  {entry.reason}")
        if len(entries) > SHOWN:
            click.echo(f"  ... and {len(entries) - SHOWN:,} more (--format csv lists all)")


def _summary(found: CountReport) -> None:
    view = found.count
    state = f"finished {view.finished_at:%Y-%m-%d %H:%M}" if view.finished_at else "open"
    click.echo(f"count {view.id}, {view.where}, {state}")
    numbers = found.counts()
    click.echo(
        f"  expected {found.expected:,}; seen {len(found.seen):,}; "
        f"missing {len(found.missing):,}; strays {len(found.strays):,} "
        f"({found.not_metrc:,} not Metrc); wrong room {len(found.wrong_room):,}"
    )
    variance = numbers["variance_percent"]
    if variance is None:
        click.echo("  variance: none expected here, so no percentage")
    else:
        flag = (
            f"  FLAGGED: {counting.FLAG_PERCENT:g}% or more ({counting.FLAG_SOURCE})"
            if found.flagged
            else ""
        )
        click.echo(
            f"  variance {variance:g}%: {plural(found.differences, 'difference')} "
            f"(missing, wrong room, Metrc strays) of {found.expected:,} expected"
        )
        if flag:
            click.echo(flag)


def _lists(found: CountReport) -> list[tuple[str, list[counting.Entry]]]:
    return [
        ("seen", found.seen),
        ("missing", found.missing),
        ("strays", found.strays),
        ("wrong_room", found.wrong_room),
    ]


@click.group()
def rfid() -> None:
    """RFID readers and tags."""


@rfid.command("check")
@click.option("--uid", "uid", required=True, metavar="UID", help="The UID printed on the tag.")
@click.option("--from", "source", metavar="SOURCE", help=SOURCE_HELP)
@click.option("--seconds", type=float, default=3.0, show_default=True, help="Read this long.")
@pass_state
def check(state: State, uid: str, source: str | None, seconds: float) -> None:
    """Read one tag and say whether its EPC is its printed UID; learn the pair where not."""
    printed = uids_from_args([uid])[0]
    ctx = state.context()
    whole = gather(source_of(source, state.settings.rfid), seconds)
    found = pairs.check(ctx, printed, whole)
    if found.matched:
        click.echo(f"{printed}: the EPC is the printed UID (checked on this reader; recorded)")
    elif found.learned:
        click.echo(f"{printed}: the EPC is {found.epc}; learned, its reads count as {printed}")
    else:
        click.echo(f"{printed}: the EPC is {found.epc}, learned before")
