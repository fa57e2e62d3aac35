"""Transports carry printer bytes: one small module per connection type, each checking its
own URLs, chosen by the URL's scheme from one registry."""

from __future__ import annotations

from urllib.parse import urlsplit

from printers.errors import TransportError
from printers.transports.base import Transport, TwoWayTransport
from printers.transports.cups import CupsTransport
from printers.transports.file import FileTransport
from printers.transports.serial import SerialTransport
from printers.transports.spool import SpoolTransport
from printers.transports.tcp import TcpTransport
from printers.transports.usb import UsbTransport

TRANSPORTS: tuple[type[Transport], ...] = (
    TcpTransport,
    SerialTransport,
    CupsTransport,
    UsbTransport,
    FileTransport,
    SpoolTransport,
)
_BY_SCHEME = {scheme: kind for kind in TRANSPORTS for scheme in kind.schemes}
SCHEMES = tuple(_BY_SCHEME)


def transport_for(url: str) -> type[Transport]:
    """The transport class for ``url``'s scheme."""
    kind = _BY_SCHEME.get(urlsplit(url).scheme)
    if kind is None:
        usages = [kind.usage for kind in TRANSPORTS]
        raise TransportError(
            f"unknown connection {url!r}: use {', '.join(usages[:-1])} or {usages[-1]}"
        )
    return kind


def check_url(url: str) -> None:
    """Refuse a connection URL the station cannot use, before it is saved."""
    transport_for(url).check_url(url)


def open_transport(url: str, timeout: float = 5.0) -> Transport:
    """Connect to ``url``; raises :class:`TransportError` with a plain reason."""
    kind = transport_for(url)
    kind.check_url(url)
    return kind.open(url, timeout)


__all__ = [
    "SCHEMES",
    "Transport",
    "TransportError",
    "TwoWayTransport",
    "check_url",
    "open_transport",
    "transport_for",
]
