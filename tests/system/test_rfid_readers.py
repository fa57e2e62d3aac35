"""RFID readers for real, on this machine: an LLRP reader (llrpkit's emulator, speaking the
protocol on 127.0.0.1), one that drops the connection mid-count, one that never answers, a
closed port; a serial reader (a TCP serial URL) that goes away and comes back."""

from __future__ import annotations

import asyncio
import json
import os
import socket
import threading
import tty
from collections.abc import Iterator
from typing import Any

import pytest
from llrpkit.emulator import EmulatedTag, LLRPEmulator
from llrpkit.protocol import messages

from devtools import read_runs
from station.devices.rfid import llrp
from station.devices.rfid.sources import Note, ReaderError, reads
from station.domain.reads import Read
from tests.helpers.station import LICENSE, PACKAGE_PREFIX, Station, uid


class DroppingEmulator(LLRPEmulator):
    """A reader that drops the connection after sending ``after`` tag reports."""

    def __init__(self, after: int, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.after = after
        self.sent = 0

    async def _send(self, msg: Any, *, message_id: int = 0) -> None:
        if isinstance(msg, messages.RO_ACCESS_REPORT):
            if self.sent >= self.after:
                if self._writer is not None:
                    self._writer.close()
                return
            self.sent += 1
        await super()._send(msg, message_id=message_id)


class Served:
    """An emulator run on its own event loop in a thread, for as long as the test."""

    def __init__(self, emulator: LLRPEmulator) -> None:
        self.emulator = emulator
        self._ready = threading.Event()
        self._stop: asyncio.Event | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread = threading.Thread(target=lambda: asyncio.run(self._serve()), daemon=True)

    async def _serve(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._stop = asyncio.Event()
        await self.emulator.start()
        self._ready.set()
        await self._stop.wait()
        await self.emulator.stop()

    def __enter__(self) -> str:
        self._thread.start()
        assert self._ready.wait(30)
        return f"llrp://127.0.0.1:{self.emulator.port}"

    def __exit__(self, *exc: object) -> None:
        assert self._loop is not None and self._stop is not None
        self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(30)


def tags(*serials: int) -> list[EmulatedTag]:
    return [EmulatedTag(epc=bytes.fromhex(uid(PACKAGE_PREFIX, n))) for n in serials]


def report(station: Station, count: int) -> dict[str, Any]:
    found: dict[str, Any] = json.loads(
        station.ok("count", "report", str(count), "--format", "json").out
    )
    return found


def test_a_count_read_from_an_llrp_reader(received: Station) -> None:
    count = int(received.ok("count", "start").out)
    with Served(LLRPEmulator(tags=tags(1, 2, 3, 4, 5), reads_per_sec=1000, seed=3)) as url:
        said = received.ok("count", "read", str(count), "--from", url, "--seconds", "3").err
    assert "reads of 5 tags (5 new to the count, 5 in it)" in said
    seen = [entry["uid"] for entry in report(received, count)["seen"]]
    assert seen == [uid(PACKAGE_PREFIX, n) for n in range(1, 6)]


def test_a_reader_that_drops_mid_count_keeps_the_reads_before(received: Station) -> None:
    count = int(received.ok("count", "start").out)
    emulator = DroppingEmulator(40, tags=tags(7, 8), reads_per_sec=1000, seed=3)
    with Served(emulator) as url:
        message = received.failed("count", "read", str(count), "--from", url, "--seconds", "60")
    where = url.removeprefix("llrp://")
    assert message == f"the LLRP reader at {where} dropped the connection after 40 reads"
    # What was read before the drop is in the count; read again to go on.
    found = report(received, count)
    assert found["counts"]["reads"] == 40
    assert [entry["uid"] for entry in found["seen"]] == [
        uid(PACKAGE_PREFIX, 7),
        uid(PACKAGE_PREFIX, 8),
    ]


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A port that takes the connection (the kernel completes it) and never says a word."""
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(4)
        yield server.getsockname()[1]


def test_a_reader_that_never_answers_is_given_up(
    received: Station, silent_port: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(llrp, "ANSWER_SECONDS", 0.5)
    count = int(received.ok("count", "start").out)
    before = received.dump()
    message = received.failed(
        "count", "read", str(count), "--from", f"llrp://127.0.0.1:{silent_port}"
    )
    assert (
        message.startswith(
            f"the LLRP reader at 127.0.0.1:{silent_port} refused or did not answer: "
        )
        and "sent no ConnectionAttemptEvent" in message
    )
    assert received.dump() == before


def test_a_closed_port_is_refused(received: Station) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # closed again when the block ends
    count = int(received.ok("count", "start").out)
    message = received.refused("count", "read", str(count), "--from", f"llrp://127.0.0.1:{port}")
    assert message.startswith(f"the LLRP reader at 127.0.0.1:{port} refused or did not answer: ")


def test_a_busy_reader_refuses_a_second_connection() -> None:
    """LLRP allows one controlling client: the second is refused, and said so."""
    with Served(LLRPEmulator(tags=tags(1), reads_per_sec=50)) as url:
        first = reads(url, 30)
        assert isinstance(next(first), Read)
        with pytest.raises(ReaderError, match="refused or did not answer"):
            list(reads(url, 30))
        first.close()


def test_a_serial_reader_that_goes_away_is_opened_again(monkeypatch: pytest.MonkeyPatch) -> None:
    """A Bluetooth serial reader as a TCP serial URL: it sends half a run, goes away once
    that half is read, comes back and sends the rest; every EPC arrives."""
    monkeypatch.setattr("station.devices.scanner.REOPEN_SECONDS", 0.2)
    readings = read_runs.run(11, [uid(PACKAGE_PREFIX, n) for n in range(1, 201)], 1000)
    first, second = read_runs.dropouts(11, readings, 2)
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(4)
    port = server.getsockname()[1]
    first_read, all_read = threading.Event(), threading.Event()
    held: list[socket.socket] = []

    def serve() -> None:
        # Each part is sent again until it has been read: pyserial empties the input when
        # it opens the port, which may be after the first sending arrived.
        connection, _ = server.accept()
        while not first_read.wait(0.1):
            connection.sendall(read_runs.as_lines(first).encode())
        connection.close()  # the reader goes away
        connection, _ = server.accept()
        held.append(connection)
        while not all_read.wait(0.1):
            try:
                connection.sendall(read_runs.as_lines(second).encode())
            except OSError:  # the test has all it wanted and closed the reader
                return

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    wanted = {r.epc for r in readings}
    got: set[str] = set()
    notes: list[str] = []
    stream = reads(f"socket://127.0.0.1:{port}", 120)
    try:
        for event in stream:
            if isinstance(event, Note):
                notes.append(event.text)
            else:
                got.add(event.raw)
            if got >= {r.epc for r in first}:
                first_read.set()
            if got == wanted:
                break
    finally:
        first_read.set()
        all_read.set()
        stream.close()
        thread.join(30)
        for connection in held:
            connection.close()
        server.close()
    assert got == wanted, (notes, len(got))
    assert notes[0].startswith("the reader stopped answering") and notes[1] == "the reader is back"


def test_a_serial_reader_on_a_pseudo_terminal() -> None:
    """A USB serial reader is a tty: lines written to a pseudo-terminal's other end (again
    until read: pyserial empties the input when it opens the port)."""
    controller, device = os.openpty()
    tty.setraw(device)
    wanted = {uid(PACKAGE_PREFIX, n) for n in range(1, 51)}
    done = threading.Event()

    def send() -> None:
        while not done.wait(0.1):
            os.write(controller, "".join(f"{epc}\r" for epc in sorted(wanted)).encode())

    thread = threading.Thread(target=send, daemon=True)
    thread.start()
    got: set[str] = set()
    stream = reads(f"serial://{os.ttyname(device)}?baudrate=115200", 120)
    try:
        for event in stream:
            if isinstance(event, Read):
                got.add(event.raw)
            if got == wanted:
                break
    finally:
        done.set()
        stream.close()
        thread.join(30)
        os.close(controller)
        os.close(device)
    assert got == wanted


def test_receipt_by_rfid_from_an_llrp_reader(stocked: Station) -> None:
    with Served(LLRPEmulator(tags=tags(1, 2, 3), reads_per_sec=1000, seed=5)) as url:
        said = stocked.ok("receive", "--rfid", url, "--seconds", "3", "--yes").err
    assert "received 3 tags" in said
    assert LICENSE in said
