"""Dates as staff type them and as Metrc files carry them."""

from __future__ import annotations

import datetime as dt

from station.domain.errors import StationError
from station.domain.text import show

# ISO first (the command line's form), then Metrc's US form (its CSVs and web UI).
_FORMATS = ("%Y-%m-%d", "%m/%d/%Y")


def parse_date(text: str, what: str = "date") -> dt.date:
    """Parse ``YYYY-MM-DD`` (or Metrc's ``MM/DD/YYYY``); a one-line error names ``what``."""
    value = text.strip()
    for form in _FORMATS:
        try:
            return dt.datetime.strptime(value, form).date()
        except ValueError:
            continue
    raise StationError(f"bad {what} {show(text)}: expected YYYY-MM-DD")


def parse_past_date(text: str, what: str, today: dt.date) -> dt.date:
    """Like :func:`parse_date`, refusing a date after ``today`` (an order cannot be from later)."""
    value = parse_date(text, what)
    if value > today:
        raise StationError(f"bad {what} {value.isoformat()}: it is after today ({today})")
    return value
