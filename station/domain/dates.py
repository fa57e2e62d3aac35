"""Dates as staff type them and as Metrc files carry them.

Only ASCII digits count: ``strptime`` would also take fullwidth or other scripts' digits,
which no scanner or spreadsheet sends for a real date. No recorded date comes before Metrc
tracked cannabis in California (2017).
"""

from __future__ import annotations

import calendar
import datetime as dt
import re

from station.domain.errors import StationError
from station.domain.text import show

# ISO first (the command line's form), then Metrc's US form (its CSVs and web UI).
_FORMATS = ("%Y-%m-%d", "%m/%d/%Y")
# California's track-and-trace began in 2017 (CCTT-Metrc went live for licensees in 2018):
# a date before this is a typing or file mistake.
EARLIEST = dt.date(2017, 1, 1)
# The two forms' numbers, to say which one is wrong in a date shaped right.
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_US = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")


def parse_date(text: str, what: str = "date") -> dt.date:
    """Parse ``YYYY-MM-DD`` (or Metrc's ``MM/DD/YYYY``); a one-line error names ``what``."""
    value = text.strip()
    if value.isascii():
        for form in _FORMATS:
            try:
                return dt.datetime.strptime(value, form).date()
            except ValueError:
                continue
    raise StationError(f"bad {what} {show(text)}: {_wrong(value)}")


def _wrong(value: str) -> str:
    """What is wrong with a date: its month or day when it has a date's shape."""
    if not value.isascii():
        return "expected YYYY-MM-DD"
    iso, us = _ISO.match(value), _US.match(value)
    if iso is None and us is None:
        return "expected YYYY-MM-DD"
    year, month, day = (
        (int(iso[1]), int(iso[2]), int(iso[3]))
        if iso is not None
        else (int(us[3]), int(us[1]), int(us[2]))  # type: ignore[index]
    )
    form = "" if iso is not None else " (Metrc's form is MM/DD/YYYY)"
    if not 1 <= month <= 12:
        return f"there is no month {month}{form}"
    days = calendar.monthrange(year, month)[1]
    return f"{calendar.month_name[month]} {year} has days 1 to {days}, not {day}{form}"


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
