"""Rendering labels of recorded tags to a file, without a printer."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from printers.errors import PrinterError
from printers.render import escpos, image, zpl
from station.domain.errors import StationError
from station.domain.uid import UidRange
from station.services import printers, tags
from station.services.context import Context
from station.services.labels import label_for

FORMATS = ("zpl", "escpos", "png", "pdf")
PRINTABLE = ("received", "used")


def tags_to_print(ctx: Context, uids: Sequence[str]) -> list[tags.TagView]:
    """The tags behind ``uids``; only received and used tags get labels."""
    views = []
    for uid in dict.fromkeys(uids):
        view = tags.get_tag(ctx, uid)
        if view.status not in PRINTABLE:
            raise StationError(f"{uid} is {view.status}; only received and used tags get labels")
        views.append(view)
    return views


def range_uids(ctx: Context, first: str, last: str) -> list[str]:
    """The UIDs of ``first..last`` that are on record; all of them must be."""
    rng = UidRange.between(first, last)
    wanted = list(rng)
    for uid in wanted:
        tags.get_tag(ctx, uid)  # raises for a UID on no order
    return wanted


def render(
    ctx: Context,
    uids: Sequence[str],
    template_name: str,
    fmt: str,
    output: Path,
    copies: int = 1,
) -> list[Path]:
    """Write labels for ``uids`` to ``output``; returns the files written."""
    if fmt not in FORMATS:
        raise StationError(f"unknown format {fmt!r}: use {', '.join(FORMATS)}")
    chosen = printers.template(template_name)
    if fmt in ("zpl", "escpos") and chosen.driver != fmt:
        raise StationError(
            f"template {chosen.name} is a {chosen.driver} template; it cannot render {fmt}"
        )
    labels = [label_for(view) for view in tags_to_print(ctx, uids)]
    if not output.parent.is_dir():
        raise StationError(f"no such folder: {output.parent}")
    try:
        if fmt == "zpl":
            output.write_bytes(
                b"".join(zpl.render_label(chosen, label, copies) for label in labels)
            )
            return [output]
        if fmt == "escpos":
            output.write_bytes(escpos.render(chosen, labels, copies))
            return [output]
        if fmt == "pdf":
            image.write_pdf(chosen, [label for label in labels for _ in range(copies)], output)
            return [output]
        return image.write_png(chosen, labels, output)
    except PrinterError as exc:
        raise StationError(str(exc)) from None
    except OSError as exc:
        raise StationError(f"cannot write {output}: {exc.strerror}") from None
