"""A reader that calls back (pyserial's loop, llrpkit's asyncio stream) turned into an
iterator: the reader runs in a thread of its own and hands each event over a bounded queue,
so a consumer that falls behind slows the reader (TCP then slows the device) rather than
growing memory without bound."""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable, Generator

from station.devices.rfid.sources import Event, ReaderError

QUEUE_SIZE = 10_000
_END = object()

Run = Callable[[Callable[[Event], None], threading.Event], None]


def pumped(run: Run, name: str, seconds: float) -> Generator[Event, None, None]:
    """Events that ``run(hand_on, stop)`` hands on for ``seconds``. ``run`` returns when
    ``stop`` is set, or raises :class:`ReaderError`, which is raised here after the events
    handed on before it."""
    handed: queue.Queue[object] = queue.Queue(QUEUE_SIZE)
    stop = threading.Event()

    def hand_on(event: Event) -> None:
        while not stop.is_set():
            try:
                handed.put(event, timeout=0.2)
                return
            except queue.Full:
                continue

    def body() -> None:
        try:
            run(hand_on, stop)
        except ReaderError as exc:
            handed.put(exc)
        except Exception as exc:  # a reader library's own failure, said once
            handed.put(ReaderError(f"the reader failed: {exc}"))
        finally:
            handed.put(_END)

    thread = threading.Thread(target=body, name=name, daemon=True)
    thread.start()
    deadline = time.monotonic() + seconds
    try:
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                break
            try:
                item = handed.get(timeout=min(left, 0.2))
            except queue.Empty:
                continue
            if item is _END:
                break
            if isinstance(item, ReaderError):
                raise item
            yield item  # type: ignore[misc]
    finally:
        stop.set()
        # Drain so a reader blocked on a full queue sees the stop; then let it close.
        while thread.is_alive():
            try:
                handed.get(timeout=0.05)
            except queue.Empty:
                pass
        thread.join()
