"""UID tags: scanner normalisation, validation and range arithmetic (docs/user-guide.md, *UIDs*).

A UID is 24 characters ``[0-9A-Z]``. A range shares the first 16 characters (the prefix);
the last 8 read as a decimal serial, so consecutive tags differ by one in that serial.
"""

from __future__ import annotations

import re
import string
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from station.domain.errors import StationError
from station.domain.text import has_control, plural, show

UID_LENGTH = 24
PREFIX_LENGTH = 16
SERIAL_DIGITS = UID_LENGTH - PREFIX_LENGTH
MAX_SERIAL = 10**SERIAL_DIGITS - 1

_ALLOWED = frozenset(string.digits + string.ascii_uppercase)
_HEX = frozenset(string.hexdigits.upper())
# Scanners set up to send AIM symbology identifiers prepend "]" + code letter + modifier
# (Code 128 arrives as "]C0").
_AIM_PREFIX = re.compile(r"^\][A-Za-z][0-9A-Za-z]")


class UidError(StationError):
    """Input that is not a UID, or two UIDs that do not make a range."""


def normalize(raw: str) -> str:
    """Turn one scan or typed value into a valid UID, or raise :class:`UidError`."""
    raw = raw.strip()  # the line ending of a scan is not part of what was read
    text = _AIM_PREFIX.sub("", raw, count=1).strip()
    if not text:
        raise UidError("empty scan: no UID was read")
    if has_control(text):
        raise UidError(f"{show(raw)} is not a UID: it contains a control character")
    if ".." in text:
        # What a reader of "FIRST..LAST" in the docs might type.
        raise UidError(f"{show(raw)} is not a UID: give a range as two UIDs, FIRST LAST")
    # Checked before upper-casing: Unicode case mapping would turn look-alikes into valid
    # letters ("ß" into "SS", the "ﬀ" ligature into "FF"). Scanners send ASCII.
    for position, char in enumerate(text, start=1):
        if not (char.isascii() and char.upper() in _ALLOWED):
            raise UidError(
                f"{show(raw)} is not a UID: {show(char)} at position {position} is not 0-9 or A-Z"
            )
    text = text.upper()
    if len(text) != UID_LENGTH:
        raise UidError(
            f"{show(raw)} is not a UID: it has {plural(len(text), 'character')}, "
            f"a UID has {UID_LENGTH}"
        )
    return text


def is_hex(uid: str) -> bool:
    """Real Metrc tags are hexadecimal; anything else deserves a warning, not a refusal."""
    return all(char in _HEX for char in uid)


def hex_warning(uid: str) -> str | None:
    """The warning to show for a valid but non-hexadecimal UID, if any."""
    if is_hex(uid):
        return None
    return f"{uid} is not hexadecimal; real Metrc tags are (check it was typed correctly)"


def on_no_order(uid: str, then: str = "", more: int = 0) -> str:
    """``UID is on no order`` (``and N more``, ``; then``), with a hint when the UID is not
    hexadecimal: a letter O typed for a zero is the usual reason a real tag is on no order."""
    others = f" (and {more:,} more)" if more else ""
    advice = f"; {then}" if then else ""
    if is_hex(uid):
        return f"{uid}{others} is on no order{advice}"
    letters = sorted({char for char in uid if char not in "0123456789ABCDEF"})
    guess = "a letter O for a zero?" if "O" in letters else "check it was typed correctly"
    return (
        f"{uid}{others} is on no order{advice} (it has {', '.join(letters)}, which real Metrc "
        f"tags never have: {guess})"
    )


def prefix_of(uid: str) -> str:
    return uid[:PREFIX_LENGTH]


def serial_of(uid: str) -> int | None:
    """The decimal serial of a UID, or None when its last 8 characters are not all digits."""
    tail = uid[PREFIX_LENGTH:]
    return int(tail) if tail.isdigit() else None


def make_uid(prefix: str, serial: int) -> str:
    return f"{prefix}{serial:0{SERIAL_DIGITS}d}"


