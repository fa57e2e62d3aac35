"""Who may do what: an operator does the bench's daily work; undoing or overriding it (voids,
reprints, cancelled jobs, corrected orders, restores, printers, operators, Metrc) takes a
supervisor, or an operator with a supervisor's approval (recorded as ``approved_by``).

:data:`COMMANDS` is the one table of every command's required role: the command line checks
it before a command touches anything, docs/security.md prints it, and a test runs every command
as every role against it. The services keep their own checks too, for the terminal UI,
which reaches them without a command.

Until the station has its first operator there are no roles and everyone may do everything,
as before operators existed.
"""

from __future__ import annotations

from dataclasses import dataclass

from station.db.models import Operator
from station.domain.errors import APPROVE, NeedsSupervisor, StationError
from station.domain.states import Role
from station.services.context import Context


@dataclass(frozen=True)
class Need:
    """What one command needs of whoever runs it."""

    role: Role | None
    """The least role that may run it; None: anyone, for it never opens the database."""
    what: str = ""
    """How a refusal names it ("voiding tags"), for a supervisor's command."""
    supervisor_with: tuple[tuple[str, str], ...] = ()
    """Options (by parameter name) that make it a supervisor's, each with how a refusal
    names it; ``{value}`` stands for the option's value."""
    note: str = ""
    """A rule the services check on the data itself, for docs/security.md."""


OPERATOR = Role.OPERATOR
SUPERVISOR = Role.SUPERVISOR
_ANYONE = Need(None)
_BENCH = Need(OPERATOR)


def _supervisor(what: str) -> Need:
    return Need(SUPERVISOR, what)


COMMANDS: dict[str, Need] = {
    "assign package": _BENCH,
    "assign plant": _BENCH,
    "audit": _BENCH,
    "audit head": _BENCH,
    "audit key export": _supervisor("exporting the chain key"),
    "audit key import": _supervisor("importing a chain key"),
    "audit verify": _BENCH,
    "backup": _BENCH,
    "batch set": _BENCH,
    "check": _BENCH,
    "count finish": _BENCH,
    "count list": _BENCH,
    "count read": _BENCH,
    "count report": _BENCH,
    "count start": _BENCH,
    "due": _BENCH,
    "export audit": _BENCH,
    "export packages": _BENCH,
    "export packed-plants": _BENCH,
    "export plant-tags": _BENCH,
    "export replaced-tags": _BENCH,
    "export tags": _BENCH,
    "facility add": _BENCH,
    "facility list": _BENCH,
    "facility rename": _supervisor("renaming a facility"),
    "facility state": _supervisor("changing a facility's state"),
    "job cancel": _supervisor("cancelling a print job"),
    "job pause": _BENCH,
    "job resume": Need(OPERATOR, supervisor_with=(("uncertain", "{value} of uncertain labels"),)),
    "job show": _BENCH,
    "jobs": _BENCH,
    "metrc keys clear": _supervisor("clearing the Metrc keys"),
    "metrc keys set": _supervisor("setting the Metrc keys"),
    "metrc pull": _supervisor("pulling tags from Metrc"),
    "metrc push": _supervisor("pushing to Metrc"),
    "metrc reconcile": _BENCH,
    "operator add": Need(
        SUPERVISOR, "adding an operator", note="the first operator, on a new station: anyone"
    ),
    "operator badge": _supervisor("issuing a badge"),
    "operator disable": _supervisor("disabling an operator"),
    "operator enable": _supervisor("enabling one"),
    "operator list": _BENCH,
    "operator pin": Need(OPERATOR, note="another operator's PIN: a supervisor"),
    "order add": _BENCH,
    "order delete": _supervisor("deleting an order"),
    "order edit": _supervisor("correcting an order"),
    "order import": _BENCH,
    "order list": _BENCH,
    "print": Need(OPERATOR, supervisor_with=(("reprint", "reprinting labels"),)),
    "printer add": _supervisor("adding a printer"),
    "printer default": _supervisor("choosing the default printer"),
    "printer list": _BENCH,
    "printer remove": _supervisor("removing a printer"),
    "printer set": _supervisor("changing a printer"),
    "printer status": _BENCH,
    "printer test": _BENCH,
    "printer verify-runs": _supervisor("verifying a printer's runs"),
    "receive": _BENCH,
    "rfid check": _BENCH,
    "render": _BENCH,
    "replace": _BENCH,
    "restore": _supervisor("restoring a backup"),
    "retailid allotment": _BENCH,
    "retailid associate": _BENCH,
    "retailid codes": _BENCH,
    "retailid generate": _BENCH,
    "retailid lookup": _BENCH,
    "states": _ANYONE,
    "states show": _ANYONE,
    "stock": _BENCH,
    "tag": _BENCH,
    "tags": _BENCH,
    "templates": _ANYONE,
    "unreceive": _supervisor("taking tags back out of receipt"),
    "void": _supervisor("voiding tags"),
}


def has_operators(ctx: Context) -> bool:
    return bool(Operator.select().exists())


def require_for_command(ctx: Context, command: str, given: dict[str, object]) -> None:
    """Refuse ``command`` (as :data:`COMMANDS` names it) with the options ``given`` unless
    whoever is signed in may run it. A command missing from the table is refused: a new
    command must say what it needs before it can run."""
    need = COMMANDS.get(command)
    if need is None:
        raise StationError(f"{command!r} has no required role in station.services.people.roles")
    if need.role == SUPERVISOR:
        require_supervisor(ctx, need.what)
    for option, what in need.supervisor_with:
        value = given.get(option)
        if value not in (None, False, ()):
            require_supervisor(ctx, what.format(value=value))


def require_supervisor(ctx: Context, what: str) -> None:
    """Refuse ``what`` (e.g. "voiding tags") unless a supervisor is signed in or approved it."""
    if ctx.role == Role.SUPERVISOR or ctx.approved_by() is not None:
        return
    if ctx.role is None:
        if not has_operators(ctx):
            return
        raise StationError(f"{what} needs a signed-in supervisor: sign in first")
    raise NeedsSupervisor(
        what,
        f"{what} needs a supervisor: {ctx.operator} is an operator; a supervisor can approve it (",
        APPROVE,
        ")",
    )
