"""Opening Metrc API clients for the station's facilities: the one place the keys are read
and the address is chosen, for the command line and the terminal UI alike."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from station.domain.errors import StationError, give
from station.metrc.client import MetrcClient
from station.metrc.hosts import base_url
from station.metrc.keys import load_keys
from station.services.context import Context
from station.services.metrc import pull


def url_from_settings(ctx: Context) -> str:
    """``METRC_URL``, else the API of ``METRC_STATE`` (California by default), its sandbox
    when ``METRC_SANDBOX`` is 1 (the command line's --url, --state and --sandbox)."""
    settings = ctx.settings
    return base_url(settings.metrc_state, settings.metrc_sandbox, settings.metrc_url)


@contextmanager
def clients(
    ctx: Context,
    url: str,
    license_number: str | None = None,
    on_wait: Callable[[str], None] | None = None,
) -> Iterator[list[MetrcClient]]:
    """One client per facility (or for ``license_number``), closed afterwards; ``on_wait``
    hears of every wait between tries."""
    found = pull.licenses_to_check(ctx, license_number)
    keys = load_keys(ctx.settings)
    opened = [
        MetrcClient(url, keys, facility.license_number, on_wait=on_wait) for facility in found
    ]
    try:
        yield opened
    finally:
        for client in opened:
            client.close()


@contextmanager
def client_for(
    ctx: Context, license_number: str | None = None, on_wait: Callable[[str], None] | None = None
) -> Iterator[MetrcClient]:
    """One client, for ``license_number`` or the station's only facility; closed afterwards."""
    with clients(ctx, url_from_settings(ctx), license_number, on_wait) as opened:
        if len(opened) != 1:
            raise StationError(
                "choose the facility (", give("license"), "): the station has several"
            )
        yield opened[0]
