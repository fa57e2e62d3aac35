"""Moments as the station keeps and shows them: stored in UTC (naive in the database, so
every backend agrees); shown to people in the station's local time zone; written to files
(JSON, CSV) in ISO 8601 with their offset, so another system reads them unambiguously."""

from __future__ import annotations

import datetime as dt


def utc(moment: dt.datetime) -> dt.datetime:
    """A stored moment (naive UTC) as an aware UTC datetime."""
    return moment.replace(tzinfo=dt.UTC) if moment.tzinfo is None else moment


def iso(moment: dt.datetime) -> str:
    """For files and other systems: ISO 8601 with the offset, to the second."""
    return utc(moment).isoformat(timespec="seconds")


def day_start(day: dt.date, later: int = 0) -> dt.datetime:
    """The stored (naive UTC) moment the station-local ``day`` (plus ``later`` days) begins."""
    local = dt.datetime.combine(day + dt.timedelta(days=later), dt.time()).astimezone()
    return local.astimezone(dt.UTC).replace(tzinfo=None)


def text(value: object) -> str:
    """Any value as text for a file: a moment in ISO 8601 with its offset."""
    return iso(value) if isinstance(value, dt.datetime) else str(value)


def local(moment: dt.datetime) -> str:
    """For people: the station's local date and time, with the zone's name."""
    return utc(moment).astimezone().strftime("%Y-%m-%d %H:%M:%S %Z")
