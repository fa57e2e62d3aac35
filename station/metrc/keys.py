"""Metrc API keys: from the environment or the system keyring, never from the database.

The vendor key (the integrator's, from Metrc Connect) and the user key (the licensee user's)
are read when a command needs them and live only in memory; nothing the station writes
(database, audit, messages, logs) ever contains them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from station.domain.errors import StationError

if TYPE_CHECKING:
    from station.settings import Settings

VENDOR_ENV = "METRC_VENDOR_KEY"
USER_ENV = "METRC_USER_KEY"
KEYRING_SERVICE = "tag-station-metrc"
VENDOR_ENTRY = "vendor-key"
USER_ENTRY = "user-key"


@dataclass(frozen=True)
class Keys:
    # repr=False: a key must not show up in a traceback or a debug print of this object.
    vendor: str = field(repr=False)
    user: str = field(repr=False)


def load_keys(settings: Settings) -> Keys:
    """The keys from ``METRC_VENDOR_KEY``/``METRC_USER_KEY``, else from the keyring."""
    vendor, user = settings.metrc_vendor_key, settings.metrc_user_key
    if not vendor:
        vendor = _from_keyring(VENDOR_ENTRY)
    if not user:
        user = _from_keyring(USER_ENTRY)
    missing = [name for name, value in ((VENDOR_ENV, vendor), (USER_ENV, user)) if not value]
    if missing:
        raise StationError(
            f"no Metrc {' or '.join(missing)}: set the environment variable or run "
            "`station metrc keys set`"
        )
    return Keys(vendor, user)


def check_keyring() -> None:
    """Refuse before the keys are asked for when this machine's keyring cannot keep them: the
    backends keyring falls back to when it finds none (``fail``, ``null``) rank at 0 or below."""
    import keyring

    backend = keyring.get_keyring()
    if float(backend.priority) <= 0:
        raise StationError(
            f"no usable system keyring ({type(backend).__module__.rsplit('.', 1)[-1]} "
            f"keyring: it keeps nothing); set {VENDOR_ENV} and {USER_ENV} in the environment "
            "instead"
        )


def store_keys(vendor: str, user: str) -> str:
    """Save both keys in the system keyring; the keyring's name, for the message."""
    import keyring
    from keyring.errors import KeyringError

    for name, value in (("vendor key", vendor), ("user key", user)):
        if not value.strip() or any(ch.isspace() for ch in value.strip()):
            raise StationError(f"the {name} is empty or has spaces in it")
    backend = type(keyring.get_keyring()).__name__
    try:
        for entry, value in ((VENDOR_ENTRY, vendor.strip()), (USER_ENTRY, user.strip())):
            keyring.set_password(KEYRING_SERVICE, entry, value)
            # Some backends (a "null" keyring on a headless machine) accept and keep nothing.
            if keyring.get_password(KEYRING_SERVICE, entry) != value:
                raise KeyringError(f"{backend} did not keep them")
    except KeyringError as exc:
        raise StationError(
            f"no usable system keyring ({type(exc).__name__}: {exc}); set {VENDOR_ENV} and "
            f"{USER_ENV} in the environment instead"
        ) from None
    return backend


def forget_keys() -> None:
    import keyring
    from keyring.errors import KeyringError, PasswordDeleteError

    for entry in (VENDOR_ENTRY, USER_ENTRY):
        try:
            keyring.delete_password(KEYRING_SERVICE, entry)
        except PasswordDeleteError:
            pass
        except KeyringError as exc:
            raise StationError(f"no usable system keyring ({type(exc).__name__})") from None


def _from_keyring(entry: str) -> str:
    try:
        import keyring
        from keyring.errors import KeyringError
    except ImportError:  # pragma: no cover - keyring is a dependency
        return ""
    try:
        value = keyring.get_password(KEYRING_SERVICE, entry)
    except KeyringError:
        return ""  # no keyring on this machine: the environment is the only source
    return (value or "").strip()
