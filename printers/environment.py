"""The environment a helper program (``lpr``, PostgreSQL's tools) is started with: this
process's, less every secret in it. A helper needs the locale, the PATH and its own
variables; it never needs the operator's PIN or the Metrc keys, and anything it runs or logs
could leak them."""

from __future__ import annotations

import os
from collections.abc import Mapping

# Variables of the station and Metrc (PINs, keys, the database URL with its password) and
# anything named like a secret.
_PREFIXES = ("STATION_", "METRC_")
_SECRET_WORDS = ("PIN", "KEY", "PASSWORD", "PASSWD", "SECRET", "TOKEN", "CREDENTIAL")


def is_secret(name: str) -> bool:
    upper = name.upper()
    return upper.startswith(_PREFIXES) or any(word in upper for word in _SECRET_WORDS)


def for_helpers(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """This process's environment without its secrets, plus ``extra`` (what the helper is
    meant to get, a database password say)."""
    kept = {name: value for name, value in os.environ.items() if not is_secret(name)}
    return {**kept, **(extra or {})}
