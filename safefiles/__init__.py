"""Writing files safely: private to the user (0600), never through a link someone planted,
never over an existing file unless asked, and complete or absent: the bytes go to a new file
under a random name beside the target, which then takes the target's name."""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

# O_NOFOLLOW and O_CLOEXEC are POSIX; where they do not exist, the random name still keeps a
# planted link from being the file opened.
_FLAGS = (
    os.O_WRONLY
    | os.O_CREAT
    | os.O_EXCL
    | getattr(os, "O_NOFOLLOW", 0)
    | getattr(os, "O_CLOEXEC", 0)
)
PRIVATE = 0o600
# The hidden file new_path writes under (what it leaves if its process is killed, with any
# journal SQLite put beside it: _journals).
_LEFTOVER = re.compile(r"^\..+-[0-9a-f]{8}\.part$")


def random_name(stem: str, suffix: str) -> str:
    """A name no one can guess in advance (for files in a folder others could write to)."""
    return f"{stem}-{secrets.token_hex(4)}{suffix}"


@contextlib.contextmanager
def new_file(path: Path, replace: bool = False) -> Iterator[BinaryIO]:
    """A handle whose bytes appear at ``path`` only once the block ends without error.

    Raises :class:`FileExistsError` when ``path`` exists and ``replace`` is false. With
    ``replace`` an existing file (or a link) at ``path`` is replaced, never written through.
    """
    with new_path(path, replace) as temporary, open_private(temporary) as handle:
        yield handle


@contextlib.contextmanager
def new_path(path: Path, replace: bool = False) -> Iterator[Path]:
    """For a program that writes by file name (SQLite, PostgreSQL's tools): an empty private
    file under a random name beside ``path``, which takes ``path``'s name once the block ends
    without error (replacing what is there only with ``replace``), and is gone otherwise."""
    temporary = path.with_name(random_name(f".{path.name}", ".part"))
    held = os.open(temporary, _FLAGS, PRIVATE)
    # Held while the file is being made: a process that finds the file with nobody holding
    # it knows its maker died and may remove it (leftovers_removed).
    _hold(held)
    try:
        yield temporary
        if replace:
            os.replace(temporary, path)
        else:
            _link(temporary, path)
    finally:
        for leftover in (temporary, *_journals(temporary)):
            with contextlib.suppress(FileNotFoundError):
                os.unlink(leftover)
        os.close(held)


def leftovers_removed(folder: Path) -> list[Path]:
    """Remove what :func:`new_path` left in ``folder`` when its process was killed: hidden
    ``.part`` files nobody holds any more, and their journals. One still being made is
    held by its maker and left alone."""
    removed: list[Path] = []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    for entry in entries:
        if not (_LEFTOVER.match(entry.name) and entry.is_file(follow_symlinks=False)):
            continue
        try:
            fd = os.open(entry.path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
        except OSError:
            continue
        if not _free(fd):
            os.close(fd)
            continue  # its maker is alive
        try:
            for path in (Path(entry.path), *_journals(Path(entry.path))):
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(path)
                    removed.append(path)
        finally:
            os.close(fd)
    return removed


def _hold(fd: int) -> None:
    if sys.platform != "win32":
        import fcntl

        fcntl.flock(fd, fcntl.LOCK_EX)


def _free(fd: int) -> bool:
    """Whether nobody holds the file (and now this process does). Without flock (Windows)
    nothing counts as free: a leftover stays rather than a live file being removed."""
    if sys.platform == "win32":
        return False
    import fcntl

    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False
    return True


def _journals(path: Path) -> tuple[Path, ...]:
    return tuple(path.with_name(path.name + end) for end in ("-journal", "-wal", "-shm"))


def open_private(path: Path) -> BinaryIO:
    """``path`` (a file this process just made private) opened for writing, never through
    a link put in its place."""
    flags = os.O_WRONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
    return os.fdopen(os.open(path, flags), "wb")


def _link(temporary: Path, path: Path) -> None:
    """Give the finished file its name, refusing a name that exists (even as a link)."""
    try:
        os.link(temporary, path)
    except FileExistsError:
        raise
    except OSError:
        # A file system without hard links (FAT, some network shares): look, then rename.
        if os.path.lexists(path):
            raise FileExistsError(path) from None
        os.replace(temporary, path)


def write_new(path: Path, data: bytes, replace: bool = False) -> None:
    with new_file(path, replace) as out:
        out.write(data)


def private_folder_made(path: Path) -> None:
    """Create ``path`` (and missing parents) readable only by this user; an existing folder
    is left as its owner set it."""
    if not path.is_dir():
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
