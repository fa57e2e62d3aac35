"""ESC/POS thermal printers: labels built with python-escpos, ``DLE EOT`` status, and
labels that count as printed once a ready printer has taken them (it prints as it
receives, with no buffer of whole labels to cancel)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from printers.drivers.base import Batch, Driver, LabelBytes
from printers.label import LabelData
from printers.status import QUERY_TIMEOUT, PrinterStatus, silent
from printers.template import BarcodeRules, Template
from printers.transports.base import Transport

DLE_EOT = b"\x10\x04"


class EscposDriver(Driver):
    name = "escpos"
    title = "ESC/POS"
    # GS k draws modules of 2 to 6 dots; a turned barcode runs along the roll.
    # [V] GS ( k module size: Epson takes 1-16 dots; some printers fewer (Cino 2-5).
    barcode_rules = BarcodeRules(
        language="ESC/POS", ladder=True, native_modules=(2, 6), qr_modules=(1, 16)
    )
    default_templates: ClassVar[dict[int, str]] = {203: "escpos-80mm"}
    unit_templates: ClassVar[dict[int, str]] = {203: "retail-escpos-58mm"}
    reports_status = True

    def document(self, template: Template, labels: Sequence[LabelData], copies: int = 1) -> bytes:
        # python-escpos loads with the first ESC/POS label, not with every command.
        from printers.render import escpos

        return escpos.render(template, labels, copies)

    def batch(self, template: Template, labels: Sequence[LabelData], copies: int = 1) -> Batch:
        from printers.render import escpos

        return LabelBytes(b"", [escpos.render(template, [label], copies) for label in labels])

    def status(self, link: Transport, timeout: float = QUERY_TIMEOUT) -> PrinterStatus:
        answers: dict[int, int] = {}
        for function in (1, 2, 3, 4):
            reply = link.query(DLE_EOT + bytes([function]), lambda a: len(a) >= 1, timeout)
            if not reply:
                return silent(
                    f"no answer to DLE EOT {function} within {timeout:g} s (off, unplugged, or "
                    "a one-way printer)"
                )
            if not _valid(reply[-1]):
                return silent(f"unexpected answer 0x{reply[-1]:02x} to DLE EOT {function}")
            answers[function] = reply[-1]
        return parse_dle_eot(answers)


def _valid(byte: int) -> bool:
    # Every DLE EOT answer has bits 0 and 7 clear and bits 1 and 4 set.
    return byte & 0x93 == 0x12


def parse_dle_eot(answers: dict[int, int]) -> PrinterStatus:
    """The status in words from the answers to ``DLE EOT 1`` to ``4`` (Epson's bits)."""
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
