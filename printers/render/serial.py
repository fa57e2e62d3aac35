"""Printer-side serialization (ZPL ``^SF``): a run of labels whose varying fields each step by
a constant, sent as one format with ``^PQ`` for the count, so the printer makes each label's
data itself. A run of Retail ID units is the case it is for: unit n+1's code is unit n's plus
a constant in base 36 (one in the varint's low byte), its number plus one in base 10.

``^SF`` (ZPL II guide, ^SF): a mask aligned with the field data's last characters (``D``
decimal, ``N`` 0-9 and A-Z), and an increment string in the mask's digits, added on every
label. [I] That ``N`` counts 0-9 then A-Z (base 36, upper case) is read from the guide's
placeholder list, not tried on a printer; so is a carry past the mask's first character,
which is why a run never needs one: each step is checked here by doing it.
"""

from __future__ import annotations

import string
from dataclasses import dataclass

_DIGITS = string.digits + string.ascii_uppercase
_BASES = {"D": 10, "N": 36}
_ALPHANUMERIC = frozenset(_DIGITS)


@dataclass(frozen=True)
class Step:
    """``^SF<mask>,<increment>``: what turns one label's field data into the next one's."""

    mask: str
    increment: str

    @property
    def base(self) -> int:
        """The mask's number base: 10 for ``D``, 36 for ``N``."""
        return _BASES[self.mask[0]]

    @property
    def command(self) -> str:
        return f"^SF{self.mask},{self.increment}"


def step_between(before: str, after: str) -> Step | None:
    """The one ``^SF`` step that turns ``before`` into ``after``, or None when none does (a
    different length, a change outside the trailing run of 0-9A-Z, a decrease).

    The mask always covers that whole trailing run (decimal when it is all digits, else base
    36), whichever characters changed, so consecutive labels of a run get the same step."""
    if len(before) != len(after) or before == after:
        return None
    width = _trailing(before)
    if width == 0 or _trailing(after) != width or before[:-width] != after[:-width]:
        return None
    kind = "D" if before[-width:].isdigit() and after[-width:].isdigit() else "N"
    base = _BASES[kind]
    gap = int(after[-width:], base) - int(before[-width:], base)
    if gap <= 0:
        return None
    step = Step(kind * width, _in_base(gap, base))
    return step if advance(before, step) == after else None


def _trailing(value: str) -> int:
    """How many of ``value``'s last characters are 0-9 or A-Z."""
    allowed = _ALPHANUMERIC
    width = 0
    while width < len(value) and value[-1 - width] in allowed:
        width += 1
    return width


def advance(value: str, step: Step) -> str | None:
    """``value`` after one label of ``step``; None if the sum would not fit the mask (the
    printer's carry past it is not relied on)."""
    width = len(step.mask)
    if width > len(value):
        return None
    base = step.base
    total = int(value[-width:], base) + int(step.increment, base)
    if total >= base**width:
        return None
    return value[:-width] + _in_base(total, base).rjust(width, "0")


def _in_base(number: int, base: int) -> str:
    digits = []
    while True:
        number, digit = divmod(number, base)
        digits.append(_DIGITS[digit])
        if not number:
            return "".join(reversed(digits))
