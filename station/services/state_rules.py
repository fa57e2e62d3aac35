"""The state rules that apply to a facility: its state's profile (``station.states``), with
the rules this user's config folder sets instead, and the audit of such a rule when it
decides something."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from station.folders import Folders
from station.services.context import Context
from station.states.rules import MEANINGS

if TYPE_CHECKING:
    from station.states.profiles import Profile, Rule

# Every rule a profile may hold, in the order they are listed.
RULES = tuple(MEANINGS)


def user_folder(folders: Folders) -> Path:
    """Where a user's state profiles go: ``states/XX.toml`` in the config folder."""
    return folders.config / "states"


# The profiles are read when a rule is asked for, not with every command that imports this.


def profile(ctx: Context, state: str) -> Profile:
    return profile_in(ctx.folders, state)


def profile_in(folders: Folders, state: str) -> Profile:
    """The profile without a database (``station states``)."""
    from station.states import profiles

    return profiles.profile(state, user_folder(folders))


def every_in(folders: Folders) -> list[Profile]:
    from station.states import profiles

    return profiles.every(user_folder(folders))


def check_code(state: str) -> str:
    """``state`` upper-cased when the station has its profile; else a one-line refusal."""
    from station.states import profiles

    return profiles.check_code(state)


def record_use(ctx: Context, rule: Rule, state: str, license_number: str, what: str) -> None:
    """Audit a rule a user profile set, where it decided ``what`` (the shipped rules are the
    station's own and need no record each time)."""
    if rule.user_file is None:
        return
    from station.services.records import audit  # only when recording

    audit.record(
        ctx,
        "state-rule.used",
        f"{license_number}: {what} by {state}'s {rule.name} from {rule.user_file}",
        {
            "license_number": license_number,
            "state": state,
            "rule": rule.name,
            "value": rule.as_dict()["value"],
            "source": rule.source,
            "user_profile": str(rule.user_file),
            "decided": what,
        },
    )
