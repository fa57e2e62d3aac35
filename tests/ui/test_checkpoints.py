"""The terminal UI's WAL checkpoints: made by a background thread once input pauses, never
inside the commit of a scan (on a large file that one commit would take half a second)."""

from __future__ import annotations

import contextlib
import shutil
import sqlite3
import threading
from pathlib import Path

import pytest
from peewee import SqliteDatabase
from textual.widgets import Log

from station.db import checkpoints
from station.ui.app import StationApp
from tests.helpers.station import PACKAGE_PREFIX, Station, uid
from tests.helpers.ui import scan, settle

pytestmark = pytest.mark.sqlite_only


def autocheckpoint(station: Station, in_new_thread: bool) -> int:
    database = station.context().db
    found: list[int] = []

    def read() -> None:
        found.append(database.execute_sql("PRAGMA wal_autocheckpoint").fetchone()[0])  # type: ignore[no-untyped-call]

    checkpoints.defer(database)
    if in_new_thread:
        thread = threading.Thread(target=read)
        thread.start()
        thread.join()
    else:
        read()
    return found[0]


@pytest.mark.parametrize("in_new_thread", [False, True])
def test_deferring_reaches_every_connection(stocked: Station, in_new_thread: bool) -> None:
    assert autocheckpoint(stocked, in_new_thread) == 0


def status_in_the_file_alone(station: Station, tag: str, tmp_path: Path) -> str | None:
    """The tag's state as the database file holds it without its write-ahead log: what a
    checkpoint has copied in (None while a checkpoint is half written)."""
    copy = tmp_path / "file-alone.db"
    shutil.copyfile(station.path, copy)
    try:
        with contextlib.closing(sqlite3.connect(copy)) as connection:
            row = connection.execute("SELECT status FROM tag WHERE uid = ?", (tag,)).fetchone()
    except sqlite3.DatabaseError:
        return None
    return str(row[0]) if row else None


async def test_the_ui_checkpoints_once_input_pauses(
    stocked: Station, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(checkpoints, "IDLE_S", 0.3)
    tag = uid(PACKAGE_PREFIX, 3)
    app = StationApp(stocked.context())
    async with app.run_test(size=(140, 48)) as pilot:
        assert app.checkpoints_deferred
        await pilot.press("f2", "f10")  # every tag
        await settle(pilot)
        await scan(pilot, tag)
        for _ in range(500):  # recorded by the screen's own thread
            if app.screen.query_one("#log", Log).lines:
                break
            await pilot.pause(0.02)
        # Recorded in the log, not yet in the file: no commit checkpoints any more.
        assert status_in_the_file_alone(stocked, tag, tmp_path) == "ordered"
        for _ in range(1000):  # the background thread copies it in once input pauses
            if status_in_the_file_alone(stocked, tag, tmp_path) == "received":
                break
            await pilot.pause(0.02)
        else:
            raise AssertionError("no checkpoint long after input paused")


def test_a_file_that_cannot_be_checkpointed_is_left_for_the_next_pause(tmp_path: Path) -> None:
    """The background thread goes on: the error is for the next commit to report."""
    damaged = tmp_path / "damaged.db"
    damaged.write_bytes(b"not a database at all, " * 400)
    assert checkpoints.checkpoint(SqliteDatabase(str(damaged))) is None
