"""``station retailid allotment|generate|codes|associate|lookup``: Metrc Retail ID unit codes."""

from __future__ import annotations

import json
import sys
from itertools import islice
from pathlib import Path

import click

from station.cli.output import FORMATS, emit, message, progress, working
from station.cli.state import State, pass_state
from station.domain.errors import StationError
from station.domain.text import plural
from station.domain.uid import normalize
from station.metrc.keys import load_keys
from station.services.context import Context
from station.services.metrc import retail_ids
from station.staff_files import read_text

OUT = click.Choice(["text", "json"])
# The longest scanned line read from standard input.
_MAX_LINE = 300


@click.group()
def retailid() -> None:
    """Metrc Retail ID: one QR code per unit of a package here.

    Talks to the Metrc API named by METRC_URL or METRC_STATE/METRC_SANDBOX, with the keys of
    `station metrc keys` (or METRC_VENDOR_KEY and METRC_USER_KEY).
    """


@retailid.command()
@click.option("--license", "license_number", help="The facility (default: the only one).")
@click.option("--format", "fmt", type=OUT, default="text", show_default=True)
@pass_state
def allotment(state: State, license_number: str | None, fmt: str) -> None:
    """The facility's remaining Retail ID quota."""
    ctx = state.context()
    with working("asking Metrc..."):
        where, left = retail_ids.with_metrc(
            ctx, license_number, lambda c: (c.license_number, retail_ids.allotment(c)), progress
        )
    if fmt == "json":
        click.echo(json.dumps({"license_number": where, "allotment": left}))
    else:
        click.echo(f"{where}: {left:,} Retail ID codes left in the allotment")


@retailid.command()
@click.argument("package_uid", metavar="PACKAGE_UID")
@click.option("--quantity", type=int, required=True, help="How many unit codes.")
@click.option("--format", "fmt", type=OUT, default="text", show_default=True)
@pass_state
def generate(state: State, package_uid: str, quantity: int, fmt: str) -> None:
    """Have Metrc issue QR codes for the units of a package tagged here."""
    ctx = state.context()
    uid = normalize(package_uid)
    with working("asking Metrc..."):
        done = retail_ids.for_package(
            ctx, uid, lambda client: retail_ids.generate(ctx, client, uid, quantity), progress
        )
    issuance = done.issuance
    ranges = [list(pair) for pair in issuance.ranges]
    if fmt == "json":
        click.echo(
            json.dumps(
                {
                    "package": uid,
                    "issuance": issuance.id,
                    "metrc_issuance": issuance.metrc_id,
                    "units": issuance.units,
                    "ranges": ranges,
                    "settled_from_metrc": done.settled,
                }
            )
        )
        return
    if done.settled:
        message(
            f"an earlier generate for {uid} reached Metrc though its answer was lost: "
            "recorded from what Metrc holds; nothing more was asked"
        )
    click.echo(
        f"{uid}: {plural(issuance.units, 'unit code')} issued (issuance {issuance.id}, "
        f"indexes {retail_ids.describe_ranges(issuance.ranges)})"
    )


@retailid.command()
@click.argument("package_uid", metavar="PACKAGE_UID")
@click.option("--format", "fmt", type=FORMATS, default="table", show_default=True)
@pass_state
def codes(state: State, package_uid: str, fmt: str) -> None:
    """Every unit code of a package: index, URL, and whether its label printed."""
    found = retail_ids.codes(state.context(), normalize(package_uid))
    rows = ({"index": c.index, "url": c.url, "printed": c.printed} for c in found)
    emit(rows, fmt, ["index", "url", "printed"])


@retailid.command()
@click.argument("package_uid", metavar="PACKAGE_UID")
@click.option(
    "--codes", "source", required=True, metavar="FILE|-",
    help="Scanned unit URLs, one a line (- for standard input).",
)  # fmt: skip
@pass_state
def associate(state: State, package_uid: str, source: str) -> None:
    """Tell Metrc the scanned units are now in PACKAGE_UID (all checked offline first)."""
    ctx = state.context()
    uid = normalize(package_uid)
    units = retail_ids.read_units(_lines(source))
    with working("telling Metrc..."):
        done = retail_ids.for_package(
            ctx, uid, lambda client: retail_ids.associate(ctx, client, uid, units), progress
        )
    message(f"{plural(done, 'unit')} associated with {uid}")


def _lines(source: str) -> list[str]:
    if source != "-":
        return read_text(Path(source)).splitlines()
    # Bounded: one more line than allowed is enough to refuse.
    reader = iter(lambda: sys.stdin.readline(_MAX_LINE), "")
    return list(islice(reader, retail_ids.MAX_SCANNED + 1))


@retailid.command()
@click.argument("code")
@click.option("--offline", is_flag=True, help="Do not ask Metrc, even with keys.")
@click.option("--license", "license_number", help="Ask Metrc as this facility.")
@click.option("--format", "fmt", type=OUT, default="text", show_default=True)
@pass_state
def lookup(state: State, code: str, offline: bool, license_number: str | None, fmt: str) -> None:
    """Decode a scanned unit URL or short code (tag and index) and, with keys, ask Metrc."""
    ctx = state.context()
    ask = not offline and _have_keys(ctx)
    if ask and license_number is None:
        license_number = retail_ids.home_license(ctx, code)
    if ask:
        with working("asking Metrc..."):
            found = retail_ids.with_metrc(
                ctx, license_number, lambda client: retail_ids.lookup(ctx, code, client), progress
            )
    else:
        found = retail_ids.lookup(ctx, code, None)
    if fmt == "json":
        click.echo(json.dumps(found.as_dict()))
        return
    unit = found.unit
    lines = [f"{unit.url}: unit {unit.index:,} of {unit.tag}"]
    if found.ours:
        where = f"issuance {found.issuance}" if found.issuance else "no issuance recorded here"
        lines.append(f"  package here; {where}; {'printed' if found.printed else 'not printed'}")
    if found.associated_with:
        lines.append(f"  associated here with {found.associated_with}")
    if not found.asked_metrc:
        lines.append("  Metrc not asked (offline" + ("" if offline else ": no keys") + ")")
    elif found.metrc is None:
        lines.append("  Metrc: no such code")
    else:
        held = found.metrc
        child = f", now in {held.child_tag}" if held.child_tag else ""
        check = ", needs verification" if held.requires_verification else ""
        lines.append(f"  Metrc: {plural(held.qr_count, 'code')} in its package{child}{check}")
    click.echo("\n".join(lines))


def _have_keys(ctx: Context) -> bool:
    try:
        load_keys(ctx.settings)
    except StationError:
        return False
    return True
