"""PINs and badge codes: checked, hashed and compared, never kept or shown in the clear.

A PIN is 4 to 12 digits: few enough possibilities that its hash must be slow (scrypt, with a
random salt per PIN) and that guessing is cut off by a lockout (station.services.people.operators).
A badge code is random (66 bits: no one scans 10**20 badges), so a plain SHA-256 digest of
it is safe to keep.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

from station.domain.errors import StationError

PIN_DIGITS = (4, 12)
# scrypt at N=2**14, r=8 takes 16 MiB and some 50 ms a check: slow for a guesser with the
# database file, quick enough for a person signing in.
SCRYPT_N = 2**14
SCRYPT_R = 8
SCRYPT_P = 1
_SALT_BYTES = 16
_KEY_BYTES = 32
# What a stored hash may ask for: the database file is input too, and a planted N=2**30 must
# not take a gigabyte and a minute.
_MAX_N = 2**17
_MAX_R = 16
_MAX_P = 4
_MAX_MEMORY = 2**28
# 20 digits: Code 128 packs digits two to a symbol, so the badge's barcode fits 2 in (or a
# 58 mm roll) at 2 dots a module; and no UID is all digits, so a badge scan is never a tag.
BADGE_DIGITS = 20


def check_pin(pin: str) -> str:
    """``pin`` if it is 4 to 12 ASCII digits; the refusal never repeats it."""
    low, high = PIN_DIGITS
    if not (pin.isascii() and pin.isdigit() and low <= len(pin) <= high):
        raise StationError(f"a PIN is {low} to {high} digits")
    return pin


def hash_pin(pin: str) -> str:
    """``scrypt$N$r$p$salt$key`` (base64), for :func:`pin_matches`."""
    salt = secrets.token_bytes(_SALT_BYTES)
    key = _scrypt(check_pin(pin), salt, SCRYPT_N, SCRYPT_R, SCRYPT_P)
    return "$".join(("scrypt", str(SCRYPT_N), str(SCRYPT_R), str(SCRYPT_P), _b64(salt), _b64(key)))


def pin_matches(pin: str, stored: str) -> bool:
    """Whether ``pin`` is the one ``stored`` was made from; False for a malformed hash."""
    parts = stored.split("$")
    if len(parts) != 6 or parts[0] != "scrypt":
        return False
    try:
        n, r, p = (int(part) for part in parts[1:4])
        salt = base64.b64decode(parts[4], validate=True)
        key = base64.b64decode(parts[5], validate=True)
    except ValueError:
        return False
    if not (1 < n <= _MAX_N and n & (n - 1) == 0 and 0 < r <= _MAX_R and 0 < p <= _MAX_P):
        return False
    if not salt or len(key) != _KEY_BYTES:
        return False
    return hmac.compare_digest(_scrypt(pin, salt, n, r, p), key)


def spend_a_check() -> None:
    """As long as a real check takes: a name that is not on record must not answer faster
    than a wrong PIN does."""
    _scrypt("0000", b"\0" * _SALT_BYTES, SCRYPT_N, SCRYPT_R, SCRYPT_P)


def new_badge_code() -> str:
    """A fresh badge code: 20 random digits."""
    return f"{secrets.randbelow(10**BADGE_DIGITS):0{BADGE_DIGITS}d}"


def is_badge(code: str) -> bool:
    return len(code) == BADGE_DIGITS and code.isascii() and code.isdigit()


def badge_digest(code: str) -> str:
    return hashlib.sha256(code.encode("utf-8")).hexdigest()


def _scrypt(pin: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(
        pin.encode("utf-8"), salt=salt, n=n, r=r, p=p, maxmem=_MAX_MEMORY, dklen=_KEY_BYTES
    )


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")
