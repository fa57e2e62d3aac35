"""Many UIDs kept compactly: a million take 8 MB rather than the 300 MB of strings, dicts and
objects, which is what lets an import of a million tags stay small.

Each decimal UID is one integer: its prefix (by number, from a table the collections of one
import share), its serial, and the line it came from. UIDs whose tail is not decimal (rare)
are kept as they are.
"""

from __future__ import annotations

import heapq
from array import array
from collections.abc import Iterable, Iterator

from station.domain.errors import StationError
from station.domain.uid import MAX_SERIAL, Run, make_uid, prefix_of, serial_of

_LINE_BITS = 23  # lines up to 8,388,607
_SERIALS = MAX_SERIAL + 1
MAX_PREFIXES = 2**13  # 13 + 27 (serial) + 23 (line) bits fit in 64
MAX_LINE = 2**_LINE_BITS - 1


class Prefixes:
    """The prefixes met so far, numbered in the order they were met."""

    def __init__(self) -> None:
        self.numbers: dict[str, int] = {}
        self.names: list[str] = []

    def number(self, prefix: str) -> int:
        found = self.numbers.get(prefix)
        if found is None:
            if len(self.names) == MAX_PREFIXES:
                raise StationError(
                    f"more than {MAX_PREFIXES:,} different tag prefixes in one file; split it"
                )
            found = self.numbers[prefix] = len(self.names)
            self.names.append(prefix)
        return found


class PackedUids:
    """UIDs with the line each came from, in 8 bytes each."""

    def __init__(self, prefixes: Prefixes) -> None:
        self.prefixes = prefixes
        self.codes = array("Q")
        self.odd: list[tuple[str, int]] = []  # UIDs with no decimal serial, and their lines

    def __len__(self) -> int:
        return len(self.codes) + len(self.odd)

    def add(self, uid: str, line: int) -> None:
        serial = serial_of(uid)
        if serial is None or line > MAX_LINE:
            self.odd.append((uid, line))
            return
        key = self.prefixes.number(prefix_of(uid)) * _SERIALS + serial
        self.codes.append(key << _LINE_BITS | line)

    def uid(self, code: int) -> str:
        number, serial = divmod(code >> _LINE_BITS, _SERIALS)
        return make_uid(self.prefixes.names[number], serial)

    def sorted_codes(self) -> list[int]:
        return sorted(self.codes)

    def runs(self) -> list[Run]:
        """The UIDs as runs of consecutive tags (repeats counted once; the odd ones alone),
        in UID order."""
        found: list[Run] = []
        first = last = -1
        for code in self.sorted_codes():
            key = code >> _LINE_BITS
            if key == last:
                continue
            if key != last + 1 or key // _SERIALS != last // _SERIALS:
                if first >= 0:
                    found.append(self._run(first, last))
                first = key
            last = key
        if first >= 0:
            found.append(self._run(first, last))
        found.extend(Run(uid, uid, 1) for uid in {uid for uid, _ in self.odd})
        return sorted(found, key=lambda run: run.first_uid)

    def _run(self, first: int, last: int) -> Run:
        return Run(self.uid(first << _LINE_BITS), self.uid(last << _LINE_BITS), last - first + 1)


def repeats(collections: Iterable[PackedUids]) -> Iterator[tuple[str, int, int]]:
    """Each UID listed more than once across ``collections`` (sharing one prefix table):
    the UID, the line it was first listed on and a later line, by that later line."""
    chosen = list(collections)
    merged = heapq.merge(*(packed.sorted_codes() for packed in chosen))
    found: list[tuple[int, str, int]] = []
    previous = -1
    for code in merged:
        if code >> _LINE_BITS == previous >> _LINE_BITS and previous >= 0:
            found.append((code & MAX_LINE, chosen[0].uid(code), previous & MAX_LINE))
        else:
            previous = code
    odd: dict[str, int] = {}
    for packed in chosen:
        for uid, line in packed.odd:
            if uid in odd:
                found.append((max(line, odd[uid]), uid, min(line, odd[uid])))
            else:
                odd[uid] = line
    for later, uid, first in sorted(found):
        yield uid, first, later
