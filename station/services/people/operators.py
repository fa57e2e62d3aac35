"""The station's people: adding them, their PINs and badges, signing in and approving.

No PIN, PIN hash or badge code ever goes into a message, an audit event or a return value
shown to anyone; the audit trail records only that a PIN or badge changed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, NoReturn

from peewee import fn

from station.db.locking import lock_audit_chain, lock_rows
from station.db.models import Operator, PinCheck
from station.domain import fields, pins, times
from station.domain.errors import StationError, give
from station.domain.states import Role
from station.domain.text import show
from station.services.context import Context
from station.services.people import roles
from station.services.records import audit

MAX_WRONG_PINS = 5
LOCK_TIME = dt.timedelta(minutes=5)
ROLES = tuple(role.value for role in Role)


@dataclass(frozen=True)
class OperatorView:
    name: str
    role: str
    enabled: bool
    badge: bool
    locked_until: dt.datetime | None
    created_at: dt.datetime
    created_by: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "role": self.role,
            "enabled": self.enabled,
            "badge": self.badge,
            "locked_until": times.utc(self.locked_until) if self.locked_until else None,
            "created_at": times.utc(self.created_at),
            "created_by": self.created_by,
        }


@dataclass(frozen=True)
class SignedIn:
    name: str
    role: str


def _view(row: Operator) -> OperatorView:
    return OperatorView(
        row.name,
        row.role,
        row.enabled,
        row.badge_digest is not None,
        row.locked_until,
        row.created_at,
        row.created_by,
    )


def list_operators(ctx: Context) -> list[OperatorView]:
    return [_view(row) for row in Operator.select().order_by(Operator.name)]


def add(ctx: Context, name: str, role: str, pin: str) -> OperatorView:
    """Add an operator. The first must be a supervisor (someone must be able to manage the
    rest); after that only a supervisor adds anyone."""
    name = fields.person_name(name)
    if role not in ROLES:
        raise StationError(f"role must be {' or '.join(ROLES)}, not {show(role)}")
    pin_hash = pins.hash_pin(pin)  # slow: before the transaction, which it would hold open
    with ctx.db.atomic():
        # Two stations adding the first operator at once: one after the other, so the
        # first-supervisor rule holds (SQLite's transactions already hold the file).
        lock_audit_chain()
        roles.require_supervisor(ctx, "adding an operator")
        if not roles.has_operators(ctx) and role != Role.SUPERVISOR:
            raise StationError(
                "the first operator must be a supervisor (", give("role=supervisor"), ")"
            )
        if _find(name) is not None:
            raise StationError(f"operator {name} already exists")
        row: Operator = Operator.create(
            name=name,
            role=role,
            pin_hash=pin_hash,
            created_at=ctx.now(),
            created_by=ctx.operator,
        )
        audit.record(ctx, "operator.add", f"added {role} {name}", {"name": name, "role": role})
    return _view(row)


def set_enabled(ctx: Context, name: str, enabled: bool) -> OperatorView:
    """Disable an operator (they can no longer sign in or approve) or enable them again;
    the last enabled supervisor stays."""
    with ctx.db.atomic():
        roles.require_supervisor(ctx, "disabling an operator" if not enabled else "enabling one")
        row = _get(name)
        if row.enabled == enabled:
            raise StationError(f"operator {row.name} is already {_able(enabled)}")
        if not enabled and row.role == Role.SUPERVISOR and _supervisors() == 1:
            raise StationError(
                f"{row.name} is the last enabled supervisor: add or enable another first"
            )
        Operator.update(enabled=enabled).where(Operator.id == row.id).execute()
        audit.record(
            ctx,
            f"operator.{'enable' if enabled else 'disable'}",
            f"{_able(enabled)} operator {row.name}",
            {"name": row.name},
        )
        row.enabled = enabled
    return _view(row)


def change_pin(ctx: Context, name: str, pin: str) -> None:
    """A new PIN for ``name``: their own, or anyone's for a supervisor. It also lifts a lock."""
    pin_hash = pins.hash_pin(pin)
    with ctx.db.atomic():
        row = _get(name)
        if row.name != ctx.operator or ctx.role is None:
            roles.require_supervisor(ctx, "changing another operator's PIN")
        Operator.update(pin_hash=pin_hash, failed_pins=0, locked_until=None).where(
            Operator.id == row.id
        ).execute()
        # The wrong PINs before it no longer count toward a lock.
        PinCheck.delete().where((PinCheck.name == row.name) & PinCheck.asked_by.is_null()).execute()
        audit.record(ctx, "operator.pin", f"changed the PIN of {row.name}", {"name": row.name})


