"""What the global options give every command: a lazily opened service context."""

from __future__ import annotations

from dataclasses import dataclass, field

import click

from station.db.connection import default_url, open_database
from station.services.context import Context


@dataclass
class State:
    db_url: str | None
    operator: str | None
    _context: Context | None = field(default=None, init=False)

    @property
    def url(self) -> str:
        return self.db_url or default_url()

    def context(self) -> Context:
        """Open (and migrate) the database on first use, so ``--help`` never touches it."""
        if self._context is None:
            database = open_database(self.url)
            self._context = Context(database)
            if self.operator:
                self._context.operator = self.operator
        return self._context


pass_state = click.make_pass_decorator(State)
