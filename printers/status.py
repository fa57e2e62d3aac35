"""Printer status in plain words: Zebra ``~HS``/``~HQES`` and ESC/POS ``DLE EOT``.

No answer is never "fine": a printer that says nothing may be off, unplugged, or (on some
Zebra firmware) silent because it is out of paper or its head is open.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from printers.transports.base import Transport

STX, ETX = b"\x02", b"\x03"
HS = b"~HS"
HQES = b"~HQES"
DLE_EOT = b"\x10\x04"
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


# --- Zebra ------------------------------------------------------------------------------


def _three_frames(answer: bytes) -> bool:
    return answer.count(ETX) >= 3


def parse_hs(answer: bytes) -> PrinterStatus:
    """Parse the three ``<STX>...<ETX>`` strings of a ``~HS`` answer (ZPL II guide, ~HS)."""
    frames = [part.split(ETX)[0].decode("ascii", "replace") for part in answer.split(STX)[1:]]
    if len(frames) < 3:
        return silent("the printer's ~HS answer was incomplete")
    one = [value.strip() for value in frames[0].split(",")]
    two = [value.strip() for value in frames[1].split(",")]
    if len(one) < 12 or len(two) < 11:
        return silent("the printer's ~HS answer was not in Zebra's layout")
    flags = {
        "paper_out": one[1] == "1",
        "paused": one[2] == "1",
        "label_length": _int(one[3]),
        "formats_in_buffer": _int(one[4]),
        "buffer_full": one[5] == "1",
        "partial_format": one[7] == "1",
        "ram_corrupt": one[9] == "1",
        "under_temperature": one[10] == "1",
        "over_temperature": one[11] == "1",
        "head_open": two[2] == "1",
        "ribbon_out": two[3] == "1",
        "thermal_transfer": two[4] == "1",
        "labels_remaining": _int(two[8]),
    }
    words = {
        "paper_out": "paper out",
        "head_open": "head open",
        "ribbon_out": "ribbon out",
        "paused": "paused",
        "buffer_full": "receive buffer full",
        "ram_corrupt": "printer memory corrupt",
        "under_temperature": "head too cold",
        "over_temperature": "head too hot",
    }
    problems = [text for key, text in words.items() if flags[key]]
    return PrinterStatus(True, problems, [], flags)


def parse_hqes(answer: bytes) -> tuple[list[str], list[str]]:
    """Errors and warnings from a ``~HQES`` answer (nibble flags of the last group)."""
    errors: list[str] = []
    warnings: list[str] = []
    for line in answer.decode("ascii", "replace").splitlines():
        words = line.split()
        if len(words) >= 4 and words[0] in ("ERRORS:", "WARNINGS:") and words[1] == "1":
            try:
                bits = int(words[-1], 16)
            except ValueError:
                continue
            table = _HQES_ERRORS if words[0] == "ERRORS:" else _HQES_WARNINGS
            target = errors if words[0] == "ERRORS:" else warnings
            target.extend(text for bit, text in table if bits & bit)
    return errors, warnings


_HQES_ERRORS = (
    (0x1, "paper out"),
    (0x2, "ribbon out"),
    (0x4, "head open"),
    (0x8, "cutter fault"),
    (0x10, "head too hot"),
    (0x20, "motor too hot"),
    (0x40, "bad printhead element"),
    (0x80, "printhead not detected"),
)
_HQES_WARNINGS = (
    (0x1, "media needs calibrating"),
    (0x2, "clean the printhead"),
    (0x4, "replace the printhead"),
    (0x8, "paper near end"),
)


def zebra_status(transport: Transport, timeout: float = QUERY_TIMEOUT) -> PrinterStatus:
    answer = transport.query(HS, _three_frames, timeout)
    if not answer:
        return silent(
            f"no answer to ~HS within {timeout:g} s (off, unplugged, or out of paper/head open "
            "on firmware that goes quiet then)"
        )
    status = parse_hs(answer)
    if status.answered:
        detail = transport.query(HQES, lambda a: a.count(ETX) >= 1, timeout)
        errors, warnings = parse_hqes(detail)
        status.fields["hqes"] = bool(detail)
        status.problems.extend(e for e in errors if e not in status.problems)
        status.warnings.extend(warnings)
    return status


# --- ESC/POS ----------------------------------------------------------------------------


def _valid(byte: int) -> bool:
    # Every DLE EOT answer has bits 0 and 7 clear and bits 1 and 4 set.
    return byte & 0x93 == 0x12


def escpos_status(transport: Transport, timeout: float = QUERY_TIMEOUT) -> PrinterStatus:
    answers: dict[int, int] = {}
    for function in (1, 2, 3, 4):
        reply = transport.query(DLE_EOT + bytes([function]), lambda a: len(a) >= 1, timeout)
        if not reply:
            return silent(
                f"no answer to DLE EOT {function} within {timeout:g} s (off, unplugged, or a "
                "one-way printer)"
            )
        if not _valid(reply[-1]):
            return silent(f"unexpected answer 0x{reply[-1]:02x} to DLE EOT {function}")
        answers[function] = reply[-1]
    flags = {
        "online": not answers[1] & 0x08,
        "cover_open": bool(answers[2] & 0x04),
        "paper_feed_button": bool(answers[2] & 0x08),
        "paper_end_stop": bool(answers[2] & 0x20),
        "error": bool(answers[2] & 0x40),
        "cutter_error": bool(answers[3] & 0x08),
        "unrecoverable_error": bool(answers[3] & 0x20),
        "paper_near_end": bool(answers[4] & 0x0C),
        "paper_end": bool(answers[4] & 0x60),
    }
    problems = [
        text
        for key, text in (
            ("cover_open", "cover open"),
            ("paper_end", "paper out"),
            ("cutter_error", "cutter error"),
            ("unrecoverable_error", "unrecoverable error"),
        )
        if flags[key]
    ]
    if flags["paper_end_stop"] and "paper out" not in problems:
        problems.append("paper out")
    if flags["error"] and not problems:
        problems.append("printer error")
    if not flags["online"] and not problems:
        problems.append("offline")
    warnings = ["paper near end"] if flags["paper_near_end"] and not flags["paper_end"] else []
    return PrinterStatus(True, problems, warnings, flags)


def _int(text: str) -> int | None:
    try:
        return int(text)
    except ValueError:
        return None
