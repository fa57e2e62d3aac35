"""Finding and reading state profiles: the shipped ones (``profiles/XX.toml``), each rule of
which a user profile in the config folder (``states/XX.toml``) may set instead."""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from station.domain.errors import StationError
from station.domain.text import printable, show
from station.staff_files import read_text
from station.states.rules import MEANINGS

if TYPE_CHECKING:
    from station.states import schema

SHIPPED = Path(__file__).parent / "profiles"
DEFAULT_STATE = "CA"
# A profile file is a few kilobytes; anything much larger is not one.
_MOST_BYTES = 64 * 1024


@dataclass(frozen=True)
class Rule:
    """One rule of one state: its value, its source and tag, and where it was read (None:
    the station's own profile; else the user profile that set it)."""

    name: str
    value: Any
    tag: str
    source: str
    note: str = ""
    user_file: Path | None = None

    @property
    def meaning(self) -> str:
        return MEANINGS[self.name]

    def said(self) -> str:
        """The value as people read it: ``every 30 days``, ``5,000``, ``$0.45 plant, ...``."""
        return said(self.name, self.value)

    def cited(self) -> str:
        """``[V] 4 CCR §15048.3(a)(2)``, and the user profile when it set the rule."""
        mine = f"; set in {self.user_file}" if self.user_file else ""
        return f"[{self.tag}] {self.source}{mine}"

    def as_dict(self) -> dict[str, Any]:
        return {
            "rule": self.name,
            "meaning": self.meaning,
            "value": _plain(self.value),
            "said": self.said(),
            "tag": self.tag,
            "source": self.source,
            "note": self.note,
            "user_profile": str(self.user_file) if self.user_file else None,
        }


@dataclass(frozen=True)
class Profile:
    code: str
    name: str
    rules: dict[str, Rule]

    def rule(self, name: str) -> Rule | None:
        """The rule, or None where no source states it (never a guess)."""
        assert name in MEANINGS, name
        return self.rules.get(name)

    def not_known(self, name: str) -> str:
        return f"{MEANINGS[name]}: not known for {self.code}"

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "name": self.name,
            "rules": [self.rules[n].as_dict() for n in MEANINGS if n in self.rules],
            "not_known": [n for n in MEANINGS if n not in self.rules],
        }


@functools.cache
def codes() -> tuple[str, ...]:
    """Every state with a shipped profile (the folder is read once a process)."""
    return tuple(sorted(path.stem.upper() for path in SHIPPED.glob("*.toml")))


def check_code(code: str) -> str:
    """``code`` upper-cased, if a profile exists for it; else a one-line refusal."""
    wanted = code.strip().upper()
    if wanted not in codes():
        raise StationError(
            f"no state profile for {show(code)}: the station has {', '.join(codes())}"
        )
    return wanted


def profile(code: str, user_dir: Path | None = None) -> Profile:
    """The state's profile: the shipped one, with the rules a user profile sets instead."""
    wanted = check_code(code)
    found = dict(_shipped(wanted).rules)
    name = _shipped(wanted).name
    user_file = user_dir / f"{wanted.lower()}.toml" if user_dir is not None else None
    if user_file is not None and user_file.is_file():
        mine = _parsed(user_file, read_text(user_file))
        if mine.code != wanted:
            raise StationError(f"state profile {user_file} is for {mine.code}, not {wanted}")
        found.update(_rules(mine, user_file))
    return Profile(wanted, name, found)


def every(user_dir: Path | None = None) -> list[Profile]:
    return [profile(code, user_dir) for code in codes()]


@functools.cache
def _shipped(code: str) -> Profile:
    path = SHIPPED / f"{code.lower()}.toml"
    parsed = _parsed(path, path.read_text(encoding="utf-8"))
    if parsed.code != code:
        raise StationError(f"state profile {path.name} is for {parsed.code}, not {code}")
    return Profile(code, parsed.name or code, _rules(parsed, None))


def _parsed(path: Path, text: str) -> schema.ProfileFile:
    # msgspec is loaded when a profile is read, not with every command.
    from station.states import schema

    if len(text) > _MOST_BYTES:
        raise StationError(f"state profile {path} is over {_MOST_BYTES // 1024} KiB")
    import tomllib

    try:
        return schema.read(tomllib.loads(text))
    except (tomllib.TOMLDecodeError, ValueError) as exc:
        raise StationError(f"state profile {path}: {printable(str(exc), 200)}") from None


def _rules(parsed: schema.ProfileFile, user_file: Path | None) -> dict[str, Rule]:
    found: dict[str, Rule] = {}
    for name in MEANINGS:
        rule = getattr(parsed.rules, name)
        if rule is not None:
            found[name] = Rule(name, rule.value, rule.tag, rule.source, rule.note, user_file)
    return found


def said(name: str, value: Any) -> str:
    from station.states import schema

    if isinstance(value, schema.Cadence):
        if value.every_days is not None:
            return f"every {value.every_days} days"
        return f"daily, by {value.daily_by}"
    if isinstance(value, schema.RetailId):
        since = f" from {value.since.isoformat()}" if value.since else ""
        return {"absent": "not available", "available": "available"}.get(
            value.mode, f"required{since}"
        )
    if isinstance(value, schema.ByType):
        if name == "tag_price":
            return f"${value.plant:.2f} plant, ${value.package:.2f} package"
        return f"{value.plant:,} plant, {value.package:,} package"
    if name == "records_years":
        return f"{value} years"
    if name in ("receipt_days", "not_arrived_days"):
        return f"{value} days"
    if name == "discrepancy_percent":
        return f"{value:g}%"
    return f"{value:,}" if isinstance(value, int) else str(value)


def _plain(value: Any) -> Any:
    """A rule's value as JSON holds it."""
    from station.states import schema

    if isinstance(value, schema.Cadence | schema.RetailId | schema.ByType):
        return {
            key: _plain(getattr(value, key))
            for key in value.__struct_fields__
            if getattr(value, key) is not None
        }
    if isinstance(value, dt.date):
        return value.isoformat()
    return value
