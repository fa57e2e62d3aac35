"""The one exception type the command line and the UI turn into a one-line message, and the
hints in it: what the person can do about it, as data, for each front end to put in its own
terms (the command line as options and commands, the UI as its fields, keys and screens)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from station.domain.text import listed


class Do(StrEnum):
    """The kinds of thing a hint asks of the person."""

    GIVE = "give"  # every input named (an option; a field or box in the UI)
    GIVE_ONE = "give one"  # any one of the inputs named
    SUPPLY = "supply"  # a value a file lacks, given beside it (an option; the form's field)
    RUN = "run"  # another command (a screen in the UI)
    APPROVE = "approve"  # a supervisor's approval


@dataclass(frozen=True)
class Hint:
    """What to do, as ``kind`` and its values. An input is named as the command line spells
    its option, without the dashes, with ``=PLACEHOLDER`` when it takes a value
    (``reason=TEXT``); a command is its words (``job resume 3``), then inputs, then
    ``after`` (a file name that follows them). ``verb`` leads the inputs ("pass", "give"),
    for a front end that names them to say with; one with words of its own drops it."""

    kind: Do
    values: tuple[str, ...] = ()
    verb: str = ""
    after: str = ""


def give(*inputs: str, verb: str = "") -> Hint:
    return Hint(Do.GIVE, inputs, verb)


def give_one(*inputs: str, verb: str = "") -> Hint:
    return Hint(Do.GIVE_ONE, inputs, verb)


def supply(spec: str) -> Hint:
    return Hint(Do.SUPPLY, (spec,))


def run(command: str, *inputs: str, after: str = "") -> Hint:
    return Hint(Do.RUN, (command, *inputs), after=after)


APPROVE = Hint(Do.APPROVE)
# Printing a label again: a supervisor's reprint, with the reason recorded.
REPRINT = give("reprint", "reason=TEXT", verb="give")


def input_words(spec: str) -> str:
    """An input in plain words (``plant-batch=NAME`` → ``plant batch``): the default, for
    logs and tests; each front end has its own terms."""
    return spec.split("=", 1)[0].replace("-", " ")


@dataclass(frozen=True)
class Terms:
    """How a front end names what hints ask: one input, a list of all of several, another
    command, an approval, a value to supply beside a file."""

    input: Callable[[str], str]
    command: Callable[[Hint], str]
    approve: str
    supply: Callable[[str], str]
    all_of: Callable[[list[str]], str] = lambda items: listed(items, False)


def say(hint: Hint, terms: Terms) -> str:
    """``hint`` in ``terms``."""
    if hint.kind == Do.RUN:
        return terms.command(hint)
    if hint.kind == Do.APPROVE:
        return terms.approve
    if hint.kind == Do.SUPPLY:
        return terms.supply(hint.values[0])
    named = [terms.input(spec) for spec in hint.values]
    text = listed(named, True) if hint.kind == Do.GIVE_ONE else terms.all_of(named)
    return f"{hint.verb} {text}" if hint.verb else text


def as_option(spec: str) -> str:
    """An input as the command line spells it: ``reason=TEXT`` → ``--reason TEXT``. Both
    front ends need it: the UI too names a command for work no screen does."""
    name, _, value = spec.partition("=")
    return f"--{name} {value}" if value else f"--{name}"


def station_command(hint: Hint, each_input: Callable[[str], str] = as_option) -> str:
    """A RUN hint as the ``station`` command line it stands for, its inputs named by
    ``each_input``."""
    command, *inputs = hint.values
    words = ["station", command, *map(each_input, inputs), hint.after]
    return " ".join(word for word in words if word)


PLAIN = Terms(
    input=input_words,
    command=lambda hint: station_command(hint, input_words),
    approve="a supervisor's approval",
    supply=lambda spec: f"give the {input_words(spec)}",
)


def plain(hint: Hint) -> str:
    """A hint in plain words, with no front end's terms."""
    return say(hint, PLAIN)


Part = str | Hint


def _said(parts: tuple[Part, ...], how: Callable[[Hint], str]) -> str:
    return "".join(part if isinstance(part, str) else how(part) for part in parts)


class StationError(Exception):
    """A refused or failed operation. Its message is one line meant for the operator, made of
    text and hints; ``str()`` gives it in plain words, ``said(how)`` in a front end's."""

    def __init__(self, *parts: Part) -> None:
        self.parts = parts
        super().__init__(self.said(plain))

    def said(self, how: Callable[[Hint], str]) -> str:
        return _said(self.parts, how)


class Problems(StationError):
    """Several things wrong with one input (a file's bad rows), every one named so that all
    can be fixed in one go: the message is the one-line summary, ``lines`` the list (each
    made of text and hints, as a message is)."""

    def __init__(self, summary: str, lines: list[tuple[Part, ...]]) -> None:
        super().__init__(summary)
        self.parts_of_lines = lines

    @property
    def lines(self) -> list[str]:
        return self.said_lines(plain)

    def said_lines(self, how: Callable[[Hint], str]) -> list[str]:
        return [_said(line, how) for line in self.parts_of_lines]


class ProblemList:
    """Problems found while reading an input: the first :data:`SHOWN` kept, the rest only
    counted (a file of a million bad rows must not fill the memory with messages)."""

    SHOWN = 50

    def __init__(self) -> None:
        self.shown: list[tuple[Part, ...]] = []
        self.count = 0

    def add(self, *problem: Part) -> None:
        """One problem, as text and hints (a message's parts)."""
        self.count += 1
        if len(self.shown) < self.SHOWN:
            self.shown.append(problem)

    def lines(self) -> list[tuple[Part, ...]]:
        more = self.count - len(self.shown)
        return [*self.shown, (f"and {more:,} more",)] if more else list(self.shown)


class NeedsSupervisor(StationError):
    """An operator tried what only a supervisor does: the UI offers its approval dialog on
    this, the command line says how to approve (the ``APPROVE`` hint)."""

    def __init__(self, what: str, *parts: Part) -> None:
        super().__init__(*parts)
        self.what = what
