"""The ``station`` entry point: global options, the commands, and error handling.

Exit status: 0 success; 1 a refused or failed operation (one ``error:`` line, nothing
changed); 2 a usage error.
"""

from __future__ import annotations

import importlib
import sys
import traceback
from typing import TYPE_CHECKING

import click

from station import __version__

if TYPE_CHECKING:
    from station.settings import Settings

# The settings the command line runs with, once its group has read them (for the debug
# switch when something unexpected fails).
_loaded: list[Settings] = []

# Each command's module loads only when that command runs (or ``--help`` lists them), so a
# scanner loop that starts the station once a tag pays for the one command it uses.
# Each command: where it is, and its line in ``station --help`` (its help's first sentence,
# kept here so that listing the commands imports none of them; a test holds the two equal).
COMMANDS: dict[str, tuple[str, str]] = {
    "assign": ("assign:assign", "Assign received tags to packages or plants."),
    "audit": (
        "audit:audit",
        "The audit trail, oldest first: who, when, what, which tags (verify and head: its hash "
        "chain).",
    ),
    "backup": (
        "records:backup",
        "Write a checked, consistent copy of the database to the new FILE (never over an "
        "existing one): an SQLite file, or a pg_dump archive on PostgreSQL.",
    ),
    "batch": ("batch:batch", "Assignment batches: fill in what one lacks before it goes to Metrc."),
    "check": (
        "check:check",
        "Check the database: every page and index, and the tag counts against the tags (exit 1 "
        "when anything is wrong).",
    ),
    "count": (
        "rfid:count",
        "Count a room's tags by RFID against the records (the 30-day reconciliation).",
    ),
    "due": (
        "records:due",
        "Deadlines due or overdue, by each facility's state rules: receipts, orders that never "
        "arrived, Metrc reconciliation, Retail ID codes, uncertain labels; and the deadline "
        "rules not known for a state.",
    ),
    "export": ("export:export", "Files for Metrc's Data Import page and for spreadsheets."),
    "facility": (
        "facility:facility",
        "Facilities: a license number and the name printed on labels.",
    ),
    "job": ("print_:job", "One print job: show, resume or cancel it."),
    "jobs": ("print_:jobs", "Print jobs with their progress; interrupted ones can be resumed."),
    "metrc": ("metrc:metrc", "Reconcile with the Metrc API and push assignments to it."),
    "operator": (
        "operator:operator",
        "The people who work the station, their roles, PINs and badges.",
    ),
    "order": ("order:order", "Tag orders: the ranges Metrc ships to a facility."),
    "print": (
        "print_:print_",
        "Create and run a print job: tag labels, or Retail ID unit labels (--retail-id).",
    ),
    "printer": (
        "printer:printer",
        "Label printers: Zebra (zpl), ESC/POS (escpos), office printers (pdf), images (png).",
    ),
    "receive": (
        "receive:receive",
        "Receive tags that arrived: the range FIRST LAST (two UIDs), one UID, scans on stdin "
        '("-"), or a box read by RFID (--rfid SOURCE).',
    ),
    "render": ("render:render", "Render labels of recorded tags to a file, without a printer."),
    "replace": (
        "replace:replace",
        "Put plant tag NEW on the plant that carried OLD (OLD is retired, never reused).",
    ),
    "restore": (
        "records:restore",
        "Put the backup FILE back in place of the database, keeping the database as it was aside.",
    ),
    "retailid": ("retailid:retailid", "Metrc Retail ID: one QR code per unit of a package here."),
    "rfid": ("rfid:rfid", "RFID readers and tags."),
    "states": (
        "states:states",
        "Each Metrc state's rules (receipt days, reconciliation, order caps, Retail ID, "
        'records, tag prices), each with its source; "not known" where no source states one.',
    ),
    "stock": (
        "records:stock",
        "Tags on hand, on order and used in the last 30 days per facility and type, the days "
        "the ones on hand last at that rate, and the tags to reorder (within the state's "
        "holding cap) with their cost where the state's tag price is known.",
    ),
    "tag": ("tags:tag", "One tag: its facility, order, assignment and full history."),
    "tags": ("tags:tags", "List tags (complete, in UID order)."),
    "templates": (
        "render:templates_",
        "Bundled and user label templates (user ones override bundled ones of the same name).",
    ),
    "unreceive": (
        "receive:unreceive",
        "Take back a receipt recorded by mistake: received tags FIRST LAST (a range), one UID, "
        'or scans on stdin ("-") go back to ordered (used or voided tags are refused).',
    ),
    "void": ("void:void", "Void damaged or lost tags (ordered or received; never used ones)."),
}


class LazyGroup(click.Group):
    """The top-level group: commands named in :data:`COMMANDS`, imported on first use."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The commands and their first sentences from the table: ``station --help`` would
        otherwise import every command (and the printing, Metrc and RFID code under them)."""
        names = self.list_commands(ctx)
        limit = formatter.width - 6 - max(len(name) for name in names)
        with formatter.section("Commands"):
            formatter.write_dl([(name, _short(COMMANDS[name][1], limit)) for name in names])

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        found = COMMANDS.get(cmd_name)
        if found is None:
            return None
        module, attribute = found[0].split(":")
        command = getattr(importlib.import_module(f"station.cli.{module}"), attribute)
        assert isinstance(command, click.Command)
        return command


def _short(text: str, limit: int) -> str:
    """``text`` in at most ``limit`` characters, cut after a word with "..." as click cuts."""
    if len(text) <= limit:
        return text
    return text[: limit - 3].rsplit(" ", 1)[0].rstrip(",;:") + "..."


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
    # Read here, not before the command line is parsed: ``station --help`` needs none of
    # the settings (nor the database code they bring). A bad one stops every command the
    # same way, before it runs.
    from station import settings
    from station.cli.state import State

    loaded = ctx.obj if isinstance(ctx.obj, settings.Settings) else settings.load()
    _loaded[:] = [loaded]
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
    _loaded.clear()
    try:
        result = cli.main(args=argv, prog_name="station", standalone_mode=False)
    except click.exceptions.Exit as exc:
        return exc.exit_code
    except click.ClickException as exc:
        exc.show()
        return exc.exit_code
    except click.exceptions.Abort:
        _error("aborted")
        return 1
    except KeyboardInterrupt:
        _error("interrupted")
        return 130
    except Exception as exc:
        return _failed(exc)
    return result if isinstance(result, int) else 0


def _failed(exc: Exception) -> int:
    """A command that failed: one line saying why (the modules that tell a refusal from a
    database failure load only now, so that listing the commands does not load them)."""
    from station.domain.errors import Problems, StationError
    from station.services.context import DATABASE_ERRORS, FAILURES, database_failure

    if isinstance(exc, FAILURES):
        from station.cli import hints  # loaded only to say a refusal

        _error(hints.message(exc) if isinstance(exc, StationError) else str(exc))
        for line in exc.said_lines(hints.said) if isinstance(exc, Problems) else ():
            click.echo(f"  {line}", err=True)
        return 1
    if isinstance(exc, DATABASE_ERRORS):
        _error(database_failure(exc))
        return 1
    if isinstance(exc, BrokenPipeError):
        # The reader (head, less) went away; nothing more to say.
        sys.stderr.close()
        return 1
    if _loaded and _loaded[0].debug:
        traceback.print_exception(exc)
    _error(f"unexpected {type(exc).__name__}: {exc} (set STATION_DEBUG=1 for details)")
    return 1


def _error(text: str) -> None:
    first_line = " ".join(text.split("\n"))
    click.echo(f"error: {first_line}", err=True)
