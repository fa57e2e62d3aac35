"""The audit chain's key and its anchors: what the station keeps outside the database so that
whoever can write the database, but not this user's config folder, cannot rewrite the trail
unnoticed.

- **The key** (``chain-key`` in the config folder, 0600): 32 random bytes. Events are hashed
  with HMAC-SHA256 under it (``station.domain.chain``). Made on the first event a station
  records when it has none; stations sharing one PostgreSQL database share it by an
  explicit ``station audit key export FILE`` on one and ``import FILE`` on the others (a
  station without it refuses to extend a chain keyed with it). The file also notes, per
  database, the first event keyed: events from there on must all be keyed.
- **Anchors** (``anchors`` in the config folder, 0600): the head (event id and hash) at the
  time of every backup, per database; ``audit verify`` checks every anchor it finds still
  names an event with that hash, which catches the newest events removed and a trail
  rewritten, keyed or not.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import secrets
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from peewee import Database, SqliteDatabase

from safefiles import new_file, private_folder_made
from station.domain import chain
from station.domain.errors import StationError
from station.domain.text import show
from station.folders import Folders

KEY_BYTES = 32
# The most databases whose first keyed event is noted (oldest forgotten first).
MAX_DATABASES = 1000
# The most anchors kept (oldest forgotten first), and the most bytes read of either file.
MAX_ANCHORS = 5000
MAX_FILE = 4 * 2**20


@dataclass
class Keys:
    """The chain keys this station holds, by id, and per database the first event keyed."""

    keys: dict[str, bytes] = field(default_factory=dict)
    since: dict[str, tuple[str, int]] = field(default_factory=dict)


def database_name(database: Database) -> str:
    """What anchors and the key file call a database: its file, or its server and name."""
    if isinstance(database, SqliteDatabase):
        return f"sqlite:{Path(database.database).absolute()}"
    params: dict[str, Any] = dict(getattr(database, "connect_params", {}))
    host, port = params.get("host", ""), params.get("port", "")
    return f"postgresql:{host}:{port}/{database.database}"


# The last key file read, by its path, inode, size, time, owner and mode: every event recorded
# reads it, and it changes once in a station's life (or on an import).
_cache: dict[Path, tuple[tuple[int, ...], Keys]] = {}


def load(folders: Folders) -> Keys:
    """The keys in the config folder (none when there is no file); refused when the file is
    not private, or not the station's."""
    path = _key_file(folders)
    try:
        info = os.lstat(path)
        stamp: tuple[int, ...] | None = (
            info.st_ino, info.st_size, info.st_mtime_ns, info.st_uid, info.st_mode
        )  # fmt: skip
    except OSError:
        stamp = None
    cached = _cache.get(path)
    if stamp is not None and cached is not None and cached[0] == stamp:
        return Keys(dict(cached[1].keys), dict(cached[1].since))
    found = _parsed(path)
    if stamp is not None:
        _cache[path] = (stamp, Keys(dict(found.keys), dict(found.since)))
    return found


def _parsed(path: Path) -> Keys:
    text = _read_private(path, "chain key")
    if text is None:
        return Keys()
    try:
        data = json.loads(text)
        since = {str(db): (str(kid), int(first)) for db, (kid, first) in data["since"].items()}
    except (ValueError, KeyError, TypeError, AttributeError):
        raise StationError(f"{path} is not a chain key file") from None
    return Keys(_keys_in(data, path, "a chain key file"), since)


def _keys_in(data: Any, path: Path, what: str) -> dict[str, bytes]:
    """The keys a key file or an export holds, by id; refused unless there is at least one
    and each is 32 bytes of hex."""
    try:
        found = [bytes.fromhex(text) for text in data["keys"]]
    except (ValueError, KeyError, TypeError, AttributeError):
        raise StationError(f"{path} is not {what}") from None
    if not found or any(len(key) != KEY_BYTES for key in found):
        raise StationError(f"{path} is not {what}: it holds no key, or one of the wrong length")
    return {chain.key_id(key): key for key in found}


def for_new_event(
    folders: Folders, database: Database, head_key: str | None, next_id: int
) -> tuple[str, bytes]:
    """The key the next event (id ``next_id``) is hashed with: the head's own key, which this
    station must hold; for a chain not keyed yet, this station's key, made now if it has
    none, and noted as keying this database from ``next_id`` on."""
    held = load(folders)
    if head_key is not None:
        key = held.keys.get(head_key)
        if key is None:
            raise StationError(
                f"this database's audit chain is keyed with key {head_key}, which this station "
                "does not hold: import it (station audit key import FILE, from station audit "
                "key export FILE on a station that holds it)"
            )
        return head_key, key
    if not held.keys:
        key = secrets.token_bytes(KEY_BYTES)
        held.keys[chain.key_id(key)] = key
    kid, key = next(iter(held.keys.items()))
    name = database_name(database)
    if name not in held.since:
        held.since[name] = (kid, next_id)
        # Bounded: a restore's scratch copy is noted too (it keys from its restore event).
        for oldest in list(held.since)[: max(len(held.since) - MAX_DATABASES, 0)]:
            del held.since[oldest]
        _save(folders, held)
    return kid, key


