"""``station render`` and ``station templates``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from printers import catalog
from printers.errors import PrinterError
from station.cli.output import FORMATS, emit, message, warn_all
from station.cli.scans import uids_from_args
from station.cli.state import State, pass_state
from station.services import printers, rendering


@click.command()
@click.argument("uids", nargs=-1, metavar="UID...")
@click.option("--range", "range_", nargs=2, metavar="FIRST LAST", help="Every tag FIRST..LAST.")
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
@pass_state
def render(
    state: State,
    uids: tuple[str, ...],
    range_: tuple[str, str] | None,
    template_name: str,
    fmt: str,
    output: Path,
    copies: int,
) -> None:
    """Render labels of recorded tags to a file, without a printer."""
    if bool(uids) == bool(range_):
        raise click.UsageError("give UIDs or --range FIRST LAST, not both")
    ctx = state.context()
    if range_:
        first, last = uids_from_args(range_)
        wanted = rendering.range_uids(ctx, first, last)
    else:
        wanted = uids_from_args(uids)
    written = rendering.render(ctx, wanted, template_name, fmt, output, copies)
    warn_all(list(printers.template(template_name).warnings))
    message(
        f"wrote {len(wanted):,} labels to "
        + (str(written[0]) if len(written) == 1 else f"{written[0]} ... {written[-1]}")
    )


@click.command()
@click.option("--format", "fmt", type=FORMATS, default="table", show_default=True)
def templates(fmt: str) -> None:
    """Bundled and user label templates (user ones override bundled ones of the same name)."""
    user_dir = printers.user_templates_dir()

    def rows() -> Any:
        for name, (path, source) in catalog.template_files(user_dir).items():
            row: dict[str, Any] = {"name": name, "source": source, "path": str(path)}
            try:
                chosen = catalog.get(name, user_dir)
            except PrinterError as exc:
                yield {**row, "problem": str(exc)}
                continue
            yield {
                **row,
                "driver": chosen.driver,
                "dpi": chosen.dpi,
                "size": f"{chosen.width / chosen.dpi:.2f} x {chosen.height / chosen.dpi:.2f} in",
                "description": chosen.description,
                "warnings": list(chosen.warnings),
                "problem": None,
            }

    emit(
        rows(),
        fmt,
        ["name", "source", "driver", "dpi", "size", "description", "problem"]
        if fmt == "table"
        else [
            "name",
            "source",
            "driver",
            "dpi",
            "size",
            "description",
            "warnings",
            "problem",
            "path",
        ],
    )
    message(f"user templates folder: {user_dir}")
