"""Realistic RFID read runs for the tests and the bench, from a seed: the tags present read
many times each (a reader reports a tag over and over, the near ones more often), strays
from a neighbouring range, EPCs that are no Metrc tag (128-bit, or another scheme's), and
reader drop-outs (a run cut into pieces with gaps between them).

Nothing here knows the station: it makes EPCs and writes them as a handheld app's CSV, one
EPC a line, or lines a serial reader sends.
"""

from __future__ import annotations

import itertools
import random
from dataclasses import dataclass


@dataclass(frozen=True)
class Reading:
    epc: str
    rssi: int
    antenna: int


def neighbours(prefix: str, first: int, count: int) -> list[str]:
    """UIDs ``prefix`` + serial, ``count`` of them from ``first``: a roll next to the one
    being counted, whose tags get read too."""
    return [f"{prefix}{serial:08d}" for serial in range(first, first + count)]


def not_metrc(rng: random.Random, count: int) -> list[str]:
    """EPCs other things in a room carry: 128-bit tags and other schemes' 96-bit ones
    outside hex-digit UIDs' form (these start with E2 or 30 and are read as they are)."""
    found: list[str] = []
    for n in range(count):
        if n % 2:
            found.append("E280" + "".join(rng.choice("0123456789ABCDEF") for _ in range(28)))
        else:
            found.append("30" + "".join(rng.choice("0123456789ABCDEF") for _ in range(30)))
    return found


def run(
    seed: int,
    present: list[str],
    reads: int,
    lower_case: float = 0.0,
) -> list[Reading]:
    """``reads`` readings of the EPCs ``present`` (every one at least once, the rest
    weighted: a near tag answers more often), shuffled as a reader reports them; a share
    ``lower_case`` of them in the lower-case hex some readers send."""
    rng = random.Random(seed)
    if reads < len(present):
        raise ValueError("fewer reads than tags present")
    weights = [rng.choice((1, 1, 2, 3, 5, 8)) for _ in present]
    order = list(present) + rng.choices(present, weights=weights, k=reads - len(present))
    rng.shuffle(order)
    return [
        Reading(
            epc.lower() if lower_case and rng.random() < lower_case else epc,
            rng.randint(-75, -35),
            rng.randint(1, 4),
        )
        for epc in order
    ]


def dropouts(seed: int, readings: list[Reading], pieces: int) -> list[list[Reading]]:
    """The run cut into ``pieces`` at random points: a reader that went away and came back
    (the gaps are the caller's to make)."""
    rng = random.Random(seed)
    cuts = sorted(rng.sample(range(1, len(readings)), pieces - 1)) if pieces > 1 else []
    edges = [0, *cuts, len(readings)]
    return [readings[a:b] for a, b in itertools.pairwise(edges)]


def as_csv(readings: list[Reading]) -> str:
    """As a handheld app exports them (a Zebra-style header, EPC not the first column)."""
    lines = ["Timestamp,Antenna,EPC,RSSI,Room"]
    lines += [f"2026-12-01T10:00:00Z,{r.antenna},{r.epc},{r.rssi},Vault A" for r in readings]
    return "\n".join(lines) + "\n"


def as_lines(readings: list[Reading]) -> str:
    return "".join(f"{r.epc}\r\n" for r in readings)