def export_key(folders: Folders, target: Path) -> str:
    """Write this station's keys to the new private file ``target``; their ids."""
    held = load(folders)
    if not held.keys:
        raise StationError(
            "this station holds no chain key yet (it makes one with its first event)"
        )
    try:
        with new_file(target.expanduser().absolute()) as out:
            out.write(_encoded(Keys(held.keys, {})))
    except FileExistsError:
        raise StationError(f"{target} exists: choose a new name") from None
    except OSError as exc:
        raise StationError(f"cannot write {target}: {exc.strerror}") from None
    return ", ".join(sorted(held.keys))


def import_key(folders: Folders, source: Path) -> list[str]:
    """Add the keys in ``source`` (an export) to this station's; the ids added."""
    text = _read_private(source, "key export", must_exist=True)
    try:
        data = json.loads(text or "")
    except ValueError:
        raise StationError(f"{source} is not a chain key export") from None
    found = _keys_in(data, source, "a chain key export")
    held = load(folders)
    added = [kid for kid in found if kid not in held.keys]
    held.keys.update(found)
    _save(folders, held)
    return added


def add_anchor(
    folders: Folders, database: Database, event_id: int, event_hash: str, what: str
) -> None:
    """Note the head ``event_id``/``event_hash`` of ``database`` outside it."""
    lines = _anchor_lines(folders)
    lines.append(json.dumps({
        "db": database_name(database), "id": event_id, "hash": event_hash,
        "at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"), "what": what,
    }))  # fmt: skip
    _write(folders.config / "anchors", "".join(f"{line}\n" for line in lines[-MAX_ANCHORS:]))


def anchors(folders: Folders, database: Database) -> list[dict[str, Any]]:
    """The anchors of ``database``, oldest first (lines that do not parse are skipped)."""
    name = database_name(database)
    return [
        item
        for _, item in _anchor_items(folders)
        if item is not None and item["db"] == name and item["id"] > 0
    ]


def forget_anchors_after(folders: Folders, database: Database, event_id: int) -> None:
    """A restore put an older chain back: anchors of later events no longer apply."""
    name = database_name(database)
    kept = [
        line
        for line, item in _anchor_items(folders)
        if item is None or item["db"] != name or item["id"] <= event_id
    ]
    _write(folders.config / "anchors", "".join(f"{line}\n" for line in kept))


def _anchor_lines(folders: Folders) -> list[str]:
    text = _read_private(folders.config / "anchors", "anchors")
    return [line for line in (text or "").splitlines() if line.strip()]


def _anchor_items(folders: Folders) -> list[tuple[str, dict[str, Any] | None]]:
    """Each anchor line with what it says: a database name, an event id and a hash (None
    for a line that does not read as one: it is kept, never checked)."""
    found: list[tuple[str, dict[str, Any] | None]] = []
    for line in _anchor_lines(folders):
        try:
            item = json.loads(line)
        except ValueError:
            item = None
        readable = (
            isinstance(item, dict)
            and isinstance(item.get("db"), str)
            and type(item.get("id")) is int
            and chain.is_hash(item.get("hash"))
        )
        found.append((line, item if readable else None))
    return found


def _key_file(folders: Folders) -> Path:
    return folders.config / "chain-key"


def _encoded(held: Keys) -> bytes:
    return json.dumps({
        "keys": [key.hex() for key in held.keys.values()],
        "since": {db: [kid, first] for db, (kid, first) in held.since.items()},
    }, indent=1).encode()  # fmt: skip


def _save(folders: Folders, held: Keys) -> None:
    _write(_key_file(folders), _encoded(held).decode())


def _write(path: Path, text: str) -> None:
    try:
        private_folder_made(path.parent)
        with new_file(path, replace=True) as out:
            out.write(text.encode())
    except OSError as exc:
        raise StationError(f"cannot write {path}: {exc.strerror}") from None


def _read_private(path: Path, what: str, must_exist: bool = False) -> str | None:
    """The file's text, or None when there is none; refused when it is a link, someone
    else's, readable by others, or too large."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except FileNotFoundError:
        if must_exist:
            raise StationError(f"no {what} file {path}") from None
        return None
    except OSError as exc:
        raise StationError(
            f"cannot read the {what} file {show(str(path), 200)}: {exc.strerror}"
        ) from None
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(handle.fileno())
        if hasattr(os, "getuid") and (info.st_uid != os.getuid() or info.st_mode & 0o077):
            raise StationError(
                f"the {what} file {path} must be this user's alone (mode 0600, not "
                f"{stat.S_IMODE(info.st_mode):04o})"
            )
        data = handle.read(MAX_FILE + 1)
    if len(data) > MAX_FILE:
        raise StationError(f"the {what} file {path} is over {MAX_FILE // 2**20} MiB")
    return data.decode("utf-8", "replace")
