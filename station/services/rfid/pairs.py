"""The pairing check: is a tag's EPC its printed UID? A worker scans (or types) the UID
printed on one tag and reads the same tag by RFID. Where the EPC is the UID, the check is
recorded (the station's own evidence for what ``rfid.md`` §1.6 only infers); where it is
not, the pair is learned for the tag's facility and every later read of that EPC is taken
as that UID."""

from __future__ import annotations

from dataclasses import dataclass

from peewee import IntegrityError

from station.db.models import RfidPair
from station.domain.errors import StationError
from station.domain.reads import ReadSet, classify
from station.domain.text import plural
from station.services.context import Context
from station.services.records import audit
from station.services.rfid import known


@dataclass(frozen=True)
class Checked:
    uid: str
    epc: str
    matched: bool
    """The EPC is the printed UID."""
    learned: bool
    """The EPC was another value, now learned as this UID."""


def check(ctx: Context, uid: str, reads: ReadSet) -> Checked:
    """Compare one tag's read with its printed ``uid`` (normalized); learn the pair when they
    differ. Refuses, changing nothing, unless exactly that tag was read."""
    tag = known.tags(ctx, [uid]).get(uid)
    if tag is None:
        raise StationError(f"{uid} is on no order here; record its order first")
    epcs = [classify(epc) for epc in reads.by_epc]
    if not epcs:
        raise StationError("no tag was read: hold the tag to the reader and try again")
    if any(kind.uid == uid for kind in epcs):
        with ctx.db.atomic():
            audit.record(
                ctx,
                "rfid check",
                f"{uid}: its EPC is its printed UID",
                {"uid": uid, "epc": uid, "matched": True, "epcs_read": len(epcs)},
                uids=[uid],
                tag_count=1,
            )
        return Checked(uid, uid, True, False)
    if len(epcs) > 1:
        raise StationError(
            f"{plural(len(epcs), 'different tag')} were read and none is {uid}: hold only "
            "this tag to the reader (tags nearby are read too) and try again"
        )
    kind = epcs[0]
    if not kind.hex:
        raise StationError(f"the read is no EPC ({kind.reason}); nothing was learned")
    if kind.uid is not None and kind.uid in known.tags(ctx, [kind.uid]):
        raise StationError(
            f"the tag read is {kind.uid}, another tag on the station: hold only {uid} to the "
            "reader; nothing was learned"
        )
    learned = known.pairs(ctx, tag.facility_id).get(kind.epc)
    if learned == uid:
        return Checked(uid, kind.epc, False, False)
    if learned is not None:
        raise StationError(
            f"EPC {kind.epc} was learned as {learned}, not {uid}; nothing was changed"
        )
    with ctx.db.atomic():
        try:
            with ctx.db.atomic():
                RfidPair.create(
                    facility=tag.facility_id,
                    epc=kind.epc,
                    uid=uid,
                    learned_at=ctx.now(),
                    learned_by=ctx.operator,
                )
        except IntegrityError:
            raise StationError(
                f"another station learned EPC {kind.epc} at the same moment; check again"
            ) from None
        audit.record(
            ctx,
            "rfid learn",
            f"{uid}: its EPC is {kind.epc}, learned for {tag.license_number}",
            {"uid": uid, "epc": kind.epc, "matched": False},
            uids=[uid],
            tag_count=1,
        )
    return Checked(uid, kind.epc, False, True)
