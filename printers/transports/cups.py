"""A CUPS raw queue (``lpr -P QUEUE -o raw``), or on Windows the print spooler through the
``zebra`` package.

``lpr`` is run directly rather than through ``zebra``, which ignores lpr's exit status: a
failed hand-off to the spooler is an error like any other. A spooler cannot report the
printer's status.
"""

from __future__ import annotations

import subprocess
import sys
from urllib.parse import unquote, urlsplit

from printers.environment import for_helpers
from printers.errors import TransportError
from printers.transports.base import Transport

# How long the spooler may take to accept one job.
LPR_TIMEOUT = 30


def queue_of(url: str) -> str:
    parts = urlsplit(url)
    return unquote(parts.netloc or parts.path.strip("/"))


class CupsTransport(Transport):
    schemes = ("cups",)
    usage = "cups://QUEUE"

    def __init__(self, queue: str) -> None:
        self.queue = queue
        self.description = f"CUPS queue {queue}"

    @classmethod
    def check_url(cls, url: str) -> None:
        queue = queue_of(url)
        if not queue:
            raise TransportError(f"{url!r} names no queue: use {cls.usage}")
        if queue.startswith("-") or not queue.isprintable() or any(c.isspace() for c in queue):
            raise TransportError(f"{url!r}: {queue!r} is not a queue name")

    @classmethod
    def open(cls, url: str, timeout: float) -> CupsTransport:
        return cls(queue_of(url))

    def _write(self, data: bytes) -> None:
        # Bytes go through untouched (UTF-8 under ^CI28): no code page is applied.
        if sys.platform == "win32":  # pragma: no cover - the Windows spooler
            import zebra

            zebra.Zebra(self.queue).output(data)  # type: ignore[no-untyped-call]
            return
        try:
            result = subprocess.run(
                ["lpr", f"-P{self.queue}", "-o", "raw"],
                input=data,
                capture_output=True,
                timeout=LPR_TIMEOUT,
                check=False,
                env=for_helpers(),
            )
        except FileNotFoundError:
            raise TransportError("lpr is not installed (CUPS client: cups-bsd)") from None
        except subprocess.TimeoutExpired:
            raise TransportError(f"the CUPS queue {self.queue} did not take the job") from None
        if result.returncode != 0:
            reason = result.stderr.decode(errors="replace").strip().splitlines()
            raise TransportError(
                f"CUPS refused the job for {self.queue}: {reason[-1] if reason else 'lpr failed'}"
            )
