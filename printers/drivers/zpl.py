"""Zebra ZPL II: stored formats with one short recall per label, ``~HS``/``~HQES`` status,
labels confirmed by the formats left in the printer's buffer, and ``~JA`` to cancel."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar

from printers.drivers.base import Batch, Driver, LabelBytes, Settlement
from printers.errors import TransportError
from printers.label import LabelData
from printers.render import zpl
from printers.status import QUERY_TIMEOUT, PrinterStatus, silent
from printers.template import BarcodeRules, Template
from printers.transports.base import Transport

STX, ETX = b"\x02", b"\x03"
HS = b"~HS"
HQES = b"~HQES"
CANCEL_ALL = b"~JA\n"
# Faults after which the printer stops where it is, so its buffer count cannot change.
_HALTING = ("paper_out", "head_open", "ribbon_out", "paused")


class ZplDriver(Driver):
    name = "zpl"
    title = "Zebra ZPL II"
    # Mode A ^BC: the printer picks the subsets itself.
    # [V] ^BQ magnification: 1-10 in older guides, 1-100 in newer; the older bound is safe.
    barcode_rules = BarcodeRules(language="ZPL", printer_encodes=True, qr_modules=(1, 10))
    default_templates: ClassVar[dict[int, str]] = {203: "uid-3x1-203", 300: "uid-2x1-300"}
    unit_templates: ClassVar[dict[int, str]] = {203: "retail-1x1-203", 300: "retail-1x1-300"}
    reports_status = True
    holds_labels = True
    serializes = True

    def document(self, template: Template, labels: Sequence[LabelData], copies: int = 1) -> bytes:
        return b"".join(zpl.render_label(template, label, copies) for label in labels)

    def batch(self, template: Template, labels: Sequence[LabelData], copies: int = 1) -> Batch:
        stored = zpl.render_batch(template, labels, copies)
        return LabelBytes(stored.format, stored.recalls)

    def serial_batch(self, template: Template, labels: Sequence[LabelData]) -> Batch:
        return SerialRuns(zpl.render_batch(template, labels))

    def status(self, link: Transport, timeout: float = QUERY_TIMEOUT) -> PrinterStatus:
        answer = link.query(HS, _three_frames, timeout)
        if not answer:
            return silent(
                f"no answer to ~HS within {timeout:g} s (off, unplugged, or out of paper/head "
                "open on firmware that goes quiet then)"
            )
        status = parse_hs(answer)
        if status.answered:
            detail = link.query(HQES, lambda a: a.count(ETX) >= 1, timeout)
            errors, warnings = parse_hqes(detail)
            status.fields["hqes"] = bool(detail)
            status.problems.extend(e for e in errors if e not in status.problems)
            status.warnings.extend(warnings)
        return status

    def confirmed(self, status: PrinterStatus, in_flight: Sequence[int]) -> int:
        # Formats still in the buffer are the last ones sent, not started; the one before
        # them is printing (its labels remaining in batch not printed yet, and the last one
        # out of it may still be under the head) unless the printer is idle.
        fields = status.fields
        waiting = fields.get("formats_in_buffer") or 0
        remaining = fields.get("labels_remaining") or 0
        if waiting == 0 and not remaining and not fields.get("partial_format"):
            return sum(in_flight)
        return _before_current(in_flight, waiting, remaining)

    def settle_fault(
        self, link: Transport, in_flight: Sequence[int], timeout: float
    ) -> Settlement | None:
        """Cancel what the printer still holds (``~JA``) and settle what is known.

        Only a printer that has stopped (paper out, head open, ribbon out, paused) gives a
        count of held formats that cannot change under us; then the held formats never
        printed, and the formats before the one that was printing when the fault came left
        whole. Of that one, the labels its remaining count shows printed (less the last,
        which may have been under the head) printed; the rest stay uncertain: [I] whether
        ``~JA`` drops a batch's remaining labels, and whether the format printing is among
        those counted in the buffer, are not documented, so nothing of it is withdrawn.
        """
        try:
            halted = self.status(link, timeout)
            stopped = halted.answered and any(halted.fields.get(name) for name in _HALTING)
            held = halted.fields.get("formats_in_buffer")
            remaining = halted.fields.get("labels_remaining") or 0
            link.write(CANCEL_ALL)
            after = self.status(link, timeout)
        except TransportError:
            return None
        if not stopped or not isinstance(held, int) or held > len(in_flight):
            return None
        if after.fields.get("formats_in_buffer") != 0:
            return None
        withdrawn = sum(in_flight[len(in_flight) - held :]) if held else 0
        return Settlement(_before_current(in_flight, held, remaining), withdrawn)

    def cancel(self, link: Transport) -> None:
        if link.two_way:  # a file or spooler would keep ~JA as a label of its own
            link.write(CANCEL_ALL)


def _before_current(in_flight: Sequence[int], waiting: int, remaining: int) -> int:
    """Labels surely printed when ``waiting`` formats are still in the buffer and the one
    before them has ``remaining`` labels left: every format before that one, and of it all
    but its remaining labels and the one that may be under the head. With one label a
    format this is every label but the held ones and the one before them."""
    current = len(in_flight) - waiting - 1
    if current < 0:
        return 0
    return sum(in_flight[:current]) + max(0, in_flight[current] - remaining - 1)


@dataclass(frozen=True)
class SerialRuns(Batch):
    """Units as formats that each print a run the printer serializes (``^SF``, ``^PQ``:
    ``printers.render.serial``), a unit on its own as a recall of the stored format sent
    first: a dozen bytes a label instead of a recall each."""

    stored: zpl.StoredBatch

    @property
    def setup(self) -> bytes:  # type: ignore[override]
        return self.stored.format

    def chunk(self, start: int, end: int) -> bytes:
        return self.stored.serialized(start, end)[0]

    def formats(self, start: int, end: int) -> tuple[bytes, list[int]]:
        return self.stored.serialized(start, end)


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


def _int(text: str) -> int | None:
    try:
        return int(text)
    except ValueError:
        return None
