"""LLRP readers over TCP (Impinj, Zebra and other fixed and handheld readers), through
llrpkit (MIT; sllurp is GPL-3.0). ``llrp://HOST[:PORT]``, port 5084 by default.

The read time is bounded, and so is every wait on the reader: one that never answers is
given up after :data:`ANSWER_SECONDS`, one that drops the connection is said to have.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable, Generator
from urllib.parse import urlsplit

from station.devices.rfid.pump import pumped
from station.devices.rfid.sources import Event, ReaderError
from station.domain.reads import Read
from station.domain.text import show

PORT = 5084
# How long to wait for a reader to connect or answer one request (seconds).
ANSWER_SECONDS = 5.0


def address(url: str) -> tuple[str, int]:
    parts = urlsplit(url)
    try:
        port = parts.port or PORT
    except ValueError:
        raise ReaderError(f"{show(url)}: the port must be a number from 1 to 65535") from None
    if not parts.hostname or parts.path not in ("", "/") or parts.query:
        raise ReaderError(f"{show(url)} is not llrp://HOST[:PORT]")
    return parts.hostname, port


def reads(url: str, seconds: float) -> Generator[Event, None, None]:
    host, port = address(url)
    where = f"{host}:{port}"

    def run(hand_on: Callable[[Event], None], stop: threading.Event) -> None:
        asyncio.run(_inventory(host, port, where, seconds, hand_on, stop))

    return pumped(run, "rfid-llrp", seconds + 2 * ANSWER_SECONDS)


async def _inventory(
    host: str,
    port: int,
    where: str,
    seconds: float,
    hand_on: Callable[[Event], None],
    stop: threading.Event,
) -> None:
    from llrpkit import LLRPConnectionError, LLRPError, Reader

    reader = Reader(host, port, response_timeout=ANSWER_SECONDS, connect_timeout=ANSWER_SECONDS)
    try:
        await reader.connect()
    except LLRPError as exc:
        raise ReaderError(f"the LLRP reader at {where} refused or did not answer: {exc}") from None
    count = 0

    async def stream() -> None:
        nonlocal count
        async for tag in reader.inventory(duration=seconds):
            count += 1
            hand_on(
                Read(
                    tag.epc.hex().upper(),
                    (tag.last_seen_us / 1e6) if tag.last_seen_us else time.time(),
                    where,
                    antenna=tag.antenna,
                    rssi=tag.rssi_dbm,
                    seen=tag.seen_count or 1,
                )
            )

    streaming = asyncio.create_task(stream())
    try:
        # The consumer's stop (Ctrl+C, enough read) is looked at every tenth of a second.
        while not streaming.done():
            if stop.is_set():
                streaming.cancel()
                break
            await asyncio.wait({streaming}, timeout=0.1)
        await streaming
    except asyncio.CancelledError:
        pass
    except LLRPConnectionError:
        raise ReaderError(
            f"the LLRP reader at {where} dropped the connection after {count:,} reads"
        ) from None
    except LLRPError as exc:
        raise ReaderError(f"the LLRP reader at {where} refused the inventory: {exc}") from None
    finally:
        try:
            await asyncio.wait_for(reader.close(), ANSWER_SECONDS)
        except (LLRPError, OSError, TimeoutError):
            pass
