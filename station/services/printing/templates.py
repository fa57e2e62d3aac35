"""Label templates: the bundled ones and the user's (which override bundled ones of the same
name), described for listings and drawn for previews."""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from printers import catalog
from printers.device import TEST_LABEL
from printers.errors import PrinterError
from printers.template import Template
from safefiles import private_folder_made, write_new
from station.domain.errors import StationError
from station.folders import Folders

if TYPE_CHECKING:
    from PIL import Image


@dataclass(frozen=True)
class TemplateInfo:
    """One template as listed: what it is for, or why it cannot be used."""

    name: str
    source: str
    path: Path
    driver: str | None = None
    dpi: int | None = None
    size: str | None = None
    description: str | None = None
    warnings: tuple[str, ...] = ()
    problem: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "source": self.source,
            "path": str(self.path),
            "driver": self.driver,
            "dpi": self.dpi,
            "size": self.size,
            "description": self.description,
            "warnings": list(self.warnings),
            "problem": self.problem,
        }


def load(folders: Folders, name: str) -> Template:
    """The template named ``name``: the user's file of that name, else the bundled one."""
    try:
        return catalog.get(name, folders.templates)
    except PrinterError as exc:
        raise StationError(str(exc)) from None


def describe_all(folders: Folders) -> list[TemplateInfo]:
    """Every template by name; a broken user file is listed with its problem."""
    found = []
    for name, (path, source) in catalog.template_files(folders.templates).items():
        try:
            template = catalog.get(name, folders.templates)
        except PrinterError as exc:
            found.append(TemplateInfo(name, source, path, problem=str(exc)))
            continue
        found.append(
            TemplateInfo(
                name,
                source,
                path,
                template.driver,
                template.dpi,
                f"{template.width / template.dpi:.2f} x {template.height / template.dpi:.2f} in",
                template.description,
                template.warnings,
            )
        )
    return found


def preview(folders: Folders, name: str) -> tuple[Image.Image, Path]:
    """The template drawn with the test label, and the PNG file it was saved to."""
    from printers.render.image import render_label

    template = load(folders, name)
    image = render_label(template, TEST_LABEL)
    folder = folders.previews
    path = folder / f"{name}.png"
    out = io.BytesIO()
    image.save(out, "PNG", dpi=(template.dpi, template.dpi))
    try:
        private_folder_made(folder)
        write_new(path, out.getvalue(), replace=True)
    except OSError as exc:
        raise StationError(f"cannot write {path}: {exc.strerror}") from None
    return image, path
