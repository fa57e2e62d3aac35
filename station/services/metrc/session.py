"""Opening Metrc API clients for the station's facilities: the one place the keys are read
and the address is chosen, for the command line and the terminal UI alike."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from station.domain.errors import StationError, give
from station.metrc.client import MetrcClient
from station.metrc.hosts import base_url
from station.metrc.keys import load_keys
from station.services.context import Context
from station.services.metrc import pull


@dataclass(frozen=True)
class Address:
    """Where a facility's Metrc calls go: its own state's API (the sandbox with
    ``METRC_SANDBOX``), unless ``override`` (``METRC_URL``, ``--url``: a sandbox or a test
    server) or ``state`` (``--state``: another state's API for one command) says otherwise."""

    override: str | None = None
    state: str | None = None
    sandbox: bool = False

    def url_for(self, facility_state: str) -> str:
        return base_url(self.state or facility_state, self.sandbox, self.override)


def address_from_settings(ctx: Context) -> Address:
    return Address(ctx.settings.metrc_url, None, ctx.settings.metrc_sandbox)


@contextmanager
def clients(
    ctx: Context,
    address: Address,
    license_number: str | None = None,
    on_wait: Callable[[str], None] | None = None,
) -> Iterator[list[MetrcClient]]:
    """One client per facility (or for ``license_number``), closed afterwards; ``on_wait``
    hears of every wait between tries."""
    found = pull.licenses_to_check(ctx, license_number)
    keys = load_keys(ctx.settings)
    opened = [
        MetrcClient(address.url_for(facility.state), keys, facility.license_number, on_wait=on_wait)
        for facility in found
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
    with clients(ctx, address_from_settings(ctx), license_number, on_wait) as opened:
        if len(opened) != 1:
            raise StationError(
                "choose the facility (", give("license"), "): the station has several"
            )
        yield opened[0]
