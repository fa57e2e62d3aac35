"""Start-up: scanner loops and scripts start ``station`` once a tag, so a command loads only
what it uses. Each case runs a real ``station`` process on a real SQLite file and lists the
modules it loaded."""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from pathlib import Path

import click
import pytest

from station.cli.main import COMMANDS, cli

# Printer languages, images, the PostgreSQL driver, the Metrc client's HTTP library and the
# terminal UI: none of them has any part in reading the database.
UID = "1A4060300003C3D000000001"
HEAVY = ("escpos", "PIL", "psycopg2", "httpx", "textual", "barcode", "serial", "yaml")

# Runs one command line in a fresh interpreter, then reports the top-level modules loaded.
PROBE = """
import json, sys
from station.cli.main import run
status = run(sys.argv[1:])
sys.stdout.flush()
print(json.dumps([status, sorted({name.split(".")[0] for name in sys.modules})]), file=sys.stderr)
"""


def recorded(tmp_path: Path) -> None:
    """A database with a facility and one received tag, made by ordinary ``station`` runs
    (the first start of a new database migrates it, which loads more: that happens once)."""
    station = [sys.executable, "-m", "station", "--db", f"sqlite:///{tmp_path / 'station.db'}"]
    env = {**os.environ, "STATION_DATA": str(tmp_path / "data"), "STATION_BACKUPS": "0"}
    for argv in (
        ["facility", "add", "C11-0000001-LIC", "Probe Farms"],
        ["order", "add", "--license", "C11-0000001-LIC", "--type", "package",
         "--first", UID, "--count", "1", "--order-date", "2026-11-20"],
        ["receive", UID],
    ):  # fmt: skip
        subprocess.run([*station, *argv], env=env, check=True, capture_output=True)


def loaded_by(tmp_path: Path, *argv: str) -> tuple[int, set[str], str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("STATION_", "METRC_"))
    }
    env |= {
        "STATION_DB": f"sqlite:///{tmp_path / 'station.db'}",
        "STATION_DATA": str(tmp_path / "data"),
        "STATION_BACKUPS": "0",
    }
    done = subprocess.run(
        [sys.executable, "-c", PROBE, *argv],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    *said, report = done.stderr.strip().splitlines()
    status, modules = json.loads(report)
    return status, set(modules), done.stdout + "".join(said)


@pytest.mark.parametrize(
    "argv",
    [("facility", "list"), ("tags",), ("--help",), ("order", "--help"), ("--version",)],
    ids=" ".join,
)
def test_reading_commands_load_nothing_heavy(tmp_path: Path, argv: tuple[str, ...]) -> None:
    recorded(tmp_path)
    status, modules, out = loaded_by(tmp_path, *argv)
    assert status == 0
    assert out  # the command did its work (a table or "(none)", the help, the version)
    assert sorted(modules & set(HEAVY)) == []


def test_the_probe_sees_what_a_printing_command_loads(tmp_path: Path) -> None:
    """The same probe catches a heavy module when a command does load it: a label drawn as a
    PNG needs Pillow."""
    recorded(tmp_path)
    status, modules, _ = loaded_by(
        tmp_path, "render", UID, "--template", "package-4x2-203", "--format", "png",
        "-o", str(tmp_path / "a.png"),
    )  # fmt: skip
    assert status == 0, modules
    assert "PIL" in modules


def test_every_lazy_command_is_the_command_of_that_name() -> None:
    """And the table's line for ``--help`` is the command's own first sentence."""
    context = click.Context(cli)
    for name, (_, summary) in COMMANDS.items():
        command = cli.get_command(context, name)
        assert command is not None and command.name == name
        assert command.get_short_help_str(10_000) == summary, name
    assert cli.get_command(context, "no-such-command") is None


def test_listing_the_commands_imports_none_of_them() -> None:
    probe = (
        "import sys\n"
        "from station.cli.main import run\n"
        "run(['--help'])\n"
        "print(sorted(m for m in sys.modules if m.startswith('station.cli.')), file=sys.stderr)"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=120, check=True
    )
    assert "Commands:" in done.stdout and "rfid" in done.stdout
    loaded = set(ast.literal_eval(done.stderr.strip().splitlines()[-1]))
    commands = {f"station.cli.{where.split(':')[0]}" for where, _ in COMMANDS.values()}
    assert loaded & commands == set()
    assert "station.cli.main" in loaded  # the probe sees what was loaded