def issue_badge(ctx: Context, name: str, deliver: Callable[[SignedIn, str], None]) -> bool:
    """A new badge for ``name``: ``deliver`` draws its code (a file, a printer) before the
    code replaces the old badge's, so a failed print leaves the old badge working. The code
    goes nowhere else. Returns whether it replaced a badge."""
    code = pins.new_badge_code()
    with ctx.db.atomic():
        roles.require_supervisor(ctx, "issuing a badge")
        row = _get(name)
        if not row.enabled:
            raise StationError(f"operator {row.name} is disabled: enable them first")
        deliver(SignedIn(row.name, row.role), code)
        replaced = row.badge_digest is not None
        summary = f"issued a badge to {row.name}"
        Operator.update(badge_digest=pins.badge_digest(code)).where(Operator.id == row.id).execute()
        audit.record(
            ctx,
            "operator.badge",
            summary + ("; the old one no longer signs in" if replaced else ""),
            {"name": row.name, "replaced": replaced},
        )
    return replaced


def sign_in(ctx: Context, name: str, pin: str) -> SignedIn:
    """Check ``name`` and ``pin``. Each check is counted before it is made, so at most
    :data:`MAX_WRONG_PINS` wrong PINs are checked for one name in any five minutes however
    many processes try at once; the fifth locks the operator for five minutes (recorded in
    the audit trail). A name that is no enabled operator's gets the same answers, counts and
    lock as a wrong PIN, so sign-in does not tell who the operators are."""
    name = fields.person_name(name)
    row = _find(name)
    check = _counted(ctx, name, None, row)
    # One slow check whatever the name: a name not on record must not answer sooner.
    if row is None:
        pins.spend_a_check()
        _wrong_pin(ctx, name, None)
    if not pins.pin_matches(pin, row.pin_hash):
        _wrong_pin(ctx, name, row)
    PinCheck.delete().where(PinCheck.id == check).execute()
    if not row.enabled:
        raise StationError(f"operator {row.name} is disabled: a supervisor can enable them")
    return SignedIn(row.name, row.role)


def approve(ctx: Context, name: str, pin: str) -> str:
    """``name`` approves what ``ctx``'s operator asks, if ``pin`` is that supervisor's.

    Wrong approvals count against the operator asking, not the supervisor: an operator
    cannot lock a supervisor out by naming them. An unknown name and a wrong PIN get the
    same answer, so approvals do not tell who the supervisors are."""
    asker = ctx.operator
    try:
        name = fields.person_name(name)
    except StationError:
        name = ""
    row = _find(name) if name else None
    check = _counted(ctx, name, asker, None)
    if row is None or not row.enabled or not pins.pin_matches(pin, row.pin_hash):
        if row is None or not row.enabled:
            pins.spend_a_check()
        wrong = _recent(ctx, PinCheck.asked_by == asker)
        left = MAX_WRONG_PINS - wrong
        pause = f"{left} more and approvals asked by {asker} pause for five minutes"
        raise StationError(
            "approval refused: no supervisor with that name and PIN "
            f"({pause if left > 0 else f'approvals asked by {asker} pause for five minutes'})"
        )
    PinCheck.delete().where(PinCheck.id == check).execute()
    return approver(SignedIn(row.name, row.role))


def _counted(ctx: Context, name: str, asker: str | None, row: Operator | None) -> int:
    """Count a PIN check before making it (its own committed transaction, with the operator
    row held on PostgreSQL, SQLite's file on SQLite): refused when the operator is locked
    or five checks already count. Returns the check's row id."""
    key = (PinCheck.asked_by == asker) if asker is not None else (
        (PinCheck.name == name) & PinCheck.asked_by.is_null()
    )  # fmt: skip
    holder = row.id if row is not None else _find_id(asker)
    with ctx.db.atomic():
        if holder is not None:
            lock_rows(Operator.select(Operator.id).where(Operator.id == holder))
        PinCheck.delete().where(PinCheck.at <= ctx.now() - LOCK_TIME).execute()
        if row is not None:
            _refuse_locked(ctx, Operator.get_by_id(row.id))
        if _recent(ctx, key) >= MAX_WRONG_PINS:
            if asker is not None:
                raise StationError(
                    f"approvals asked by {asker} pause for five minutes after "
                    f"{MAX_WRONG_PINS} wrong ones"
                )
            # As an operator's lock reads (a name on record or not: the same answer).
            newest = PinCheck.select(PinCheck.at).where(key).order_by(PinCheck.at.desc()).get()
            raise StationError(
                f"operator {name} is locked after {MAX_WRONG_PINS} wrong PINs until "
                f"{times.local(newest.at + LOCK_TIME)}"
            )
        check: int = PinCheck.insert(name=name, asked_by=asker, at=ctx.now()).execute()
    return check


