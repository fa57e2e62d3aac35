"""The user's folders the station keeps things in, named once (platformdirs).

- data: the SQLite database and the spool folder (PNG previews and raw printer bytes);
- config: user label templates, which override bundled ones of the same name;
- cache: python-escpos's printer database, in a folder only this user can write.
"""

from __future__ import annotations

import os
import re
import stat
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import platformdirs

from safefiles import new_file, private_folder_made
from station.domain.errors import StationError

APP_NAME = "tag-station"
# A daily backup's name (station.services.records.backups writes them): an SQLite copy or a dump.
DAILY_BACKUP = re.compile(r"^station-\d{8}-\d{6}\.(sqlite|dump)$")


@dataclass(frozen=True)
class Folders:
    data: Path
    config: Path
    cache: Path

    @classmethod
    def for_user(cls) -> Folders:
        """The platform's folders for this user (``~/.local/share/tag-station`` and so on)."""
        return cls(
            Path(platformdirs.user_data_dir(APP_NAME)),
            Path(platformdirs.user_config_dir(APP_NAME)),
            Path(platformdirs.user_cache_dir(APP_NAME)),
        )

    @property
    def database(self) -> Path:
        return self.data / "station.db"

    @property
    def backups(self) -> Path:
        """Daily backups, and the database as it was before a restore."""
        return self.data / "backups"

    @property
    def spool(self) -> Path:
        """The folder behind the ``spool:`` printer every new station starts with."""
        return self.data / "spool"

    @property
    def previews(self) -> Path:
        return self.spool / "previews"

    @property
    def templates(self) -> Path:
        return self.config / "templates"

    @property
    def known_databases(self) -> Path:
        """Every SQLite database file this user's station has opened, one path a line: a
        missing one of these is never made anew without being asked."""
        return self.config / "known-databases"

    def printer_url(self, url: str) -> str:
        """A printer's connection URL ready to open: ``spool:`` alone (the station's own spool
        folder, stored that way so it follows the user data folder) becomes a folder URL."""
        parts = urlsplit(url)
        if parts.scheme == "spool" and not parts.netloc and parts.path in ("", "/"):
            return f"spool://{self.spool.absolute()}"
        return url

    def escpos_cache(self) -> Path | None:
        """A folder for python-escpos's pickle that only this user can write, or None when
        the one there is not (then the pickle goes to a fresh private temporary folder)."""
        return private_folder(self.cache / "escpos")


def private_folder(path: Path) -> Path | None:
    """``path`` as a folder of this user's with mode 0700, created if need be; None when
    what is there is a link, someone else's, or open to others (it could hold anything)."""
    try:
        private_folder_made(path)
        info = path.lstat()
    except OSError:
        return None
    if not stat.S_ISDIR(info.st_mode) or info.st_mode & 0o077:
        return None
    if hasattr(os, "getuid") and info.st_uid != os.getuid():
        return None
    return path


def newest_daily_backup(folder: Path, suffix: str = ".sqlite") -> Path | None:
    """The newest daily backup in ``folder`` by the time in its name, of the kind
    ``suffix`` says: a regular file, not a link."""
    try:
        found = [
            entry.path
            for entry in os.scandir(folder)
            if DAILY_BACKUP.match(entry.name)
            and entry.name.endswith(suffix)
            and entry.is_file(follow_symlinks=False)
        ]
    except OSError:
        return None
    return Path(max(found)) if found else None


def refuse_unsafe_folder(path: Path, what: str) -> None:
    """Refuse to keep anything in ``path`` (an existing folder) unless it is this user's
    own and no one else may write to it: in a folder others can write, a file can be
    replaced, moved away or planted (a database swapped for an empty one needs no PIN)."""
    if not hasattr(os, "getuid"):
        return  # Windows: folder rights are ACLs, not modes
    try:
        info = path.stat()
    except FileNotFoundError:
        return
    except OSError as exc:
        raise StationError(f"cannot look at the {what} folder {path}: {exc.strerror}") from None
    if info.st_uid != os.getuid():
        raise StationError(
            f"the {what} folder {path} belongs to another user: the station keeps its files "
            "only in folders of the user it runs as"
        )
    if info.st_mode & 0o022:
        raise StationError(
            f"others may write to the {what} folder {path} (mode "
            f"{stat.S_IMODE(info.st_mode):04o}): make it yours alone (chmod go-w {path})"
        )


# The most database paths remembered (oldest forgotten first).
MAX_KNOWN = 1000


def known_database(folders: Folders, database: Path) -> bool:
    """Whether this user's station has opened ``database`` before."""
    return str(database.absolute()) in _known(folders)


def remember_database(folders: Folders, database: Path) -> None:
    """Note ``database`` as one this user's station has opened (private, never through a
    link; a failure to note it only means the missing-file check cannot name it)."""
    path = str(database.absolute())
    known = _known(folders)
    if path in known:
        return
    kept = [*known, path][-MAX_KNOWN:]
    try:
        private_folder_made(folders.config)
        with new_file(folders.known_databases, replace=True) as out:
            out.write("".join(f"{line}\n" for line in kept).encode("utf-8"))
    except OSError:
        pass


def _known(folders: Folders) -> list[str]:
    try:
        with folders.known_databases.open("rb") as handle:
            text = handle.read(MAX_KNOWN * 4200).decode("utf-8", "replace")
    except OSError:
        return []
    return [line for line in text.splitlines() if line.startswith("/") or ":" in line[:3]]
