"""The states and kinds the station records, named once.

Each is a ``StrEnum``: a member is its string, so it is stored, compared, hashed and written
to JSON exactly as the plain word the database holds.
"""

from __future__ import annotations

from enum import StrEnum


class TagType(StrEnum):
    PLANT = "plant"
    PACKAGE = "package"


class TagStatus(StrEnum):
    """``ordered → received → used``, and ``ordered|received → voided`` (never back)."""

    ORDERED = "ordered"
    RECEIVED = "received"
    USED = "used"
    VOIDED = "voided"


# Only tags that are on hand or in use get labels.
PRINTABLE = (TagStatus.RECEIVED, TagStatus.USED)


class JobState(StrEnum):
    QUEUED = "queued"
    PRINTING = "printing"
    PAUSED = "paused"
    DONE = "done"
    CANCELLED = "cancelled"
    # Never stored: how a job still marked printing shows once its station's hold ran out.
    INTERRUPTED = "interrupted"


# A finished job is never claimed, resumed or cancelled again.
FINISHED = (JobState.DONE, JobState.CANCELLED)


class ItemState(StrEnum):
    """One label of a print job. ``sent`` is written before its bytes go out."""

    PENDING = "pending"
    SENT = "sent"
    DONE = "done"
    UNCERTAIN = "uncertain"
    SKIPPED = "skipped"


# Labels that printed or may have: a new label for their tag is a reprint.
PRINTED_OR_MAYBE = (ItemState.SENT, ItemState.DONE, ItemState.UNCERTAIN)
# Labels that may or may not have printed.
IN_DOUBT = (ItemState.SENT, ItemState.UNCERTAIN)


class MetrcObjectState(StrEnum):
    SENDING = "sending"
    ACCEPTED = "accepted"
    REJECTED = "rejected"


class IssuanceState(StrEnum):
    """A Retail ID issuance: ``sending`` until Metrc's answer (or, when it was lost, what
    Metrc holds) settles it as ``issued``; one that never reached Metrc is removed."""

    SENDING = "sending"
    ISSUED = "issued"


class BackupKind(StrEnum):
    DAILY = "daily"  # written by the first command or UI start of the day
    MANUAL = "manual"  # ``station backup FILE``
    ASIDE = "aside"  # the database as it was before a restore


class Role(StrEnum):
    OPERATOR = "operator"  # the bench's daily work
    SUPERVISOR = "supervisor"  # also what undoes or overrides it (station.services.people.roles)
