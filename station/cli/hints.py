"""Hints in the command line's terms: inputs as options (``--reason TEXT``), other work as
the ``station`` command that does it."""

from __future__ import annotations

from station.domain.errors import Do, Hint, StationError, listed


def flag(spec: str) -> str:
    """``reason=TEXT`` → ``--reason TEXT``; ``force`` → ``--force``."""
    name, _, value = spec.partition("=")
    return f"--{name} {value}" if value else f"--{name}"


def said(hint: Hint) -> str:
    if hint.kind == Do.RUN:
        command, *inputs = hint.values
        words = ["station", command, *map(flag, inputs), hint.after]
        return " ".join(word for word in words if word)
    if hint.kind == Do.APPROVE:
        return "--approve NAME, or the approval dialog in the UI"
    if hint.kind == Do.SUPPLY:
        return f"pass {flag(hint.values[0])}"
    flags = [flag(spec) for spec in hint.values]
    options = listed(flags, True) if hint.kind == Do.GIVE_ONE else " ".join(flags)
    return f"{hint.verb} {options}" if hint.verb else options


def message(error: StationError) -> str:
    """``error`` as the command line says it."""
    return error.said(said)
