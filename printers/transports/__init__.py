"""Transports carry printer bytes: one small module per connection type, each with the same
two hooks (``write`` and ``query``), chosen by the connection URL."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from printers.errors import TransportError
from printers.transports.base import Transport

# pyserial's own URL handlers, passed to it as they are.
PYSERIAL_SCHEMES = ("socket", "rfc2217", "loop", "spy", "hwgrep", "alt")
SCHEMES = ("tcp", "serial", "cups", "usb", "file", "spool", *PYSERIAL_SCHEMES)


def check_url(url: str) -> None:
    """Refuse a connection URL the station cannot use, before it is saved."""
    parts = urlsplit(url)
    if parts.scheme not in SCHEMES:
        raise TransportError(
            f"unknown connection {url!r}: use tcp://HOST[:PORT], serial:///dev/ttyUSB0, "
            "cups://QUEUE, usb://VID:PID, file:///PATH or spool:///FOLDER"
        )
    if parts.scheme == "tcp":
        if not parts.hostname:
            raise TransportError(f"{url!r} names no host: use tcp://HOST[:PORT]")
        try:
            parts.port  # noqa: B018 - raises ValueError for a bad port
        except ValueError:
            raise TransportError(f"{url!r} has a bad port") from None
    if parts.scheme == "serial" and not parts.path:
        raise TransportError(f"{url!r} names no device: use serial:///dev/ttyUSB0?baudrate=9600")
    if parts.scheme == "serial":
        for key in parse_qs(parts.query):
            if key not in (
                "baudrate",
                "bytesize",
                "parity",
                "stopbits",
                "xonxoff",
                "rtscts",
                "dsrdtr",
                "timeout",
            ):
                raise TransportError(f"{url!r}: unknown serial setting {key!r}")
    if parts.scheme == "cups" and not (parts.netloc or parts.path.strip("/")):
        raise TransportError(f"{url!r} names no queue: use cups://QUEUE")
    if parts.scheme == "usb":
        from printers.transports.usb import parse_ids

        parse_ids(url)
    if parts.scheme == "file" and not parts.path:
        raise TransportError(f"{url!r} names no file: use file:///PATH")


def open_transport(url: str, timeout: float = 5.0) -> Transport:
    """Connect to ``url``; raises :class:`TransportError` with a plain reason."""
    check_url(url)
    scheme = urlsplit(url).scheme
    if scheme == "tcp":
        from printers.transports.tcp import TcpTransport

        return TcpTransport.open(url, timeout)
    if scheme == "cups":
        from printers.transports.cups import CupsTransport

        return CupsTransport.open(url, timeout)
    if scheme == "usb":
        from printers.transports.usb import UsbTransport

        return UsbTransport.open(url, timeout)
    if scheme == "file":
        from printers.transports.file import FileTransport

        return FileTransport.open(url, timeout)
    if scheme == "spool":
        from printers.transports.spool import SpoolTransport

        return SpoolTransport.open(url, timeout)
    from printers.transports.serial import SerialTransport

    return SerialTransport.open(url, timeout)


__all__ = ["SCHEMES", "Transport", "TransportError", "check_url", "open_transport"]