@dataclass(frozen=True, order=True)
class UidRange:
    """Consecutive UIDs ``prefix + first .. prefix + last`` (inclusive)."""

    prefix: str
    first: int
    last: int

    @classmethod
    def between(cls, first_uid: str, last_uid: str) -> UidRange:
        """The range from ``first_uid`` to ``last_uid``; both must already be normalized."""
        if prefix_of(first_uid) != prefix_of(last_uid):
            raise UidError(
                f"{first_uid} and {last_uid} are not one range: "
                f"their first {PREFIX_LENGTH} characters differ"
            )
        first, last = _serial_or_error(first_uid), _serial_or_error(last_uid)
        if last < first:
            raise UidError(f"range runs backwards: {last_uid} comes before {first_uid}")
        return cls(prefix_of(first_uid), first, last)

    @classmethod
    def counted(cls, first_uid: str, count: int) -> UidRange:
        """``count`` consecutive UIDs starting at ``first_uid``."""
        if count < 1:
            raise UidError(f"count must be at least 1, not {count}")
        first = _serial_or_error(first_uid)
        last = first + count - 1
        if last > MAX_SERIAL:
            raise UidError(
                f"{count} tags from {first_uid} would run past serial {MAX_SERIAL:,}; "
                f"at most {MAX_SERIAL - first + 1:,} fit"
            )
        return cls(prefix_of(first_uid), first, last)

    @property
    def first_uid(self) -> str:
        return make_uid(self.prefix, self.first)

    @property
    def last_uid(self) -> str:
        return make_uid(self.prefix, self.last)

    @property
    def quantity(self) -> int:
        return self.last - self.first + 1

    def __iter__(self) -> Iterator[str]:
        return (make_uid(self.prefix, serial) for serial in range(self.first, self.last + 1))

    def __len__(self) -> int:
        return self.quantity

    def __contains__(self, uid: object) -> bool:
        if not isinstance(uid, str) or prefix_of(uid) != self.prefix:
            return False
        serial = serial_of(uid)
        return serial is not None and self.first <= serial <= self.last

    def overlaps(self, other: UidRange) -> bool:
        return self.prefix == other.prefix and self.first <= other.last and other.first <= self.last

    def run(self) -> Run:
        return Run(self.first_uid, self.last_uid, self.quantity)

    def __str__(self) -> str:
        if self.first == self.last:
            return self.first_uid
        return f"{self.first_uid}..{self.last_uid} ({self.quantity:,} tags)"


def _serial_or_error(uid: str) -> int:
    serial = serial_of(uid)
    if serial is None:
        raise UidError(
            f"{uid} cannot be part of a range: its last {SERIAL_DIGITS} characters "
            "are not a decimal serial"
        )
    return serial


@dataclass(frozen=True)
class Run:
    """A run of UIDs that are consecutive (or one UID alone when it has no decimal serial)."""

    first_uid: str
    last_uid: str
    count: int

    def uids(self) -> Iterator[str]:
        if self.count == 1:
            return iter((self.first_uid,))
        return iter(UidRange.between(self.first_uid, self.last_uid))

    def __contains__(self, uid: object) -> bool:
        if self.count == 1:
            return uid == self.first_uid
        return uid in UidRange.between(self.first_uid, self.last_uid)

    @property
    def span(self) -> str:
        """``FIRST..LAST``, or the one UID."""
        return self.first_uid if self.count == 1 else f"{self.first_uid}..{self.last_uid}"

    def __str__(self) -> str:
        return self.span if self.count == 1 else f"{self.span} ({self.count:,} tags)"

    @property
    def serials(self) -> str:
        """``00000251-00000500``: the run by the serials on its labels, for a narrow screen
        that names its order beside it (a run is within one prefix)."""
        first, last = self.first_uid[PREFIX_LENGTH:], self.last_uid[PREFIX_LENGTH:]
        return first if self.count == 1 else f"{first}-{last}"


def next_to(before: str, uid: str) -> bool:
    """Whether ``uid`` is the tag right after ``before`` (same prefix, serial one higher)."""
    serial, last = serial_of(uid), serial_of(before)
    return (
        serial is not None
        and last is not None
        and serial == last + 1
        and prefix_of(uid) == prefix_of(before)
    )


def follows(run: Run, uid: str) -> bool:
    """Whether ``uid`` is the tag right after the end of ``run``."""
    return next_to(run.last_uid, uid)


def runs(uids: Iterable[str]) -> list[Run]:
    """Group UIDs into consecutive runs, in UID order; duplicates count once."""
    result: list[Run] = []
    for uid in sorted(set(uids)):
        if result and follows(result[-1], uid):
            result[-1] = Run(result[-1].first_uid, uid, result[-1].count + 1)
        else:
            result.append(Run(uid, uid, 1))
    return result


def runs_text(uids: Iterable[str], shown: int = 5) -> str:
    """UIDs as their runs (``A..B (n tags)``), the first ``shown`` of them spelled out: 500
    labels in a row read as one run, not 500 UIDs."""
    found = [str(run) for run in runs(uids)]
    if not found:
        return "none"
    rest = len(found) - shown
    more = f", and {rest:,} more run" + ("s" if rest > 1 else "") if rest > 0 else ""
    return ", ".join(found[:shown]) + more
