"""Writing files safely: private to the user (0600), never through a link someone planted,
never over an existing file unless asked, and complete or absent: the bytes go to a new file
under a random name beside the target, which then takes the target's name."""

from __future__ import annotations

import contextlib
import os
import secrets
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
    os.close(os.open(temporary, _FLAGS, PRIVATE))
    try:
        yield temporary
        if replace:
            os.replace(temporary, path)
        else:
            _link(temporary, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)


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
