"""Rendering labels of recorded tags to a file, without a printer."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from printers import drivers
from printers.errors import PrinterError
from safefiles import write_new
from station.domain.errors import StationError, give
from station.domain.text import a_or_an
from station.services.context import Context
from station.services.printing import labels, templates

# Each printer language's own files.
FORMATS = drivers.NAMES


def numbered(path: Path, count: int) -> list[Path]:
    """``label-0001.png``, ``label-0002.png``... beside ``label.png``."""
    return [path.with_name(f"{path.stem}-{n:04d}{path.suffix}") for n in range(1, count + 1)]


def render(
    ctx: Context,
    uids: Sequence[str],
    template_name: str,
    fmt: str,
    output: Path,
    copies: int = 1,
    force: bool = False,
) -> list[Path]:
    """Write labels for ``uids`` to ``output`` (never over an existing file unless ``force``,
    and never through a link); returns the files written."""
    if fmt not in FORMATS:
        raise StationError(f"unknown format {fmt!r}: use {', '.join(FORMATS)}")
    chosen = templates.load(ctx.folders, template_name)
    language = drivers.get(fmt)
    if not language.renders(chosen):
        raise StationError(
            f"template {chosen.name} is {a_or_an(chosen.driver)} template; it cannot render {fmt}"
        )
    views = [view for _, view in labels.printable(ctx, uids)]
    labels.refuse_other_tag_types(chosen, views)
    found = [labels.label_for(view) for view in views]
    if not output.parent.is_dir():
        raise StationError(f"no such folder: {output.parent}")
    try:
        files = language.files(chosen, found, copies)
    except PrinterError as exc:
        raise StationError(str(exc)) from None
    targets = [output] if len(files) == 1 else numbered(output, len(files))
    taken = next((path for path in targets if os.path.lexists(path)), None)
    if taken is not None and not force:
        raise StationError(
            f"{taken} already exists; ", give("force", verb="give"), " to replace it"
        )
    for target, data in zip(targets, files, strict=True):
        write_output(target, data, force)
    return targets


def write_output(target: Path, data: bytes, force: bool = False) -> None:
    """A new private file (never through a link; over an old one only with ``force``)."""
    try:
        write_new(target, data, replace=force)
    except FileExistsError:
        raise StationError(
            f"{target} already exists; ", give("force", verb="give"), " to replace it"
        ) from None
    except OSError as exc:
        raise StationError(f"cannot write {target}: {exc.strerror}") from None
