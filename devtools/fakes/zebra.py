"""A fake Zebra printer on a 127.0.0.1 TCP port.

It records every byte, answers ``~HS`` in the three-string layout of Zebra's ZPL II guide
and ``~HQES`` in its documented form, and can report paper out, head open or pause, stay
silent, print slowly, or drop the connection after a number of labels.
"""

from __future__ import annotations

import os
import re
import select
import socket
import threading
import time
import tty
from collections.abc import Callable
from types import TracebackType
from typing import Self

STX, ETX = "\x02", "\x03"
# A complete label format (not a stored-format definition) waiting in the receive buffer.
_LABEL = re.compile(rb"\^XA(?!\^DF).*?\^XZ", re.S)


class FakeZebra:
    def __init__(self, mode: str = "ok") -> None:
        self.mode = mode  # ok | paper_out | head_open | paused | ribbon_out | silent
        # A printer that prints a run's copies without stepping its ^SF fields (the failure
        # the Retail ID run check is there to catch).
        self.ignores_serial = False
        self.received = bytearray()  # labels and formats, as parsed
        self.printed: list[bytes] = []  # labels that came out of the printer, in order
        self.held: list[bytes] = []  # labels waiting in the buffer of a faulted printer
        self.batch: list[bytes] = []  # what is left of a serialized format's labels
        self.cancels = 0  # ~JA commands received
        self.formats: dict[str, str] = {}  # stored formats (^DF) by name
        self.raw = bytearray()  # every byte that arrived, status requests included
        self.labels_printed = 0
        self.drop_after: int | None = None  # close the connection after this many labels
        self.fail_after: tuple[int, str] | None = None  # (labels, mode): then e.g. paper out
        self.seconds_per_label = 0.0
        self.connections = 0
        self.active = 0  # connections still open or still being printed from
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
        """The UID in the barcode of each label printed, in order: full labels, and ^XF
        recalls filled into the stored format they name."""
        found = []
        for label in self.printed:
            text = label.decode("utf-8", "replace")
            recall = re.search(r"\^XF([^\^]+)\^FS", text)
            if recall:
                values = dict(re.findall(r"\^FN(\d+)(?:\^FH)?\^FD([^\^]*)\^FS", text))
                text = self.formats.get(format_key(recall.group(1)), "")
            else:
                values = {}
            field = re.search(r"\^BC[^\^]*(?:\^FN(\d+)|(?:\^FH)?\^FD([^\^]*))\^FS", text)
            if field:
                found.append(values.get(field.group(1), "") if field.group(1) else field.group(2))
        return found

    def qr_data(self) -> list[str]:
        """The data of the QR code (``^BQ``) of each label printed, in order, its ``^FD``
        switches taken off: full labels, and ^XF recalls filled into their stored format."""
        found = []
        for label in self.printed:
            text = label.decode("utf-8", "replace")
            recall = re.search(r"\^XF([^\^]+)\^FS", text)
            values = dict(re.findall(r"\^FN(\d+)(?:\^FH)?\^FD([^\^]*)\^FS", text))
            if recall:
                text = self.formats.get(format_key(recall.group(1)), "")
            field = re.search(r"\^BQ[^\^]*(?:\^FN(\d+)|(?:\^FH)?\^FD([^\^]*))\^FS", text)
            if field:
                data = values.get(field.group(1), "") if field.group(1) else field.group(2)
                # Switches: error correction and input mode, a comma, and in manual mode the
                # character mode (A alphanumeric, N numeric).
                switches = re.match(r"[HQML](?:A,|M,[AN])", data)
                found.append(data[switches.end() :] if switches else data)
        return found

    def wait_for(self, byte_count: int, timeout: float = 5.0) -> None:
        """Wait until ``byte_count`` bytes have arrived (the sender may finish first)."""
        deadline = time.monotonic() + timeout
        while len(self.raw) < byte_count and time.monotonic() < deadline:
            time.sleep(0.01)

    def wait_for_text(self, text: str, timeout: float = 5.0) -> None:
        """Wait until ``text`` has arrived (status queries alone do not count)."""
        deadline = time.monotonic() + timeout
        while text.encode() not in self.raw and time.monotonic() < deadline:
            time.sleep(0.01)

    def hs(self, buffered: int = 0) -> bytes:
        paper = int(self.mode == "paper_out")
        pause = int(self.mode == "paused")
        head = int(self.mode == "head_open")
        ribbon = int(self.mode == "ribbon_out")
        lines = [
            f"030,{paper},{pause},0203,{len(self.held) + buffered:03d},0,0,0,000,0,0,0",
            f"001,0,{head},{ribbon},0,2,6,0,{len(self.batch):08d},1,000",
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
            with self._lock:
                self.connections += 1
                self.active += 1
            threading.Thread(target=self._handle, args=(connection,), daemon=True).start()

    def _handle(self, connection: socket.socket) -> None:
        try:
            self._talk(connection)
        finally:
            with self._lock:
                self.active -= 1

    def wait_idle(self, timeout: float = 30.0) -> None:
        """Wait until every connection has closed and everything sent has been printed."""
        deadline = time.monotonic() + timeout
        while self.active and time.monotonic() < deadline:
            time.sleep(0.02)

    def _talk(self, connection: socket.socket) -> None:
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
                left = self._consume(connection.sendall, pending + chunk)
                self.raw += chunk  # after parsing, so wait_for() also waits for that
                if left is None:
                    return
                pending = left

    def _consume(self, reply: Callable[[bytes], object], pending: bytes) -> bytes | None:
        """Handle complete commands in ``pending``; returns what is left (None: hang up)."""
        # "~" commands act at once, ahead of formats still waiting in the receive buffer
        # (as on a Zebra); formats are then processed in order.
        while True:
            cancel = pending.find(b"~JA")
            if cancel != -1:
                waiting = _LABEL.sub(b"", pending[:cancel])  # ~JA drops what is buffered
                pending = waiting + pending[cancel + 3 :]
                self.held.clear()
                self.batch.clear()
                self.cancels += 1
                continue
            hs, hq = pending.find(b"~HS"), pending.find(b"~HQES")
            if hq != -1 and (hs == -1 or hq <= hs):
                pending = pending[:hq] + pending[hq + 5 :]
                if self.mode != "silent":
                    reply(self.hqes())
                continue
            if hs != -1:
                buffered = len(_LABEL.findall(pending[:hs]))
                pending = pending[:hs] + pending[hs + 3 :]
                if self.mode != "silent":
                    reply(self.hs(buffered))
                continue
            end = pending.find(b"^XZ")
            if end == -1:
                return pending
            label, pending = pending[: end + 3], pending[end + 3 :]
            with self._lock:
                self.received += label
                stored = re.match(rb"\s*\^XA\^DF([^\^]+)\^FS", label)
                if stored:
                    key = format_key(stored.group(1).decode())
                    self.formats[key] = label.decode("utf-8", "replace")
                else:
                    if self.mode != "ok":
                        self.held.append(label)  # printed once the fault is cleared
                        continue
                    self.batch = self.batch + [
                        one for waiting in self.held for one in serialized(waiting)
                    ]
                    self.held.clear()
                    self.batch += serialized(label, step=not self.ignores_serial)
                    while self.batch:
                        if self.mode != "ok":
                            break  # the rest of the batch waits for the fault to clear
                        self.printed.append(self.batch.pop(0))
                        self.labels_printed += 1
                        time.sleep(self.seconds_per_label)
                        if self.fail_after and self.labels_printed >= self.fail_after[0]:
                            self.mode, self.fail_after = self.fail_after[1], None
                        if self.drop_after is not None and self.labels_printed >= self.drop_after:
                            self.drop_after = None
                            return None

    def close(self) -> None:
        self._stop.set()
        self._server.close()
        self._thread.join(timeout=2)

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()


class SerialZebra(FakeZebra):
    """The same printer on a pseudo-terminal, taking bytes no faster than ``baud`` allows
    (8N1: ten bits a byte), so serial throughput can be measured; ``stalled`` stops reading,
    as a printer holding flow control would."""

    def __init__(self, mode: str = "ok", baud: int = 9600) -> None:
        self.baud = baud
        self.stalled = False
        self._master, self._slave = os.openpty()
        tty.setraw(self._master)
        tty.setraw(self._slave)
        self.device = os.ttyname(self._slave)
        super().__init__(mode)

    @property
    def url(self) -> str:
        return f"serial://{self.device}?baudrate={self.baud}"

    def _serve(self) -> None:
        pending = b""
        started, taken = time.monotonic(), 0
        while not self._stop.is_set():
            if self.stalled:
                time.sleep(0.05)
                continue
            ready, _, _ = select.select([self._master], [], [], 0.1)
            if not ready:
                started, taken = time.monotonic(), 0
                continue
            try:
                chunk = os.read(self._master, 64)
            except OSError:
                return
            taken += len(chunk)
            # Hold back to the line rate: ten bits a byte.
            delay = started + taken * 10 / self.baud - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            left = self._consume(lambda data: os.write(self._master, data), pending + chunk)
            self.raw += chunk
            pending = left or b""

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=2)
        self._server.close()
        for fd in (self._master, self._slave):
            try:
                os.close(fd)
            except OSError:
                pass


