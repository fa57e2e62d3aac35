"""Which Metrc server a station talks to: the state's API host, its sandbox, or an override
(kept apart from the client so that reading the settings does not load it)."""

from __future__ import annotations

from urllib.parse import urlsplit

from station.domain.errors import StationError

DEFAULT_STATE = "ca"
_LOOPBACK = {"127.0.0.1", "localhost", "::1"}


def base_url(state: str = DEFAULT_STATE, sandbox: bool = False, override: str | None = None) -> str:
    """``https://api-{state}.metrc.com`` (or the sandbox), unless ``override`` is given."""
    if override:
        parts = urlsplit(override.strip())
        if parts.scheme not in ("https", "http") or not parts.hostname:
            raise StationError(f"Metrc URL {override!r} is not an http(s) URL")
        if parts.scheme == "http" and parts.hostname not in _LOOPBACK:
            # The keys travel in every request's header: never in clear over a network.
            raise StationError("a Metrc URL must use https (http only on this computer)")
        return override.strip().rstrip("/")
    code = state.strip().lower()
    if not code.isalpha() or len(code) != 2:
        raise StationError(f"state {state!r} is not a two-letter state code")
    return f"https://{'sandbox-' if sandbox else ''}api-{code}.metrc.com"
