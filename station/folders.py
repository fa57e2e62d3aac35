"""The user's folders the station keeps things in, named once (platformdirs).

- data: the SQLite database and the spool folder (PNG previews and raw printer bytes);
- config: user label templates, which override bundled ones of the same name;
- cache: python-escpos's printer database, in a folder only this user can write.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import platformdirs

from printers.files import private_folder_made

APP_NAME = "tag-station"


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
