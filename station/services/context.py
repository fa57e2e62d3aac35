"""What every service call needs: the open database, who is acting, and the clock."""

from __future__ import annotations

import datetime as dt
import getpass
import os
from collections.abc import Callable
from dataclasses import dataclass, field

from peewee import Database


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def default_operator() -> str:
    """``STATION_OPERATOR``, else the login name, so every change names a person."""
    name = os.environ.get("STATION_OPERATOR", "").strip()
    if name:
        return name
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


@dataclass
class Context:
    db: Database
    operator: str = field(default_factory=default_operator)
    clock: Callable[[], dt.datetime] = utc_now

    def now(self) -> dt.datetime:
        """Now in UTC, as stored (naive UTC, the same on SQLite and PostgreSQL)."""
        return self.clock().astimezone(dt.UTC).replace(tzinfo=None)

    def today(self) -> dt.date:
        """The station's local calendar date (order dates and receipt deadlines use it)."""
        return self.clock().astimezone().date()
