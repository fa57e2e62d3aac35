"""What every transport offers: check its URL, open, write bytes, close; and, for the ones
that carry answers back, ask the printer and read its answer."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from types import TracebackType
from typing import TYPE_CHECKING, ClassVar, Self

from printers.errors import TransportError
from printers.status import PrinterStatus

if TYPE_CHECKING:
    from PIL import Image

# A reply is complete when this says so (e.g. three ETX bytes for a Zebra ~HS).
Done = Callable[[bytes], bool]


class Transport(ABC):
    """A connection to one printer. Each subclass handles the URL schemes it names, checks
    its own URLs, and provides the one raw-bytes hook ``_write``."""

    #: The URL schemes this transport handles.
    schemes: ClassVar[tuple[str, ...]]
    #: How its URL is written, for messages.
    usage: ClassVar[str]
    #: Whether the printer can answer (two-way); file, spool and spooler queues cannot.
    two_way: ClassVar[bool] = False
    #: Whether it keeps PNG previews of what it printed (a spool folder does).
    keeps_previews: ClassVar[bool] = False
    description = ""

    @classmethod  # noqa: B027 - a hook: most URLs need no more check than their scheme
    def check_url(cls, url: str) -> None:
        """Refuse a URL of this transport's scheme that it cannot use, before it is saved."""

    @classmethod
    @abstractmethod
    def open(cls, url: str, timeout: float) -> Self:
        """Connect; raises :class:`TransportError` with a plain reason."""

    def write(self, data: bytes) -> None:
        if data:
            self._write(data)

    def query(self, request: bytes, done: Done, timeout: float) -> bytes:
        """Send ``request`` and collect the answer until ``done`` or ``timeout`` seconds;
        what arrived, possibly nothing (silence is for the caller to judge)."""
        raise TransportError(f"{self.description} cannot report printer status")

    def own_status(self) -> PrinterStatus | None:
        """What the connection itself tells of the printer's state; None when only the
        printer can say (then its driver asks it)."""
        return PrinterStatus(False, [f"{self.description} cannot report the printer's own status"])

    def name_next(self, name: str) -> None:  # noqa: B027 - a hook; only files have names
        """What the next write holds (a job and its UIDs), where the transport names what it
        writes (a spool folder's files)."""

    def preview(  # noqa: B027 - a hook
        self, images: list[Image.Image], dpi: int, names: Sequence[str] = ()
    ) -> None:
        """Keep previews of what was just written, where the transport does; ``names`` says
        what each image shows."""

    def close(self) -> None:  # noqa: B027 - a hook; some connections hold nothing
        """Release the connection; safe to call twice."""

    @abstractmethod
    def _write(self, data: bytes) -> None:
        """Send raw bytes to the printer."""

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()


class TwoWayTransport(Transport):
    """A connection the printer answers on: its status can be asked."""

    two_way = True

    def own_status(self) -> PrinterStatus | None:
        return None

    def query(self, request: bytes, done: Done, timeout: float) -> bytes:
        self._drain()
        self._write(request)
        return self._collect(done, timeout)

    @abstractmethod
    def _collect(self, done: Done, timeout: float) -> bytes:
        """Read what the printer sends until ``done`` says it is complete or time runs out."""

    def _drain(self) -> None:
        """Discard anything unread, so an old answer is not taken for the new one."""
