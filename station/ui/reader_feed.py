"""The RFID reader ``STATION_RFID`` names, read for a screen (Count, and Receive's RFID
box): in a thread of the screen, its reads waiting in a deque the screen takes in batches a
few times a second (a thousand reads a second handed over one by one would crowd out the
keys). Ctrl+L starts and stops it on both screens."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable

from textual.screen import Screen
from textual.worker import get_current_worker

from station.devices.rfid.sources import MAX_SECONDS, Note, ReaderError, reads
from station.domain.reads import Read
from station.ui import hints

# How often a screen takes the reads that came (seconds).
BATCH_SECONDS = 0.05
NO_READER = "no reader is set (STATION_RFID); a handheld in keyboard mode reads as scans"


class ReaderFeed:
    def __init__(
        self,
        screen: Screen[None],
        say: Callable[[str], None],
        fail: Callable[[str], None],
        stopped: Callable[[], None],
    ) -> None:
        self.screen = screen
        self.say, self.fail, self.stopped = say, fail, stopped
        self.incoming: deque[Read] = deque()
        self.on = False

    def toggle(self, source: str | None) -> None:
        """Start reading ``source``, or stop if reading."""
        if self.on:
            self.on = False
            self.say("Stopping the reader")
            return
        if source is None:
            self.fail(NO_READER)
            return
        self.on = True
        self.screen.run_worker(
            lambda: self._read(source),
            thread=True,
            group="reader",
            exclusive=True,
            exit_on_error=False,
        )

    def take(self) -> list[Read]:
        """The reads that came since last time (the deque is safe between two threads)."""
        return [self.incoming.popleft() for _ in range(len(self.incoming))]

    def _read(self, source: str) -> None:
        worker = get_current_worker()
        app = self.screen.app
        stream = reads(source, MAX_SECONDS)
        try:
            for event in stream:
                if worker.is_cancelled or not self.on:
                    break
                if isinstance(event, Note):
                    app.call_from_thread(self.say, f"Reader: {event.text}")
                    continue
                self.incoming.append(event)
        except ReaderError as exc:
            app.call_from_thread(self.fail, hints.message(exc))
        finally:
            stream.close()
            self.on = False
            app.call_from_thread(self.stopped)
