"""``station facility add|rename|list``."""

from __future__ import annotations

import click

from station.cli.output import FORMATS, emit, message
from station.cli.state import State, pass_state
from station.domain import times
from station.services.tags import facilities


@click.group()
def facility() -> None:
    """Facilities: a license number and the name printed on labels."""


@facility.command("add")
@click.argument("license_number", metavar="LICENSE")
@click.argument("name")
@click.option(
    "--state", "state_code", metavar="XX",
    help="The facility's Metrc state, whose rules apply (default CA; env METRC_STATE; "
    "station states lists them).",
)  # fmt: skip
@pass_state
def add(state: State, license_number: str, name: str, state_code: str | None) -> None:
    """Add a facility, e.g. station facility add C11-0000001-LIC "Green Leaf Farms"."""
    added = facilities.add_facility(state.context(), license_number, name, state_code)
    message(f"added facility {added.license_number} {added.name} ({added.state})")


@facility.command("rename")
@click.argument("license_number", metavar="LICENSE")
@click.argument("name")
@pass_state
def rename(state: State, license_number: str, name: str) -> None:
    """Change the name printed on the facility's labels from now on."""
    renamed, old = facilities.rename_facility(state.context(), license_number, name)
    message(f"renamed facility {renamed.license_number} from {old} to {renamed.name}")


@facility.command("state")
@click.argument("license_number", metavar="LICENSE")
@click.argument("code", metavar="XX")
@pass_state
def state_(state: State, license_number: str, code: str) -> None:
    """Put a facility under another Metrc state's rules and API (facilities recorded before
    the station knew states are California's)."""
    moved, old = facilities.set_state(state.context(), license_number, code)
    message(f"facility {moved.license_number} moved from {old} to {moved.state}")


@facility.command("list")
@click.option("--format", "fmt", type=FORMATS, default="table", show_default=True)
@pass_state
def list_(state: State, fmt: str) -> None:
    """List facilities."""
    rows = (
        {
            "license_number": f.license_number,
            "facility_name": f.name,
            "state": f.state,
            "created_at": times.utc(f.created_at),
        }
        for f in facilities.list_facilities(state.context())
    )
    emit(rows, fmt, ["license_number", "facility_name", "state", "created_at"])
