"""What the global options give every command: the settings, and a lazily opened service
context."""

from __future__ import annotations

from dataclasses import dataclass, field

import click

from station.cli.output import warn
from station.folders import Folders
from station.services import backup_due
from station.services.context import Context, open_context
from station.settings import Settings


@dataclass
class State:
    settings: Settings
    db_url: str | None
    operator: str | None
    folders: Folders = field(default_factory=Folders.for_user)
    _context: Context | None = field(default=None, init=False)

    def context(self, daily_backup: bool = True) -> Context:
        """Open (and migrate) the database on first use, so ``--help`` never touches it; the
        first command of the day writes the day's backup first (unless ``daily_backup`` is
        false: the backup commands themselves, and the UI, which writes it in the background)."""
        if self._context is None:
            self._context = open_context(self.settings, self.folders, self.db_url, self.operator)
            if daily_backup and backup_due.daily_due(self._context):
                # The backup code (and what it loads) only for the day's first command.
                from station.services import backups

                made = backups.daily(self._context)
                if made.error:
                    warn(made.error)
        return self._context

    def close(self) -> None:
        """Let go of the database when the command ends (a restore in the same process,
        as the tests run commands, must find no other connection open)."""
        if self._context is not None and not self._context.db.is_closed():
            self._context.db.close()


pass_state = click.make_pass_decorator(State)