def _recent(ctx: Context, key: Any) -> int:
    return int(PinCheck.select().where(key & (PinCheck.at > ctx.now() - LOCK_TIME)).count())


def _find_id(name: str | None) -> int | None:
    found = _find(name) if name else None
    return found.id if found is not None else None


def sign_in_badge(ctx: Context, code: str) -> SignedIn:
    """The operator whose current badge carries ``code``."""
    row = (
        Operator.get_or_none(Operator.badge_digest == pins.badge_digest(code))
        if pins.is_badge(code)
        else None
    )
    if row is None:
        raise StationError("badge not recognised: it was replaced, or never issued here")
    if not row.enabled:
        raise StationError(f"operator {row.name} is disabled")
    _refuse_locked(ctx, row)
    return SignedIn(row.name, row.role)


def still_enabled(ctx: Context, name: str) -> bool:
    """Whether ``name``, signed in earlier, may still act (not disabled since)."""
    row = _find(name)
    return row is not None and row.enabled


def act_as(ctx: Context, signed: SignedIn | None) -> None:
    """From now on ``ctx`` acts for ``signed`` (None: for no one, as after signing out)."""
    ctx.operator = signed.name if signed is not None else ctx.settings.operator or "signed-out"
    ctx.role = signed.role if signed is not None else None


def approver(signed: SignedIn) -> str:
    """``signed`` (checked by PIN or badge) as an approver: refused unless a supervisor."""
    if signed.role != Role.SUPERVISOR:
        raise StationError(f"{signed.name} is not a supervisor and cannot approve")
    return signed.name


def _find(name: str) -> Operator | None:
    row: Operator | None = Operator.get_or_none(Operator.name == name)
    return row


def _get(name: str) -> Operator:
    row = _find(fields.person_name(name))
    if row is None:
        raise StationError(f"no operator {name.strip()}")
    return row


def _supervisors() -> int:
    return int(
        Operator.select(fn.COUNT(Operator.id))
        .where((Operator.role == Role.SUPERVISOR) & Operator.enabled)
        .scalar()
    )


def _able(enabled: bool) -> str:
    return "enabled" if enabled else "disabled"


def _refuse_locked(ctx: Context, row: Operator) -> None:
    if row.locked_until is not None and row.locked_until > ctx.now():
        raise StationError(
            f"operator {row.name} is locked after {MAX_WRONG_PINS} wrong PINs until "
            f"{times.local(row.locked_until)}"
        )


def _wrong_pin(ctx: Context, name: str, row: Operator | None) -> NoReturn:
    """A wrong PIN, or a name no operator has (its check stays counted): lock at the limit
    (an operator's lock is recorded), and refuse alike either way."""
    with ctx.db.atomic():
        if row is not None:
            lock_rows(Operator.select(Operator.id).where(Operator.id == row.id))
        wrong = _recent(ctx, (PinCheck.name == name) & PinCheck.asked_by.is_null())
        locked = Operator.get_by_id(row.id).locked_until if row is not None else None
        if row is not None and wrong >= MAX_WRONG_PINS and (locked is None or locked <= ctx.now()):
            until = ctx.now() + LOCK_TIME
            Operator.update(locked_until=until).where(Operator.id == row.id).execute()
            audit.record(
                ctx,
                "operator.locked",
                f"locked {row.name} for {LOCK_TIME.seconds // 60} minutes after "
                f"{MAX_WRONG_PINS} wrong PINs",
                {"name": row.name, "until": times.iso(until)},
            )
    if wrong >= MAX_WRONG_PINS:
        raise StationError(
            f"wrong PIN for {name}: locked for {LOCK_TIME.seconds // 60} minutes after "
            f"{MAX_WRONG_PINS} wrong PINs"
        )
    left = MAX_WRONG_PINS - wrong
    raise StationError(f"wrong PIN for {name} ({left} more wrong and it locks)")
