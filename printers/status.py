"""Printer status in plain words, as every driver reports it.

No answer is never "fine": a printer that says nothing may be off, unplugged, or (on some
Zebra firmware) silent because it is out of paper or its head is open.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

QUERY_TIMEOUT = 2.0


@dataclass
class PrinterStatus:
    """``ready`` is True only when the printer answered and reported nothing wrong."""

    answered: bool
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    fields: dict[str, Any] = field(default_factory=dict)

    @property
    def ready(self) -> bool:
        return self.answered and not self.problems

    def summary(self) -> str:
        if not self.answered:
            return "unknown, possibly faulted: " + "; ".join(self.problems)
        if self.problems:
            return "not ready: " + ", ".join(self.problems)
        return "ready" + (f" ({', '.join(self.warnings)})" if self.warnings else "")


def silent(reason: str) -> PrinterStatus:
    return PrinterStatus(answered=False, problems=[reason])
