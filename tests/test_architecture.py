"""The layering the README promises, read from the source itself: the printer layer knows
nothing of the station, the domain and services nothing of Textual, the command line and the
UI go through the services, settings come from one module, and only the drivers know which
printer language is which."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

from printers import drivers

ROOT = Path(__file__).parent.parent


def sources(*folders: str) -> Iterator[tuple[Path, ast.Module]]:
    for folder in folders:
        for path in sorted((ROOT / folder).rglob("*.py")):
            yield path.relative_to(ROOT), ast.parse(path.read_text(), str(path))


def imports(tree: ast.Module) -> Iterator[str]:
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            yield node.module
            yield from (f"{node.module}.{alias.name}" for alias in node.names)


def offenders(folders: tuple[str, ...], banned: tuple[str, ...]) -> list[str]:
    return [
        f"{path}: {name}"
        for path, tree in sources(*folders)
        for name in imports(tree)
        if any(name == ban or name.startswith(ban + ".") for ban in banned)
    ]


@pytest.mark.parametrize(
    ("folders", "banned"),
    [
        (("printers",), ("station",)),
        (("station/domain", "station/services", "station/db", "station/metrc"), ("textual",)),
        (("station/domain",), ("station.db", "station.services", "printers", "peewee")),
        (("station/ui", "station/cli"), ("station.db", "peewee", "printers")),
    ],
)
def test_layers_import_only_what_is_below_them(
    folders: tuple[str, ...], banned: tuple[str, ...]
) -> None:
    assert offenders(folders, banned) == []


def test_only_the_settings_module_reads_the_environment() -> None:
    """printers/environment.py copies the environment for helper programs, less its
    secrets: it passes the variables on and reads none of them as a setting."""
    found = [
        f"{path}:{node.lineno}"
        for path, tree in sources("station", "printers")
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute)
        and node.attr in ("environ", "getenv")
        and isinstance(node.value, ast.Name)
        and node.value.id == "os"
        and path not in (Path("station/settings.py"), Path("printers/environment.py"))
    ]
    assert found == []


def test_no_driver_name_is_compared_outside_the_drivers() -> None:
    """``x == "zpl"``, ``x in ("zpl", ...)``, ``match`` cases: only printers/drivers/ may."""

    def named(node: ast.expr) -> bool:
        if isinstance(node, ast.Constant):
            return node.value in drivers.NAMES
        if isinstance(node, ast.Tuple | ast.List | ast.Set):
            return any(named(item) for item in node.elts)
        return False

    found = []
    for path, tree in sources("station", "printers"):
        if path.parts[:2] == ("printers", "drivers") or "migrations" in path.parts:
            continue
        for node in ast.walk(tree):
            compared = ([node.left, *node.comparators] if isinstance(node, ast.Compare) else []) + (
                [node.value] if isinstance(node, ast.MatchValue) else []
            )
            if any(named(side) for side in compared):
                found.append(f"{path}:{getattr(node, 'lineno', '?')}")
    assert found == []


def test_no_state_is_spelled_out_in_the_services() -> None:
    """Tag, job and label states are the enums of station.domain.states, not bare words."""
    from station.domain import states

    words = {
        member.value
        for enum in (states.TagStatus, states.JobState, states.ItemState)
        for member in enum
    } - {"done"}  # also an ordinary word in messages and report keys

    def spelled(node: ast.expr) -> list[str]:
        if isinstance(node, ast.Constant) and node.value in words:
            return [str(node.value)]
        if isinstance(node, ast.Tuple | ast.List | ast.Set):
            return [word for item in node.elts for word in spelled(item)]
        return []

    found = [
        f"{path}:{node.lineno} {word}"
        for path, tree in sources("station/services", "station/cli", "station/ui")
        for node in ast.walk(tree)
        if isinstance(node, ast.Compare)
        for side in (node.left, *node.comparators)
        for word in spelled(side)
    ]
    assert found == []
