"""RFID reads: one normalised shape for what every reader reports, and which reads are
Metrc UIDs (docs/rfid.md).

A Metrc UID is 24 hex characters, exactly a 96-bit EPC written in hex, so a reader most
likely reports the UID as the EPC. That is inferred (``rfid.md`` §1.6): no public read of a
real Metrc tag confirms it, so ``station rfid check`` tests it on the station's own tags and
learned pairs (an EPC that is not its printed UID) take precedence over it.
"""

from __future__ import annotations

import string
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from station.domain.errors import StationError
from station.domain.text import has_control, printable
from station.domain.uid import UID_LENGTH

# The longest EPC kept: Gen2 allows up to 496 bits (124 hex characters); a longer "read" is
# noise or a reader in the wrong mode and is cut, its length kept in the reason.
MAX_EPC = 124
_LOWER_HEX = frozenset(string.digits + "abcdef")
_UPPER_HEX = frozenset(string.digits + "ABCDEF")

NOT_METRC = "not a Metrc tag"
# Different EPCs one reading may hold: far more than a room or a box holds, and a bound on
# the memory a hostile file can take (each costs a few hundred bytes).
MAX_DISTINCT = 500_000
# Raw texts whose keys a set remembers (a reader's lower- and upper-case hex of each tag).
MAX_KEYS = 2 * MAX_DISTINCT


@dataclass(frozen=True)
class Read:
    """One report of one tag by a reader. ``raw`` is the EPC exactly as it came (text from
    a keyboard, file or serial reader; hex of the bytes from an LLRP reader); ``at`` is
    seconds since the epoch, UTC."""

    raw: str
    at: float
    source: str
    antenna: int | None = None
    rssi: float | None = None
    seen: int = 1


@dataclass(frozen=True)
class Kind:
    """What one EPC is to the station: a Metrc ``uid``, or none with the reason."""

    epc: str
    uid: str | None
    reason: str = ""
    hex: bool = True
    """Whether ``epc`` is an EPC at all (hex a reader sends), of whatever length."""


def classify(raw: str, pairs: Mapping[str, str] | None = None) -> Kind:
    """The EPC in ``raw`` and the Metrc UID it is, if any.

    An EPC is a number written in hex, so a reader's lower-case hex is the same EPC; mixed
    case is no reader's output and is refused rather than upper-cased into a UID. ``pairs``
    maps EPCs learned on this station to the UIDs printed on their tags.
    """
    text = raw.strip()
    if not text:
        return Kind("", None, f"{NOT_METRC}: an empty read", hex=False)
    if len(text) > MAX_EPC or has_control(text) or not text.isascii():
        # Kept as read, with what no terminal may be sent (escapes, control characters)
        # written as escapes.
        return Kind(
            printable(text, MAX_EPC),
            None,
            f"{NOT_METRC}: not an EPC ({len(text)} characters)",
            hex=False,
        )
    chars = set(text)
    if chars <= _UPPER_HEX:
        epc = text
    elif chars <= _LOWER_HEX:
        epc = text.upper()
    elif chars <= _UPPER_HEX | _LOWER_HEX:
        return Kind(text, None, f"{NOT_METRC}: mixed-case hex, which no reader sends", hex=False)
    else:
        return Kind(text, None, f"{NOT_METRC}: not hex", hex=False)
    learned = (pairs or {}).get(epc)
    if learned is not None:
        return Kind(epc, learned)
    if len(epc) != UID_LENGTH:
        bits = len(epc) * 4
        return Kind(epc, None, f"{NOT_METRC}: a {bits}-bit EPC (a Metrc UID is 96 bits)")
    return Kind(epc, epc)


@dataclass
class Seen:
    """One distinct EPC of a run of reads: how often, when, and how strongly."""

    raw: str
    first_at: float
    last_at: float
    seen: int
    source: str
    antenna: int | None
    rssi: float | None


@dataclass
class ReadSet:
    """Reads deduplicated by EPC (a reader reports each tag many times). Values that are no
    EPC are kept by their raw text, so nothing read is dropped."""

    by_epc: dict[str, Seen] = field(default_factory=dict)
    reads: int = 0
    # Each raw text's key, worked out once: a reader reports the same few values over and
    # over (100,000 reads of 10,000 tags).
    _keys: dict[str, str] = field(default_factory=dict, repr=False, compare=False)

    def add(self, read: Read) -> bool:
        """Take one read; True when its EPC is new to the set."""
        self.reads += 1
        key = self._keys.get(read.raw)
        if key is None:
            if len(self._keys) < MAX_KEYS:
                key = self._keys[read.raw] = _key(read.raw)
            else:
                key = _key(read.raw)
        found = self.by_epc.get(key)
        if found is None:
            if len(self.by_epc) >= MAX_DISTINCT:
                raise StationError(
                    f"more than {MAX_DISTINCT:,} different EPCs in one reading; "
                    "is this a reader's export? Split it"
                )
            self.by_epc[key] = Seen(
                read.raw.strip()[:MAX_EPC],
                read.at,
                read.at,
                max(read.seen, 1),
                read.source,
                read.antenna,
                read.rssi,
            )
            return True
        found.seen += max(read.seen, 1)
        found.first_at = min(found.first_at, read.at)
        found.last_at = max(found.last_at, read.at)
        if read.rssi is not None and (found.rssi is None or read.rssi > found.rssi):
            found.rssi, found.antenna = read.rssi, read.antenna
        return False

    def extend(self, reads: Iterable[Read]) -> None:
        for read in reads:
            self.add(read)


def _key(raw: str) -> str:
    """The set's key: the EPC, with a reader's lower-case hex and upper-case the same tag."""
    text = raw.strip()[:MAX_EPC]
    chars = set(text)
    return text.upper() if chars <= _LOWER_HEX else text
