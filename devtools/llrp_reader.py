"""Run an LLRP reader emulator (llrpkit's) in its own process, for the bench and for trying
the station by hand: prints its ``llrp://`` URL, serves until standard input closes, then
prints how many tag reports it sent.

``python -m devtools.llrp_reader [TAGS] [READS_PER_SECOND] [PREFIX]``: TAGS Metrc-style
EPCs from ``PREFIX`` + 00000001 (default 1A4060300002EE10), as a box of a roll would hold.
"""

from __future__ import annotations

import asyncio
import sys
import threading
from typing import Any

from llrpkit.emulator import EmulatedTag, LLRPEmulator
from llrpkit.protocol import messages


class CountingEmulator(LLRPEmulator):
    sent = 0

    async def _send(self, msg: Any, *, message_id: int = 0) -> None:
        await super()._send(msg, message_id=message_id)
        if isinstance(msg, messages.RO_ACCESS_REPORT):
            self.sent += 1


async def serve(tags: int, rate: float, prefix: str) -> None:
    population = [
        EmulatedTag(epc=bytes.fromhex(f"{prefix}{n:08d}"), antennas=(1 + n % 4,))
        for n in range(1, tags + 1)
    ]
    emulator = CountingEmulator(tags=population, reads_per_sec=rate, seed=1)
    await emulator.start()
    print(f"llrp://127.0.0.1:{emulator.port}", flush=True)
    closed = asyncio.Event()
    loop = asyncio.get_running_loop()
    threading.Thread(
        target=lambda: (sys.stdin.read(), loop.call_soon_threadsafe(closed.set)), daemon=True
    ).start()
    await closed.wait()
    await emulator.stop()
    print(emulator.sent, flush=True)


def main() -> None:
    tags = int(sys.argv[1]) if len(sys.argv) > 1 else 100
    rate = float(sys.argv[2]) if len(sys.argv) > 2 else 1000.0
    prefix = sys.argv[3] if len(sys.argv) > 3 else "1A4060300002EE10"
    asyncio.run(serve(tags, rate, prefix))


if __name__ == "__main__":
    main()
