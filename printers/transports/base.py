"""What every transport offers: write bytes, ask and read an answer, close."""

from __future__ import annotations

from collections.abc import Callable
from types import TracebackType

from printers.errors import TransportError

# A reply is complete when this says so (e.g. three ETX bytes for a Zebra ~HS).
Done = Callable[[bytes], bool]


class Transport:
    """A connection to one printer. Subclasses provide ``_write`` and, if the connection
    carries answers back, ``_read``."""

    #: Whether the printer can answer (two-way); file, spool and spooler queues cannot.
    two_way = False
    description = ""

    def write(self, data: bytes) -> None:
        if data:
            self._write(data)

    def query(self, request: bytes, done: Done, timeout: float) -> bytes:
        """Send ``request`` and collect the answer until ``done`` or ``timeout`` seconds.

        Returns what arrived, possibly nothing: silence is for the caller to judge.
        """
        if not self.two_way:
            raise TransportError(f"{self.description} cannot report printer status")
        self._drain()
        self._write(request)
        return self._collect(done, timeout)

    def close(self) -> None:
        """Release the connection; safe to call twice."""

    def _write(self, data: bytes) -> None:
        raise NotImplementedError

    def _collect(self, done: Done, timeout: float) -> bytes:
        raise NotImplementedError

    def _drain(self) -> None:
        """Discard anything unread, so an old answer is not taken for the new one."""

    def __enter__(self) -> Transport:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()
