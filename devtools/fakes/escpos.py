"""A fake ESC/POS printer on a pseudo-terminal: the station opens the slave side as a
serial port; this side records the bytes and answers ``DLE EOT n`` status requests."""

from __future__ import annotations

import os
import select
import threading
import tty
from types import TracebackType

# Answers to DLE EOT 1..4: fixed bits 0x12, plus the bits of each fault.
_REPLIES = {
    "ok": (0x12, 0x12, 0x12, 0x12),
    "cover_open": (0x1A, 0x16, 0x12, 0x12),
    "paper_out": (0x1A, 0x32, 0x12, 0x72),
    "paper_near_end": (0x12, 0x12, 0x12, 0x1E),
}


class FakeEscpos:
    def __init__(self, mode: str = "ok") -> None:
        self.mode = mode  # ok | cover_open | paper_out | paper_near_end | silent
        self.received = bytearray()
        self._master, self._slave = os.openpty()
        tty.setraw(self._slave)
        tty.setraw(self._master)
        self.device = os.ttyname(self._slave)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"serial://{self.device}?baudrate=9600"

    def _serve(self) -> None:
        pending = b""
        while not self._stop.is_set():
            ready, _, _ = select.select([self._master], [], [], 0.1)
            if not ready:
                continue
            try:
                pending += os.read(self._master, 65536)
            except OSError:
                return
            while (at := pending.find(b"\x10\x04")) != -1 and len(pending) > at + 2:
                function = pending[at + 2]
                self.received += pending[:at]
                pending = pending[at + 3 :]
                if self.mode != "silent" and 1 <= function <= 4:
                    os.write(self._master, bytes([_REPLIES[self.mode][function - 1]]))
            if b"\x10" not in pending[-2:]:
                self.received += pending
                pending = b""

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=2)
        os.close(self._master)
        os.close(self._slave)

    def __enter__(self) -> FakeEscpos:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()
