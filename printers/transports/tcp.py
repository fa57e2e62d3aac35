"""Raw TCP, port 9100 by default: Zebra and most networked label printers."""

from __future__ import annotations

import socket
import time
from urllib.parse import urlsplit

from printers.errors import TransportError
from printers.transports.base import Done, TwoWayTransport

DEFAULT_PORT = 9100


class TcpTransport(TwoWayTransport):
    schemes = ("tcp",)
    usage = "tcp://HOST[:PORT]"

    def __init__(self, sock: socket.socket, description: str) -> None:
        self._sock = sock
        self.description = description

    @classmethod
    def check_url(cls, url: str) -> None:
        parts = urlsplit(url)
        if not parts.hostname:
            raise TransportError(f"{url!r} names no host: use {cls.usage}")
        try:
            port = parts.port
        except ValueError:
            raise TransportError(f"{url!r} has a bad port") from None
        if port == 0:
            raise TransportError(f"{url!r} has a bad port")

    @classmethod
    def open(cls, url: str, timeout: float) -> TcpTransport:
        parts = urlsplit(url)
        host, port = parts.hostname or "", parts.port or DEFAULT_PORT
        where = f"printer at {host}:{port}"
        try:
            sock = socket.create_connection((host, port), timeout=timeout)
        except TimeoutError:
            raise TransportError(f"{where} did not answer within {timeout:g} s") from None
        except ConnectionRefusedError:
            raise TransportError(f"{where} refused the connection (is it on?)") from None
        except OSError as exc:
            raise TransportError(f"cannot reach {where}: {exc.strerror or exc}") from None
        sock.settimeout(timeout)
        # Status requests are a few bytes sent right after a chunk of labels; without this,
        # Nagle's algorithm holds them back until the chunk is acknowledged.
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return cls(sock, where)

    def _write(self, data: bytes) -> None:
        try:
            self._sock.sendall(data)
        except TimeoutError:
            raise TransportError(f"{self.description} stopped taking data (timed out)") from None
        except OSError as exc:
            raise TransportError(
                f"{self.description} dropped the connection: {exc.strerror or exc}"
            ) from None

    def _collect(self, done: Done, timeout: float) -> bytes:
        answer = b""
        deadline = time.monotonic() + timeout
        while not done(answer):
            left = deadline - time.monotonic()
            if left <= 0:
                break
            self._sock.settimeout(left)
            try:
                chunk = self._sock.recv(4096)
            except TimeoutError:
                break
            except OSError as exc:
                raise TransportError(
                    f"{self.description} dropped the connection: {exc.strerror or exc}"
                ) from None
            if not chunk:
                raise TransportError(f"{self.description} closed the connection")
            answer += chunk
        return answer

    def _drain(self) -> None:
        previous = self._sock.gettimeout()
        self._sock.setblocking(False)
        try:
            while self._sock.recv(4096):
                pass
        except OSError:
            pass
        finally:
            self._sock.settimeout(previous)

    def close(self) -> None:
        try:
            self._sock.close()
        except OSError:
            pass
