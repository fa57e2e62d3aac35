"""The layering ARCHITECTURE.md draws, read from the source itself: the printer layer knows
nothing of the station, the domain and services nothing of Textual, the command line and the
UI go through the services, settings come from one module, and only the drivers know which
printer language is which."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from printers import drivers

ROOT = Path(__file__).parents[2]


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


def offenders(
    folders: tuple[str, ...],
    banned: tuple[str, ...],
    planted: tuple[tuple[Path, ast.Module], ...] = (),
) -> list[str]:
    return [
        f"{path}: {name}"
        for path, tree in (*sources(*folders), *planted)
        for name in imports(tree)
        if any(name == ban or name.startswith(ban + ".") for ban in banned)
    ]


S = "station.services"
# Who may not import what (ARCHITECTURE.md draws it). Bottom up: safefiles (writing files
# safely) and printers (label bytes, printer connections) know nothing of the station; the
# domain is plain rules and types; db, metrc (the HTTP client) and devices are the station's
# edges; the services go by workflow, records and people below tags, tags below metrc, and
# printing (which reads tags and Retail ID units) above those, RFID (which receives and
# counts tags) beside printing; the home screen's summary
# reads every workflow and none reads it; the UI and the command line come last, through the
# services only.
RULES: list[tuple[tuple[str, ...], tuple[str, ...]]] = [
    (("safefiles",), ("station", "printers", "peewee")),
    (("printers",), ("station", "peewee", "textual")),
    (
        ("station/domain",),
        (
            "station.db",
            "station.services",
            "station.metrc",
            "station.devices",
            "printers",
            "peewee",
            "safefiles",
        ),
    ),
    (
        ("station/db", "station/metrc", "station/devices"),
        ("station.services", "station.ui", "station.cli", "textual", "click"),
    ),
    (("station/metrc", "station/devices"), ("station.db", "peewee")),
    (("station/services",), ("textual", "click", "station.ui", "station.cli", "station.devices")),
    (("station/services/records",), (f"{S}.printing", f"{S}.metrc", f"{S}.home", f"{S}.rfid")),
    (("station/services/people",), (f"{S}.tags", f"{S}.metrc", f"{S}.home", f"{S}.rfid")),
    (("station/services/tags",), (f"{S}.printing", f"{S}.metrc", f"{S}.home", f"{S}.rfid")),
    (("station/services/rfid",), (f"{S}.printing", f"{S}.metrc", f"{S}.home")),
    (("station/services/metrc",), (f"{S}.printing", f"{S}.home")),
    (("station/services/printing",), (f"{S}.home",)),
    (("station/ui", "station/cli"), ("station.db", "peewee", "printers", "safefiles")),
    (("station/ui",), ("click", "station.cli")),
    (
        ("station/states",),
        (
            "station.db",
            "station.services",
            "station.ui",
            "station.cli",
            "peewee",
            "textual",
            "click",
        ),
    ),
]


@pytest.mark.parametrize(("folders", "banned"), RULES)
def test_layers_import_only_what_is_below_them(
    folders: tuple[str, ...], banned: tuple[str, ...]
) -> None:
    assert offenders(folders, banned) == []


@pytest.mark.parametrize(("folders", "banned"), RULES)
def test_each_rule_catches_a_planted_import(
    folders: tuple[str, ...], banned: tuple[str, ...]
) -> None:
    """Each banned import, planted in each folder a rule covers (at the top, and inside a
    function, where the station defers slow imports), is found."""
    for folder in folders:
        for ban in banned:
            for source in (f"import {ban}", f"def f() -> None:\n    from {ban} import x"):
                planted = ((Path(folder) / "planted.py", ast.parse(source)),)
                assert f"{folder}/planted.py: {ban}" in offenders((), banned, planted), source


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
    assert found == [], found


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
    assert found == [], found


def test_no_state_is_spelled_out_in_the_services() -> None:
    """Tag, job and label states are the enums of station.domain.states, not bare words,
    whether compared or used as a key."""
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

    def compared_or_looked_up(node: ast.expr) -> list[ast.expr]:
        """The sides of a comparison, and the key of a look-up (``counts["ordered"]``)."""
        if isinstance(node, ast.Compare):
            return [node.left, *node.comparators]
        if isinstance(node, ast.Subscript):
            return [node.slice]
        return []

    found = [
        f"{path}:{node.lineno} {word}"
        for path, tree in sources("station/services", "station/cli", "station/ui")
        for node in ast.walk(tree)
        if isinstance(node, ast.expr)
        for side in compared_or_looked_up(node)
        for word in spelled(side)
    ]
    assert found == [], found


def test_no_service_message_names_a_flag() -> None:
    """What a person can do is a hint in the message (station.domain.errors), which the
    command line says as options and the UI as its fields and keys; a service's own text
    never names an option (docstrings aside: they are for whoever reads the code)."""
    flag = re.compile(r"(?<![\w-])--[a-z]")
    found = []
    for path, tree in sources("station/services"):
        # Strings standing alone as statements: docstrings, of modules, classes, functions
        # and attributes.
        documented = {
            id(node.value)
            for node in ast.walk(tree)
            if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)
        }
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Constant)
                and isinstance(node.value, str)
                and id(node) not in documented
                and flag.search(node.value)
            ):
                found.append(f"{path}:{node.lineno} {node.value!r}")
    assert found == [], found


def test_a_message_is_said_in_each_front_ends_terms() -> None:
    """One refusal with a hint: options on the command line, fields and keys in the UI."""
    from station.cli import hints as cli
    from station.domain.errors import REPRINT, StationError, give_one, run
    from station.ui import hints as ui

    error = StationError("1A4 already printed (job 3); to print again, ", REPRINT)
    said = "1A4 already printed (job 3); to print again, give --reprint --reason TEXT"
    assert cli.message(error) == said
    assert "--" not in ui.message(error) and "Reprint" in ui.message(error)
    choice = StationError("nothing to change: ", give_one("type", "order-date", verb="give"))
    assert cli.message(choice) == "nothing to change: give --type or --order-date"
    assert ui.message(choice) == "nothing to change: give the type or the order date"
    resume = StationError("resolve them first: ", run("job resume 3", "uncertain=reprint|skip"))
    said = "resolve them first: station job resume 3 --uncertain reprint|skip"
    assert cli.message(resume) == said
    assert ui.message(resume) == "resolve them first: the print queue (F4)"


def test_no_private_module_of_a_library_is_imported() -> None:
    """``textual._time`` and the like change without notice between releases."""
    found = [
        f"{path}: {name}"
        for path, tree in sources("station", "printers", "safefiles")
        for name in imports(tree)
        if not name.startswith(("station", "printers", "safefiles"))
        and any(part.startswith("_") and not part.startswith("__") for part in name.split("."))
    ]
    assert found == [], found


def test_front_ends_get_no_model_rows() -> None:
    """Every service function the UI or the command line calls answers with plain values or
    view objects, never a peewee row (whose attributes would reach the database)."""
    import dataclasses
    import importlib
    import importlib.util
    import inspect

    from station.db import models

    rows = {
        name
        for name, value in vars(models).items()
        if isinstance(value, type) and issubclass(value, models.BaseModel)
    }
    called: set[tuple[str, str]] = set()
    for _, tree in sources("station/ui", "station/cli"):
        modules: dict[str, str] = {}
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith(S):
                package = importlib.import_module(str(node.module))
                for alias in node.names:
                    full = f"{node.module}.{alias.name}"
                    if hasattr(package, "__path__") and importlib.util.find_spec(full):
                        modules[alias.asname or alias.name] = full
                    else:
                        called.add((str(node.module), alias.name))
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Attribute)
                and isinstance(node.value, ast.Name)
                and node.value.id in modules
            ):
                called.add((modules[node.value.id], node.attr))
    found = []
    for module, name in sorted(called):
        function = getattr(importlib.import_module(module), name, None)
        if not inspect.isfunction(function):
            continue
        answer = str(inspect.signature(function).return_annotation)
        # The answer's own words, and those of the fields of the dataclasses it names.
        words = set(re.findall(r"\w+", answer))
        for word in list(words):
            named = function.__globals__.get(word)
            if dataclasses.is_dataclass(named):
                for each in dataclasses.fields(named):
                    words |= set(re.findall(r"\w+", str(each.type)))
        if rows & words:
            found.append(f"{module}.{name} -> {answer}")
    assert len(called) > 100, "the front ends' calls were not found"
    assert found == [], found
