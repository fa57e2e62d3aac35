"""What a printer language's driver does: render labels, read the printer's status, say
which labels in flight a status confirms or a fault settles, and cancel what the printer
still holds. The job runner and the devices ask a driver; they never test which it is."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar

from printers.label import LabelData
from printers.status import PrinterStatus, silent
from printers.template import BarcodeRules, Template
from printers.transports.base import Transport


class Batch(ABC):
    """A run of labels as printer bytes: a setup part, then the labels by position (each
    label's copies go with it)."""

    #: Sent once on every connection before any label (a ZPL stored format).
    setup: bytes

    @abstractmethod
    def chunk(self, start: int, end: int) -> bytes:
        """The bytes of labels ``start`` to ``end`` (exclusive), ready to send together."""

    def formats(self, start: int, end: int) -> tuple[bytes, list[int]]:
        """:meth:`chunk`, and how many labels each format in it prints (in order): one a
        format unless the printer makes several from one."""
        return self.chunk(start, end), [1] * (end - start)


@dataclass(frozen=True)
class LabelBytes(Batch):
    """Each label's bytes made in advance; a chunk is their concatenation."""

    setup: bytes
    labels: Sequence[bytes]

    def chunk(self, start: int, end: int) -> bytes:
        return b"".join(self.labels[start:end])


@dataclass(frozen=True)
class Settlement:
    """What a fault left of the labels in flight (sent, not yet confirmed), oldest first:
    the first ``printed`` printed whole, the last ``withdrawn`` were taken back from the
    printer unprinted; any between stay uncertain."""

    printed: int
    withdrawn: int


class Driver(ABC):
    #: The name printers and templates are recorded with (``zpl``).
    name: ClassVar[str]
    #: The language in words (``Zebra ZPL II``).
    title: ClassVar[str]
    barcode_rules: ClassVar[BarcodeRules] = BarcodeRules()
    #: Bundled templates a new printer of this language starts with, by dpi.
    default_templates: ClassVar[dict[int, str]] = {}
    #: Bundled Retail ID unit label templates for this language, by dpi (none: it does not
    #: print them; a QR through a PDF often fails to scan, as Metrc has published).
    unit_templates: ClassVar[dict[int, str]] = {}
    #: Whether the printer can be asked how it is (else a print counts once delivered).
    reports_status: ClassVar[bool] = False
    #: Whether the printer holds labels that a cancel can clear from its memory.
    holds_labels: ClassVar[bool] = False
    #: Whether :meth:`serial_batch` makes runs the printer serializes itself (else it is
    #: :meth:`batch`, and a run check has nothing to check).
    serializes: ClassVar[bool] = False

    def renders(self, template: Template) -> bool:
        """Whether this language can render ``template`` (one made for it)."""
        return template.driver == self.name

    @abstractmethod
    def document(self, template: Template, labels: Sequence[LabelData], copies: int = 1) -> bytes:
        """Every label, each ``copies`` times, as one self-contained file of this language."""

    def files(
        self, template: Template, labels: Sequence[LabelData], copies: int = 1
    ) -> list[bytes]:
        """The labels as files of this language: one document, unless the language holds
        one label (or page) a file."""
        return [self.document(template, labels, copies)]

    @abstractmethod
    def batch(self, template: Template, labels: Sequence[LabelData], copies: int = 1) -> Batch:
        """The labels as a batch to send in chunks (the job runner's form)."""

    def serial_batch(self, template: Template, labels: Sequence[LabelData]) -> Batch:
        """:meth:`batch` for labels that count up (Retail ID units), which a printer that
        can serialize fields makes several from one format."""
        return self.batch(template, labels)

    def labels_per_chunk(self, template: Template) -> int | None:
        """How many labels must go together in one chunk, or None for any number."""
        return None

    def status(self, link: Transport, timeout: float) -> PrinterStatus:
        return silent(f"{self.title} printers cannot be asked for their status here")

    def confirmed(self, status: PrinterStatus, in_flight: Sequence[int]) -> int:
        """Of the labels in flight (``in_flight``: how many each format still in flight
        prints, oldest first), how many a ready ``status`` shows printed."""
        return sum(in_flight)

    def settle_fault(
        self, link: Transport, in_flight: Sequence[int], timeout: float
    ) -> Settlement | None:
        """After a fault the printer reported: what became of the labels in flight, when it
        can be known (None: all of them stay uncertain)."""
        return None

    def cancel(self, link: Transport) -> None:  # noqa: B027 - a hook for holds_labels
        """Clear what the printer still holds (only asked when :attr:`holds_labels`)."""
