"""The ``station`` entry point: global options, the commands, and error handling.

Exit status: 0 success; 1 a refused or failed operation (one ``error:`` line, nothing
changed); 2 a usage error.
"""

from __future__ import annotations

import importlib
import sys
import traceback

import click

from station import __version__, settings
from station.cli.state import State
from station.domain.errors import Problems, StationError
from station.services.context import DATABASE_ERRORS, FAILURES, database_failure

# Each command's module loads only when that command runs (or ``--help`` lists them), so a
# scanner loop that starts the station once a tag pays for the one command it uses.
COMMANDS = {
    "assign": "assign:assign",
    "audit": "audit:audit",
    "backup": "records:backup",
    "batch": "batch:batch",
    "check": "check:check",
    "count": "rfid:count",
    "due": "records:due",
    "export": "export:export",
    "facility": "facility:facility",
    "job": "print_:job",
    "jobs": "print_:jobs",
    "metrc": "metrc:metrc",
    "operator": "operator:operator",
    "order": "order:order",
    "print": "print_:print_",
    "printer": "printer:printer",
    "receive": "receive:receive",
    "render": "render:render",
    "replace": "replace:replace",
    "restore": "records:restore",
    "retailid": "retailid:retailid",
    "rfid": "rfid:rfid",
    "states": "states:states",
    "stock": "records:stock",
    "tag": "tags:tag",
    "tags": "tags:tags",
    "unreceive": "receive:unreceive",
    "templates": "render:templates_",
    "void": "void:void",
}


class LazyGroup(click.Group):
    """The top-level group: commands named in :data:`COMMANDS`, imported on first use."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        where = COMMANDS.get(cmd_name)
        if where is None:
            return None
        module, attribute = where.split(":")
        command = getattr(importlib.import_module(f"station.cli.{module}"), attribute)
        assert isinstance(command, click.Command)
        return command


@click.group(
    cls=LazyGroup,
    invoke_without_command=True,
    context_settings={"help_option_names": ["-h", "--help"]},
)
@click.option(
    "--db", "db_url", metavar="URL", help="sqlite:///PATH or postgresql://... (env STATION_DB)."
)
@click.option(
    "--operator",
    metavar="NAME",
    help="Who is working (env STATION_OPERATOR); PIN from env STATION_PIN, or asked.",
)
@click.option(
    "--approve",
    metavar="SUPERVISOR",
    help="A supervisor approves this command (PIN from env STATION_APPROVER_PIN, or asked).",
)
@click.option(
    "--new-database",
    is_flag=True,
    help="Start a new empty database where one this station used is missing.",
)
@click.version_option(__version__, prog_name="station")
@click.pass_context
def cli(
    ctx: click.Context,
    db_url: str | None,
    operator: str | None,
    approve: str | None,
    new_database: bool,
) -> None:
    """Tag Station: Metrc UID tags, from order to printed label.

    With no command, opens the terminal UI.
    """
    # run() reads the settings before the command line is parsed, so a bad one stops
    # every command the same way.
    loaded = ctx.obj if isinstance(ctx.obj, settings.Settings) else settings.load()
    state = State(loaded, db_url, operator, approve, new_database)
    ctx.obj = state
    ctx.call_on_close(state.close)
    if ctx.invoked_subcommand is None:
        from station.ui.app import run_ui  # Textual loads only for the UI.

        run_ui(state.context(daily_backup=False, sign_in=False))


def main() -> None:
    sys.exit(run(sys.argv[1:]))


def run(argv: list[str]) -> int:
    """Run one command line; returns the exit status instead of raising."""
    current: settings.Settings | None = None
    try:
        current = settings.load()
        result = cli.main(args=argv, prog_name="station", standalone_mode=False, obj=current)
    except click.exceptions.Exit as exc:
        return exc.exit_code
    except click.ClickException as exc:
        exc.show()
        return exc.exit_code
    except click.exceptions.Abort:
        _error("aborted")
        return 1
    except FAILURES as exc:
        from station.cli import hints  # loaded only to say a refusal

        _error(hints.message(exc) if isinstance(exc, StationError) else str(exc))
        for line in exc.said_lines(hints.said) if isinstance(exc, Problems) else ():
            click.echo(f"  {line}", err=True)
        return 1
    except DATABASE_ERRORS as exc:
        _error(database_failure(exc))
        return 1
    except BrokenPipeError:
        # The reader (head, less) went away; nothing more to say.
        sys.stderr.close()
        return 1
    except KeyboardInterrupt:
        _error("interrupted")
        return 130
    except Exception as exc:
        if current is not None and current.debug:
            traceback.print_exc()
        _error(f"unexpected {type(exc).__name__}: {exc} (set STATION_DEBUG=1 for details)")
        return 1
    return result if isinstance(result, int) else 0


def _error(text: str) -> None:
    first_line = " ".join(text.split("\n"))
    click.echo(f"error: {first_line}", err=True)
