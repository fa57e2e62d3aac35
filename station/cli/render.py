"""``station render`` and ``station templates``."""

from __future__ import annotations

from pathlib import Path

import click

from station.cli.output import FORMATS, emit, message, warn_all
from station.cli.scans import range_from_args, uids_from_args
from station.cli.state import State, pass_state
from station.domain.text import plural
from station.services.printing import labels, rendering, templates


@click.command()
@click.argument("uids", nargs=-1, metavar="UID...")
@click.option(
    "--range", "range_", nargs=2, metavar="FIRST LAST", help="Every tag from FIRST to LAST."
)
@click.option(
    "--template", "template_name", required=True, help="Template name (station templates)."
)
@click.option("--format", "fmt", type=click.Choice(rendering.FORMATS), required=True)
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path),
    required=True,
    help="File to write (numbered files for several PNG labels).",
)
@click.option("--copies", type=click.IntRange(1, 100), default=1, show_default=True)
@click.option("--force", is_flag=True, help="Replace files that already exist.")
@pass_state
def render(
    state: State,
    uids: tuple[str, ...],
    range_: tuple[str, str] | None,
    template_name: str,
    fmt: str,
    output: Path,
    copies: int,
    force: bool,
) -> None:
    """Render labels of recorded tags to a file, without a printer."""
    if bool(uids) == bool(range_):
        raise click.UsageError("give UIDs or --range FIRST LAST, not both")
    ctx = state.context()
    wanted = labels.uids_to_print(ctx, uids_from_args(uids), range_from_args(range_))
    written = rendering.render(ctx, wanted, template_name, fmt, output, copies, force)
    warn_all(list(templates.load(ctx.folders, template_name).warnings))
    message(
        f"wrote {plural(len(wanted), 'label')} to "
        + (str(written[0]) if len(written) == 1 else f"{written[0]} ... {written[-1]}")
    )


@click.command("templates")
@click.option("--format", "fmt", type=FORMATS, default="table", show_default=True)
@pass_state
def templates_(state: State, fmt: str) -> None:
    """Bundled and user label templates (user ones override bundled ones of the same name)."""
    folders = state.folders
    columns = ["name", "source", "driver", "dpi", "size", "description", "problem"]
    if fmt != "table":
        columns[-1:] = ["warnings", "problem", "path"]
    emit((info.as_dict() for info in templates.describe_all(folders)), fmt, columns)
    message(f"user templates folder: {folders.templates}")
