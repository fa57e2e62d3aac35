"""What the global options give every command: the settings, and a lazily opened service
context."""

from __future__ import annotations

from dataclasses import dataclass, field

import click

from station.folders import Folders
from station.services.context import Context, open_context
from station.settings import Settings


@dataclass
class State:
    settings: Settings
    db_url: str | None
    operator: str | None
    folders: Folders = field(default_factory=Folders.for_user)
    _context: Context | None = field(default=None, init=False)

    def context(self) -> Context:
        """Open (and migrate) the database on first use, so ``--help`` never touches it."""
        if self._context is None:
            self._context = open_context(self.settings, self.folders, self.db_url, self.operator)
        return self._context


pass_state = click.make_pass_decorator(State)
