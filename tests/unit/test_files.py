"""Files the station writes: private, never through a planted link, never over an existing
file unless asked, and complete or absent."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from safefiles import write_new
from station.folders import Folders
from tests.helpers.station import PACKAGE_PREFIX, Station, uid


def mode(path: Path) -> int:
    return stat.S_IMODE(path.lstat().st_mode)


def test_a_new_station_keeps_its_database_and_spool_private(station: Station) -> None:
    station.ok("printer", "test", "spool")
    if station.url.startswith("sqlite"):
        assert mode(Path(station.url.removeprefix("sqlite:///"))) == 0o600
    spool = Folders.for_user().spool
    assert mode(spool) == 0o700
    names = sorted(path.name for path in spool.iterdir())
    assert names and all(mode(spool / name) == 0o600 for name in names)
    station.ok("printer", "test", "spool")
    again = sorted(path.name for path in spool.iterdir())
    # The names carry a random part: the next one cannot be guessed and planted in advance.
    assert len(again) == 2 * len(names)
    assert len({name.rsplit("-", 1)[-1] for name in again}) == len(again)


def test_a_new_sqlite_file_in_a_new_folder_is_private(tmp_path: Path) -> None:
    from station.db.connection import open_database

    path = tmp_path / "new" / "station.db"
    open_database(f"sqlite:///{path}").close()
    assert mode(path.parent) == 0o700 and mode(path) == 0o600


def test_render_never_overwrites_or_writes_through_a_link(
    received: Station, tmp_path: Path
) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me")
    planted = tmp_path / "label.zpl"
    planted.symlink_to(victim)
    render = ["render", uid(PACKAGE_PREFIX, 1), "--template", "uid-3x1-203", "--format", "zpl"]
    assert received.refused(*render, "-o", str(planted)) == (
        f"{planted} already exists; give --force to replace it"
    )
    existing = tmp_path / "existing.zpl"
    existing.write_text("old")
    assert "already exists" in received.refused(*render, "-o", str(existing))
    assert existing.read_text() == "old" and victim.read_text() == "keep me"
    received.ok(*render, "-o", str(planted), "--force")
    assert victim.read_text() == "keep me"  # the link was replaced, not written through
    assert not planted.is_symlink() and planted.read_bytes().startswith(b"^XA")
    assert mode(planted) == 0o600


def test_write_new_refuses_an_existing_name_and_leaves_nothing_behind(tmp_path: Path) -> None:
    target = tmp_path / "out.bin"
    write_new(target, b"one")
    with pytest.raises(FileExistsError):
        write_new(target, b"two")
    (tmp_path / "dangling").symlink_to(tmp_path / "nowhere")
    with pytest.raises(FileExistsError):
        write_new(tmp_path / "dangling", b"three")
    assert not (tmp_path / "nowhere").exists()
    assert target.read_bytes() == b"one"
    assert sorted(os.listdir(tmp_path)) == ["dangling", "out.bin"]  # no temporary left
