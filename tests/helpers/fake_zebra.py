"""A fake Zebra printer on a 127.0.0.1 TCP port.

It records every byte, answers ``~HS`` in the three-string layout of Zebra's ZPL II guide
and ``~HQES`` in its documented form, and can report paper out, head open or pause, stay
silent, print slowly, or drop the connection after a number of labels.
"""

from __future__ import annotations

import re
import socket
import threading
import time
from types import TracebackType

STX, ETX = "\x02", "\x03"


class FakeZebra:
    def __init__(self, mode: str = "ok") -> None:
        self.mode = mode  # ok | paper_out | head_open | paused | ribbon_out | silent
        self.received = bytearray()  # labels and formats, as parsed
        self.raw = bytearray()  # every byte that arrived, status requests included
        self.labels_printed = 0
        self.drop_after: int | None = None  # close the connection after this many labels
        self.seconds_per_label = 0.0
        self.connections = 0
        self._server = socket.create_server(("127.0.0.1", 0))
        self._server.settimeout(0.2)
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    @property
    def port(self) -> int:
        port: int = self._server.getsockname()[1]
        return port

    @property
    def url(self) -> str:
        return f"tcp://127.0.0.1:{self.port}"

    def uids(self) -> list[str]:
        """UIDs of the labels received, in order (full labels and ^XF recalls)."""
        text = bytes(self.received).decode("utf-8", "replace")
        found = []
        for block in re.findall(r"\^XA(.*?)\^XZ", text, flags=re.S):
            if block.startswith("^DF"):
                continue
            match = re.search(r"\^FN1\^FD([0-9A-Z]{24})\^FS", block) or re.search(
                r"\^BC[^\^]*\^FD([0-9A-Z]{24})\^FS", block
            )
            if match:
                found.append(match.group(1))
        return found

    def wait_for(self, byte_count: int, timeout: float = 5.0) -> None:
        """Wait until ``byte_count`` bytes have arrived (the sender may finish first)."""
        deadline = time.monotonic() + timeout
        while len(self.raw) < byte_count and time.monotonic() < deadline:
            time.sleep(0.01)

    def hs(self) -> bytes:
        paper = int(self.mode == "paper_out")
        pause = int(self.mode == "paused")
        head = int(self.mode == "head_open")
        ribbon = int(self.mode == "ribbon_out")
        lines = [
            f"030,{paper},{pause},0203,000,0,0,0,000,0,0,0",
            f"001,0,{head},{ribbon},0,2,6,0,00000000,1,000",
            "1234,0",
        ]
        return "".join(f"{STX}{line}{ETX}\r\n" for line in lines).encode()

    def hqes(self) -> bytes:
        bits = {"paper_out": 1, "ribbon_out": 2, "head_open": 4}.get(self.mode, 0)
        flag = int(bits != 0)
        return (
            f"{STX}\r\n  PRINTER STATUS\r\n   ERRORS:         {flag} 00000000 {bits:08X}\r\n"
            f"   WARNINGS:       0 00000000 00000000\r\n{ETX}\r\n"
        ).encode()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                connection, _ = self._server.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.connections += 1
            threading.Thread(target=self._handle, args=(connection,), daemon=True).start()

    def _handle(self, connection: socket.socket) -> None:
        connection.settimeout(0.2)
        pending = b""
        with connection:
            while not self._stop.is_set():
                try:
                    chunk = connection.recv(65536)
                except TimeoutError:
                    continue
                except OSError:
                    return
                if not chunk:
                    return
                left = self._consume(connection, pending + chunk)
                self.raw += chunk  # after parsing, so wait_for() also waits for that
                if left is None:
                    return
                pending = left

    def _consume(self, connection: socket.socket, pending: bytes) -> bytes | None:
        """Handle complete commands in ``pending``; returns what is left (None: hang up)."""
        while True:
            hs, hq = pending.find(b"~HS"), pending.find(b"~HQES")
            if hq != -1 and (hs == -1 or hq <= hs):
                pending = pending[:hq] + pending[hq + 5 :]
                if self.mode != "silent":
                    connection.sendall(self.hqes())
                continue
            if hs != -1:
                pending = pending[:hs] + pending[hs + 3 :]
                if self.mode != "silent":
                    connection.sendall(self.hs())
                continue
            end = pending.find(b"^XZ")
            if end == -1:
                return pending
            label, pending = pending[: end + 3], pending[end + 3 :]
            with self._lock:
                self.received += label
                if not label.lstrip().startswith(b"^XA^DF"):
                    self.labels_printed += 1
                    time.sleep(self.seconds_per_label)
                    if self.drop_after is not None and self.labels_printed >= self.drop_after:
                        self.drop_after = None
                        return None

    def close(self) -> None:
        self._stop.set()
        self._server.close()
        self._thread.join(timeout=2)

    def __enter__(self) -> FakeZebra:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()
