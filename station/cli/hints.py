"""Hints in the command line's terms: inputs as options (``--reason TEXT``), other work as
the ``station`` command that does it."""

from __future__ import annotations

from station.domain.errors import Hint, StationError, Terms, as_option, say, station_command

TERMS = Terms(
    input=as_option,
    command=station_command,
    approve="--approve NAME, or the approval dialog in the UI",
    supply=lambda spec: f"pass {as_option(spec)}",
    all_of=" ".join,
)


def said(hint: Hint) -> str:
    return say(hint, TERMS)


def message(error: StationError) -> str:
    """``error`` as the command line says it."""
    return error.said(said)
