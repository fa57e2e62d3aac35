"""Checks for free-text fields typed by staff or read from files."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from station.domain.errors import StationError
from station.domain.text import has_control, show


def text(value: str | None, what: str, max_length: int, required: bool = True) -> str | None:
    """Stripped ``value``; refuses empty (when required), control characters and overlong text."""
    if value is None or not value.strip():
        if required:
            raise StationError(f"{what} is empty")
        return None
    cleaned = value.strip()
    if has_control(cleaned):
        raise StationError(f"{what} {show(cleaned)} contains a control character")
    if len(cleaned) > max_length:
        raise StationError(f"{what} is {len(cleaned):,} characters long; at most {max_length:,}")
    return cleaned


def required_text(value: str | None, what: str, max_length: int) -> str:
    result = text(value, what, max_length)
    assert result is not None  # text() raised for an empty required field
    return result


# Who did something, as every audit event and message shows it: letters (any script),
# digits, spaces and . _ - ' @, starting with a letter, digit or _ (as login names may).
NAME_LENGTH = 64
_NAME = re.compile(r"^\w[\w .'@-]*$")


def person_name(value: str, what: str = "operator name") -> str:
    """A person's name as the audit trail records it; refused outside :data:`_NAME`."""
    name = value.strip()
    if not name or len(name) > NAME_LENGTH or not _NAME.match(name) or has_control(name):
        raise StationError(
            f"bad {what} {show(name)}: use up to {NAME_LENGTH} letters, digits, spaces and "
            ". _ - ' @, starting with a letter, digit or _"
        )
    return name


# Quantities are kept with 14 digits, 4 of them after the point.
QUANTITY_LIMIT = Decimal(10) ** 10


def positive_decimal(value: str, what: str) -> Decimal:
    try:
        if len(value) > 40:
            raise InvalidOperation
        number = Decimal(value.strip())
    except InvalidOperation:
        raise StationError(f"bad {what} {show(value)}: expected a number") from None
    if not number.is_finite() or number <= 0:
        raise StationError(f"bad {what} {show(value)}: it must be more than 0")
    if number >= QUANTITY_LIMIT:
        raise StationError(f"bad {what} {show(value)}: it must be under {QUANTITY_LIMIT:,}")
    if number != number.quantize(Decimal("0.0001")):
        raise StationError(f"bad {what} {show(value)}: at most 4 decimal places")
    return number
