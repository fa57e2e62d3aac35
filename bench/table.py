"""Collecting benchmark rows and printing them as one table."""

from __future__ import annotations

import resource
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TypeVar

T = TypeVar("T")


@dataclass
class Row:
    measure: str
    value: str
    target: str

    def passed(self) -> str:
        return ""


@dataclass
class Table:
    title: str
    rows: list[Row] = field(default_factory=list)

    def add(self, measure: str, value: str, target: str = "") -> None:
        self.rows.append(Row(measure, value, target))
        print(f"  {measure}: {value}", flush=True)

    @contextmanager
    def timed(self, measure: str, target: str = "") -> Iterator[None]:
        start = time.perf_counter()
        yield
        self.add(measure, f"{time.perf_counter() - start:.3f} s", target)

    def render(self) -> str:
        headers = ("measure", "value", "target")
        cells = [headers] + [(r.measure, r.value, r.target) for r in self.rows]
        widths = [max(len(row[i]) for row in cells) for i in range(3)]
        rule = "+".join("-" * (w + 2) for w in widths)
        lines = [self.title, rule]
        for index, row in enumerate(cells):
            lines.append("|".join(f" {c.ljust(w)} " for c, w in zip(row, widths, strict=True)))
            if index == 0:
                lines.append(rule)
        lines.append(rule)
        return "\n".join(lines)


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def timed_call(fn: Callable[[], T]) -> tuple[T, float]:
    start = time.perf_counter()
    result = fn()
    return result, time.perf_counter() - start
