"""Whether today's daily backup is still to be written: one query, asked at the start of
every command, so it lives apart from the backup code (and the programs that code loads),
which only the first command of the day needs."""

from __future__ import annotations

import datetime as dt

from station.db.models import BackupRun
from station.services.context import Context


def claim_of(day: dt.date) -> str:
    """The unique claim a station writes before the day's backup, so only one writes it."""
    return f"daily:{day.isoformat()}"


def daily_due(ctx: Context) -> bool:
    if ctx.settings.backups == 0:
        return False
    claimed = BackupRun.select().where(BackupRun.claim == claim_of(ctx.today())).exists()
    return not claimed
