"""Shared fixtures: a real SQLite file per test and the real command line run in-process."""

from __future__ import annotations

import io
import sqlite3
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from station.cli.main import run
from station.db.connection import open_database
from station.services.context import Context

LICENSE = "C11-0000001-LIC"
FACILITY = "Green Leaf Farms"
PACKAGE_PREFIX = "1A4060300002EE10"
PLANT_PREFIX = "1A4060300002EE20"


def uid(prefix: str, serial: int) -> str:
    return f"{prefix}{serial:08d}"


@dataclass
class Result:
    code: int
    out: str
    err: str

    @property
    def lines(self) -> list[str]:
        return self.out.splitlines()


class Station:
    """Runs ``station ARGS`` against one database file, as a user would type it."""

    def __init__(self, path: Path, capsys: pytest.CaptureFixture[str]) -> None:
        self.path = path
        self.url = f"sqlite:///{path}"
        self._capsys = capsys

    def __call__(self, *args: str, stdin: str = "", operator: str | None = "tester") -> Result:
        self._capsys.readouterr()
        saved = sys.stdin
        sys.stdin = io.StringIO(stdin)
        try:
            who = ["--operator", operator] if operator else []
            code = run(["--db", self.url, *who, *args])
        finally:
            sys.stdin = saved
        captured = self._capsys.readouterr()
        return Result(code, captured.out, captured.err)

    def ok(self, *args: str, stdin: str = "") -> Result:
        result = self(*args, stdin=stdin)
        assert result.code == 0, result.err
        return result

    def refused(self, *args: str, stdin: str = "") -> str:
        """Run a command that must be refused without changing the database; its message."""
        before = self.dump()
        result = self(*args, stdin=stdin)
        assert result.code == 1, (result.code, result.out, result.err)
        assert result.err.startswith("error: "), result.err
        assert result.err.count("\n") == 1, f"not one line: {result.err!r}"
        assert "Traceback" not in result.err
        assert self.dump() == before, "a refused command changed the database"
        return result.err.removeprefix("error: ").strip()

    def dump(self) -> list[str]:
        with sqlite3.connect(self.path) as connection:
            return list(connection.iterdump())

    def context(self) -> Context:
        return Context(open_database(self.url), operator="tester")


@pytest.fixture(autouse=True)
def own_folders(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test gets its own user data and config folders (spool, user templates)."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))


@pytest.fixture
def station(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Iterator[Station]:
    yield Station(tmp_path / "station.db", capsys)


@pytest.fixture
def stocked(station: Station) -> Station:
    """A facility with a 500-tag package order and a 100-tag plant order, nothing received."""
    station.ok("facility", "add", LICENSE, FACILITY)
    station.ok(
        "order",
        "add",
        "--license",
        LICENSE,
        "--type",
        "package",
        "--first",
        uid(PACKAGE_PREFIX, 1),
        "--count",
        "500",
        "--order-date",
        "2026-11-20",
        "--order-number",
        "4471",
    )
    station.ok(
        "order",
        "add",
        "--license",
        LICENSE,
        "--type",
        "plant",
        "--first",
        uid(PLANT_PREFIX, 1),
        "--last",
        uid(PLANT_PREFIX, 100),
        "--order-date",
        "2026-11-20",
    )
    return station


@pytest.fixture
def received(stocked: Station) -> Station:
    """``stocked`` with every tag received."""
    stocked.ok("receive", uid(PACKAGE_PREFIX, 1), uid(PACKAGE_PREFIX, 500))
    stocked.ok("receive", uid(PLANT_PREFIX, 1), uid(PLANT_PREFIX, 100))
    return stocked
