"""Checks for free-text fields typed by staff or read from files."""

from __future__ import annotations

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
        raise StationError(f"{what} is {len(cleaned)} characters long; at most {max_length}")
    return cleaned


def required_text(value: str | None, what: str, max_length: int) -> str:
    result = text(value, what, max_length)
    assert result is not None  # text() raised for an empty required field
    return result


def positive_decimal(value: str, what: str) -> Decimal:
    try:
        number = Decimal(value.strip())
    except InvalidOperation:
        raise StationError(f"bad {what} {show(value)}: expected a number") from None
    if not number.is_finite() or number <= 0:
        raise StationError(f"bad {what} {show(value)}: it must be more than 0")
    if number != number.quantize(Decimal("0.0001")):
        raise StationError(f"bad {what} {show(value)}: at most 4 decimal places")
    return number
