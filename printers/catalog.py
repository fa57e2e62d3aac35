"""Finding templates: the bundled ones, overridden by same-named files in a user folder."""

from __future__ import annotations

from pathlib import Path

from printers.errors import TemplateError
from printers.template import Template, load


def bundled_dir() -> Path:
    """``templates/`` of the source tree, or its copy inside an installed wheel."""
    here = Path(__file__).parent
    for candidate in (here / "_templates", here.parent / "templates"):
        if candidate.is_dir():
            return candidate
    raise TemplateError("the bundled templates are missing from this installation")


def template_files(user_dir: Path | None) -> dict[str, tuple[Path, str]]:
    """Template name -> (file, "bundled" or "user"); a user file wins over a bundled one."""
    found = {path.stem: (path, "bundled") for path in sorted(bundled_dir().glob("*.toml"))}
    if user_dir is not None and user_dir.is_dir():
        found.update({path.stem: (path, "user") for path in sorted(user_dir.glob("*.toml"))})
    return found


def get(name: str, user_dir: Path | None = None) -> Template:
    files = template_files(user_dir)
    if name not in files:
        known = ", ".join(sorted(files))
        raise TemplateError(f"no template named {name!r}; known: {known}")
    return load(files[name][0])


def badge_template(driver: str, dpi: int) -> Template:
    """The bundled badge template for a printer language and resolution (``badges/``, kept
    apart from the label templates: a badge carries no tag)."""
    path = bundled_dir() / "badges" / f"{driver}-{dpi}.toml"
    if not path.is_file():
        known = ", ".join(sorted(p.stem for p in (bundled_dir() / "badges").glob("*.toml")))
        raise TemplateError(f"no badge template for {driver} at {dpi} dpi; there are: {known}")
    return load(path)
