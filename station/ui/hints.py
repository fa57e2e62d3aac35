"""Hints in the terminal UI's terms: inputs as the fields, boxes and keys of its screens,
other work as the screen (and key) that does it, or the command line where no screen does."""

from __future__ import annotations

from station.domain.errors import (
    Do,
    Hint,
    Problems,
    StationError,
    Terms,
    input_words,
    say,
    station_command,
)

# Inputs with a field or key of their own on some screen. One with a verb of its own
# ("choose ...") is said whole; the rest follow the hint's verb.
_INPUTS = {
    "reprint": "Reprint (Ctrl+R on the print queue, F10 on a tag's page)",
    "reason": "a reason",
    "template": "choose a template",
    "printer": "choose a printer",
    "license": "choose the facility",
    "type": "the type",
    "order-date": "the order date",
    "order-number": "the order number",
    "plant-batch": "the plant batch (Ctrl+E on the tag's page)",
    "location": "the location (Ctrl+E on the tag's page)",
    "phase": "the growth phase (Ctrl+E on the tag's page)",
    "connection": "the connection",
    "dpi": "the dpi",
    "quantity": "the number of codes",
    "uncertain": "F11 (reprint) or F12 (skip) on the print queue",
}
_OWN_VERB = ("choose ", "F11 ")
# A value an imported file lacks, given in the orders screen's form instead.
_SUPPLY = {
    "license": "type the License in the form above",
    "type": "choose the type in the form above",
}
# Commands with a screen that does their work.
_SCREENS = {
    "job": "the print queue (F4)",
    "audit": "the audit screen (F9), filtered by the UID",
    "retailid": "the Retail ID screen (Ctrl+F)",
    "count": "the Count screen (Ctrl+O)",
}


def _input(spec: str) -> str:
    return _INPUTS.get(spec.split("=", 1)[0], input_words(spec))


def _command(hint: Hint) -> str:
    screen = _SCREENS.get(hint.values[0].split(" ", 1)[0])
    return screen if screen is not None else f"{station_command(hint)} at a terminal"


def _supply(spec: str) -> str:
    return _SUPPLY.get(spec, f"type the {input_words(spec)} in the form above")


TERMS = Terms(input=_input, command=_command, approve="the approval dialog", supply=_supply)


def said(hint: Hint) -> str:
    if hint.kind in (Do.GIVE, Do.GIVE_ONE) and len(hint.values) == 1:
        phrase = _input(hint.values[0])
        if phrase.startswith(_OWN_VERB):  # "choose a template": no "give" before it
            return phrase
    return say(hint, TERMS)


def message(error: BaseException) -> str:
    """``error`` as the UI says it (any other exception as its text)."""
    return error.said(said) if isinstance(error, StationError) else str(error)


def problem_lines(error: Problems) -> list[str]:
    return error.said_lines(said)
