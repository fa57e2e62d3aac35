"""Serial and Bluetooth serial readers: one EPC a line, read exactly as the serial barcode
scanner is (the same line splitting and bounds), and opened again when they come back."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Generator

from station.devices.rfid.pump import pumped
from station.devices.rfid.sources import Event, Note
from station.devices.scanner import Scan, read_scans
from station.domain.reads import Read


def reads(url: str, seconds: float) -> Generator[Event, None, None]:
    def run(hand_on: Callable[[Event], None], stop: threading.Event) -> None:
        def scanned(scan: Scan) -> None:
            if scan.code is not None:
                hand_on(Read(scan.code, time.time(), url))
            elif scan.note:
                hand_on(Note(scan.note.replace("scanner", "reader")))
            elif scan.unreadable:
                # A line no EPC can be (too long, not ASCII): kept as a read that is not a
                # Metrc tag, so it is counted rather than lost.
                hand_on(Read(f"({scan.problem})", time.time(), url))
            else:
                hand_on(Note(scan.problem.replace("scanner", "reader")))

        read_scans(url, scanned, stop.is_set)

    return pumped(run, "rfid-serial", seconds)
