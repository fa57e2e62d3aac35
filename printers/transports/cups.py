"""A CUPS raw queue (or the Windows spooler) through the ``zebra`` package.

``zebra`` pipes the bytes to ``lpr -P QUEUE -oraw`` and ignores lpr's exit status; here a
failed spooler hand-off is an error like any other. The spooler cannot report the
printer's status.
"""

from __future__ import annotations

import subprocess
from urllib.parse import unquote, urlsplit

import zebra

from printers.errors import TransportError
from printers.transports.base import Transport


class _CheckedZebra(zebra.Zebra):
    def _output_unix(self, commands: bytes) -> None:
        try:
            result = subprocess.run(
                ["lpr", f"-P{self.queue}", "-oraw"],
                input=commands,
                capture_output=True,
                timeout=30,
                check=False,
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


class CupsTransport(Transport):
    def __init__(self, queue: str) -> None:
        self._printer = _CheckedZebra(queue)  # type: ignore[no-untyped-call]
        self.description = f"CUPS queue {queue}"

    @classmethod
    def open(cls, url: str, timeout: float) -> CupsTransport:
        parts = urlsplit(url)
        return cls(unquote(parts.netloc or parts.path.strip("/")))

    def _write(self, data: bytes) -> None:
        # Bytes go through untouched (UTF-8 under ^CI28); zebra's cp437 default never applies.
        self._printer.output(data)  # type: ignore[no-untyped-call]
