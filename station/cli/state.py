"""What the global options give every command: the settings, and a lazily opened service
context."""

from __future__ import annotations

import sys
from dataclasses import dataclass, field

import click

from station.cli.output import warn
from station.domain.errors import StationError
from station.folders import Folders
from station.services.context import Context, open_context
from station.services.records import backup_due
from station.settings import Settings


@dataclass
class State:
    settings: Settings
    db_url: str | None
    operator: str | None
    approve: str | None = None
    new_database: bool = False
    folders: Folders = field(default_factory=Folders.for_user)
    _context: Context | None = field(default=None, init=False)

    def context(
        self, daily_backup: bool = True, sign_in: bool = True, damaged_ok: bool = False
    ) -> Context:
        """Open (and migrate) the database on first use, so ``--help`` never touches it, and
        sign the operator in once the station has operators (not for the UI, which has its
        own sign-in screen); the first command of the day writes the day's backup first
        (unless ``daily_backup`` is false: the backup commands themselves, and the UI, which
        writes it in the background)."""
        if self._context is None:
            opened = open_context(
                self.settings,
                self.folders,
                self.db_url,
                self.operator,
                damaged_ok,
                new_ok=self.new_database or damaged_ok,
            )
            # The command's service calls use this database, whatever else the process
            # opens (a test runs commands beside a UI) and after it (the binding ends with
            # the command).
            click.get_current_context().with_resource(opened.bound())
            if sign_in:
                try:
                    self._sign_in(opened)
                    _check_role(opened)
                except BaseException:
                    # Refused: let go of the file now, not whenever the collector gets to
                    # it (a restore that follows must find no other connection open).
                    opened.db.close()
                    raise
            self._context = opened
            if daily_backup and backup_due.daily_due(self._context):
                # The backup code (and what it loads) only for the day's first command.
                from station.services.records import backups

                made = backups.daily(self._context)
                if made.error:
                    warn(made.error)
        return self._context

    def _sign_in(self, ctx: Context) -> None:
        """``--operator``/``STATION_OPERATOR`` with ``STATION_PIN`` or a PIN typed at the
        prompt; with ``--approve``, that supervisor's PIN too."""
        from station.services.people import roles

        if not roles.has_operators(ctx):
            if self.approve is not None:
                raise StationError("--approve: the station has no operators yet")
            return
        # Signing in (and the audit trail it writes to) loads only where people sign in.
        from station.services.people import operators

        name = self.operator or self.settings.operator
        if not name:
            raise StationError(
                "the station has operators: say who you are with --operator NAME or "
                "STATION_OPERATOR (and STATION_PIN)"
            )
        pin = self.settings.pin or _ask_pin(f"PIN for {name}", "STATION_PIN")
        operators.act_as(ctx, operators.sign_in(ctx, name, pin))
        if self.approve is not None:
            pin = self.settings.approver_pin or _ask_pin(
                f"PIN of {self.approve} (approving)", "STATION_APPROVER_PIN"
            )
            ctx.approver = operators.approve(ctx, self.approve, pin)

    def close(self) -> None:
        """Let go of the database when the command ends (a restore in the same process,
        as the tests run commands, must find no other connection open)."""
        if self._context is not None and not self._context.db.is_closed():
            self._context.db.close()


pass_state = click.make_pass_decorator(State)


def _check_role(ctx: Context) -> None:
    """Refuse the running command unless the one signed in may run it (the table in
    station.services.people.roles), before it reads or changes anything."""
    from station.services.people import roles

    command = click.get_current_context(silent=True)
    if command is None or command.parent is None:
        return  # the terminal UI: its own sign-in, and the services' checks
    path = command.command_path.split(" ", 1)[1]
    roles.require_for_command(ctx, path, command.params)


def _ask_pin(prompt: str, variable: str) -> str:
    """A PIN typed at the terminal, not shown; without a terminal, the variable must give it."""
    if not (sys.stdin.isatty() and sys.stderr.isatty()):
        raise StationError(f"no PIN: set {variable}, or run at a terminal to be asked for it")
    pin: str = click.prompt(prompt, hide_input=True, err=True)
    return pin
