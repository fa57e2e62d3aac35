"""``station operator add|list|disable|enable|pin|badge``."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from station.cli.output import FORMATS, emit, message
from station.cli.state import State, pass_state
from station.domain.errors import StationError
from station.services.people import badges, operators

_COLUMNS = ["name", "role", "enabled", "badge", "locked_until", "created_at", "created_by"]


@click.group()
def operator() -> None:
    """The people who work the station, their roles, PINs and badges."""


@operator.command("add")
@click.argument("name")
@click.option("--role", type=click.Choice(operators.ROLES), required=True)
@click.option("--pin-stdin", is_flag=True, help="Read the new PIN from stdin (one line).")
@pass_state
def add(state: State, name: str, role: str, pin_stdin: bool) -> None:
    """Add an operator (the first one must be a supervisor), with a PIN of 4 to 12 digits."""
    ctx = state.context()
    added = operators.add(ctx, name, role, _new_pin(pin_stdin, f"PIN for {name.strip()}"))
    message(f"added {added.name} ({added.role})")


@operator.command("list")
@click.option("--format", "fmt", type=FORMATS, default="table", show_default=True)
@pass_state
def list_(state: State, fmt: str) -> None:
    """Every operator, with their role and whether they can sign in."""
    ctx = state.context()
    emit((view.as_dict() for view in operators.list_operators(ctx)), fmt, _COLUMNS)


@operator.command("disable")
@click.argument("name")
@pass_state
def disable(state: State, name: str) -> None:
    """Stop an operator from signing in or approving (their history stays)."""
    done = operators.set_enabled(state.context(), name, False)
    message(f"disabled operator {done.name}")


@operator.command("enable")
@click.argument("name")
@pass_state
def enable(state: State, name: str) -> None:
    """Let a disabled operator sign in again."""
    done = operators.set_enabled(state.context(), name, True)
    message(f"enabled operator {done.name}")


@operator.command("pin")
@click.argument("name")
@click.option("--pin-stdin", is_flag=True, help="Read the new PIN from stdin (one line).")
@pass_state
def pin(state: State, name: str, pin_stdin: bool) -> None:
    """Change a PIN: your own, or anyone's as a supervisor (this also lifts a lockout)."""
    ctx = state.context()
    operators.change_pin(ctx, name, _new_pin(pin_stdin, f"New PIN for {name.strip()}"))
    message(f"changed the PIN of {name.strip()}")


@operator.command("badge")
@click.argument("name")
@click.option(
    "-o", "--output", type=click.Path(path_type=Path), help="Write the badge to FILE.png or .pdf."
)
@click.option("--printer", "printer_name", help="Print the badge on this printer.")
@click.option("--force", is_flag=True, help="Replace the file if it exists.")
@pass_state
def badge(
    state: State, name: str, output: Path | None, printer_name: str | None, force: bool
) -> None:
    """Issue a new badge (the old one stops working): to a file or a printer."""
    if (output is None) == (printer_name is None):
        raise click.UsageError("give -o FILE.png|pdf or --printer P")
    ctx = state.context()
    if output is not None:
        replaced = badges.to_file(ctx, name, output, force)
        said = f"wrote a badge for {name.strip()} to {output}"
    else:
        where, replaced = badges.to_printer(ctx, name, printer_name)
        said = f"printed a badge for {name.strip()} on {where}"
    message(said + ("; the old one no longer works" if replaced else ""))


def _new_pin(from_stdin: bool, prompt: str) -> str:
    """The new PIN: one line of stdin, or typed twice at the terminal (not shown)."""
    if from_stdin:
        return sys.stdin.readline(64).rstrip("\r\n")
    if not sys.stdin.isatty():
        raise StationError("no PIN: give --pin-stdin, or run at a terminal to be asked for it")
    typed: str = click.prompt(prompt, hide_input=True, confirmation_prompt=True, err=True)
    return typed