# A serialized field (ZPL guide, ^SF): its data, mask and increment string.
_SERIAL = re.compile(r"\^FD([^^]*)\^SF([^,^]*),([^^]*)\^FS")
_QUANTITY = re.compile(r"\^PQ(\d+)")
_PLACES = {"D": "0123456789", "N": "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"}


def serialized(label: bytes, step: bool = True) -> list[bytes]:
    """The labels a format makes: itself, or for a format with ``^SF`` fields and ``^PQn``,
    n labels, each written as a format of its own with the field data that label carries
    (as a Zebra steps it: the increment added place by place from the right, with carry,
    within the mask)."""
    text = label.decode("utf-8", "replace")
    quantity = _QUANTITY.search(text)
    if not _SERIAL.search(text) or not quantity:
        return [label]
    bare = _QUANTITY.sub("", text)
    made = []
    for number in range(int(quantity.group(1))):

        def stepped(field: re.Match[str], times: int = number) -> str:
            value = field.group(1)
            for _ in range(times if step else 0):
                value = _add(value, field.group(2), field.group(3))
            return f"^FD{value}^FS"

        made.append(_SERIAL.sub(stepped, bare).encode())
    return made


def _add(value: str, mask: str, increment: str) -> str:
    out = list(value)
    carry = 0
    for place in range(1, len(mask) + 1):
        digits = _PLACES.get(mask[-place].upper())
        if digits is None or place > len(out):
            continue  # % (skipped) or beyond the data
        step = increment[-place] if place <= len(increment) else digits[0]
        total = digits.index(out[-place]) + max(digits.find(step.upper()), 0) + carry
        out[-place], carry = digits[total % len(digits)], total // len(digits)
    return "".join(out)


def format_key(name: str) -> str:
    """A stored format's name as a printer finds it: the device (``R:``; searched when left
    out) and the extension (always ``.ZPL``) do not tell formats apart."""
    bare = name.split(":", 1)[-1]
    return bare[:-4] if bare.upper().endswith(".ZPL") else bare
