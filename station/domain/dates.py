"""Dates as staff type them and as Metrc files carry them.

Only ASCII digits count: ``strptime`` would also take fullwidth or other scripts' digits,
which no scanner or spreadsheet sends for a real date. No recorded date comes before Metrc
tracked cannabis in California (2017).
"""

from __future__ import annotations

import datetime as dt

from station.domain.errors import StationError
from station.domain.text import show

# ISO first (the command line's form), then Metrc's US form (its CSVs and web UI).
_FORMATS = ("%Y-%m-%d", "%m/%d/%Y")
# California's track-and-trace began in 2017 (CCTT-Metrc went live for licensees in 2018):
# a date before this is a typing or file mistake.
EARLIEST = dt.date(2017, 1, 1)


def parse_date(text: str, what: str = "date") -> dt.date:
    """Parse ``YYYY-MM-DD`` (or Metrc's ``MM/DD/YYYY``); a one-line error names ``what``."""
    value = text.strip()
    if value.isascii():
        for form in _FORMATS:
            try:
                return dt.datetime.strptime(value, form).date()
            except ValueError:
                continue
    raise StationError(f"bad {what} {show(text)}: expected YYYY-MM-DD")


def parse_past_date(text: str, what: str, today: dt.date) -> dt.date:
    """Like :func:`parse_date`, refusing a date after ``today`` (an order cannot be from later)
    or before :data:`EARLIEST`."""
    value = parse_date(text, what)
    if value > today:
        raise StationError(f"bad {what} {value.isoformat()}: it is after today ({today})")
    if value < EARLIEST:
        raise StationError(
            f"bad {what} {value.isoformat()}: it is before {EARLIEST.year}, when Metrc's "
            "tracking began in California"
        )
    return value
