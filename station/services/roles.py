"""Who may do what: an operator does the bench's daily work; undoing or overriding it (voids,
reprints, cancelled jobs, corrected orders, printers, operators, Metrc) takes a supervisor,
or an operator with a supervisor's approval (recorded as ``approved_by``).

Until the station has its first operator there are no roles and everyone may do everything,
as before operators existed.
"""

from __future__ import annotations

from station.db.models import Operator
from station.domain.errors import NeedsSupervisor, StationError
from station.domain.states import Role
from station.services.context import Context


def has_operators(ctx: Context) -> bool:
    return bool(Operator.select().exists())


def require_supervisor(ctx: Context, what: str) -> None:
    """Refuse ``what`` (e.g. "voiding tags") unless a supervisor is signed in or approved it."""
    if ctx.role == Role.SUPERVISOR or ctx.approved_by() is not None:
        return
    if ctx.role is None:
        if not has_operators(ctx):
            return
        raise StationError(f"{what} needs a signed-in supervisor: sign in first")
    raise NeedsSupervisor(
        f"{what} needs a supervisor: {ctx.operator} is an operator; a supervisor can approve "
        "it (--approve NAME, or the approval dialog in the UI)",
        what,
    )
