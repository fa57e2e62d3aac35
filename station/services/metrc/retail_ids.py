"""Metrc Retail ID: unit codes for packages here, generated, listed, looked up and associated.

Generating follows the discipline of Metrc pushes: the issuance is written (``sending``)
before the call goes out and settled with Metrc's answer. When the answer is lost, the next
generate for that package first asks Metrc what it holds (``packages/info``, then the
package's ranges from ``receive``) and settles from that: a blind second generate could
spend the allotment twice and leave codes nobody prints.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from peewee import fn

from station.db.locking import locked
from station.db.models import (
    Facility,
    MetrcObject,
    PrintItem,
    RetailAssociation,
    RetailIssuance,
    Tag,
)
from station.db.rows import slices, tuples
from station.domain import retail_id, times
from station.domain.errors import StationError, give
from station.domain.retail_id import RetailId
from station.domain.states import IssuanceState, MetrcObjectState, TagStatus, TagType
from station.domain.text import plural, show
from station.metrc import retail
from station.metrc.client import MAX_CALL_S, MetrcError, MetrcUnsure, MetrcValidation
from station.metrc.retail import Ranges, RetailCaller, Units, count_units
from station.services import state_rules
from station.services.context import Context
from station.services.records import audit

T = TypeVar("T")

# The most codes one generate asks for: a day's packaging run, with room to spare.
MAX_QUANTITY = 50_000
# How long a generate's request may be on its way: its station's longest call, and a minute
# more. Until then another station neither settles it nor sends one of its own.
IN_FLIGHT = dt.timedelta(seconds=MAX_CALL_S + 60)
# The most units one associate takes (lines read), and how many URLs go in one call.
MAX_SCANNED = 20_000
URLS_PER_CALL = 500
# A scanned URL sent as scanned when it is this well-formed; otherwise it is rebuilt.
_WELL_FORMED = re.compile(r"^HTTPS?://[A-Z0-9.-]{1,60}/[0-9A-Z_-]{10,40}$", re.IGNORECASE)


@dataclass(frozen=True)
class Issued:
    """Unit codes Metrc issued for a package in one generate."""

    id: int
    metrc_id: str | None
    units: int
    ranges: Ranges

    @classmethod
    def of(cls, issuance: RetailIssuance) -> Issued:
        return cls(issuance.id, issuance.metrc_id, issuance.units, _ranges(issuance.ranges))


@dataclass(frozen=True)
class Generated:
    issuance: Issued
    settled: bool
    """True when this settled an earlier generate whose answer was lost (nothing new asked)."""


@dataclass(frozen=True)
class Code:
    index: int
    url: str
    printed: bool


@dataclass(frozen=True)
class Lookup:
    unit: RetailId
    ours: bool
    issuance: int | None
    printed: bool
    associated_with: str | None
    metrc: Units | None
    asked_metrc: bool

    def as_dict(self) -> dict[str, Any]:
        found: dict[str, Any] = {
            "tag": self.unit.tag,
            "index": self.unit.index,
            "url": self.unit.url,
            "package_here": self.ours,
            "issuance": self.issuance,
            "printed": self.printed,
            "associated_with": self.associated_with,
        }
        if self.asked_metrc:
            units = self.metrc
            found["metrc"] = (
                None
                if units is None
                else {
                    "qr_count": units.qr_count,
                    "child_tag": units.child_tag,
                    "sibling_tags": units.sibling_tags,
                    "requires_verification": units.requires_verification,
                }
            )
        return found


def package_tag(ctx: Context, uid: str) -> Tag:
    """The tag ``uid`` (normalized) when it is used on a package here; refused otherwise."""
    tag: Tag | None = Tag.select(Tag, Facility).join(Facility).where(Tag.uid == uid).first()
    if tag is None:
        raise StationError(f"{uid} is not a tag of this station; Retail ID is for packages here")
    if tag.tag_type != TagType.PACKAGE:
        raise StationError(f"{uid} is a {tag.tag_type} tag; Retail ID codes are for packages")
    if tag.status != TagStatus.USED:
        raise StationError(
            f"{uid} is {tag.status}, not used on a package; assign it to a package first"
        )
    return tag


def allotment(client: RetailCaller) -> int:
    return retail.allotment(client)


def with_metrc(
    ctx: Context,
    license_number: str | None,
    call: Callable[[RetailCaller], T],
    on_wait: Callable[[str], None] | None = None,
) -> T:
    """``call`` with a Metrc client for ``license_number`` (or the only facility), closed
    afterwards: for the UI and the command line alike. Refused, without calling Metrc, where
    the facility's state has no Retail ID."""
    from station.services.metrc import pull, session

    chosen = pull.licenses_to_check(ctx, license_number)
    if len(chosen) == 1:
        _refuse_where_absent(ctx, chosen[0].license_number, chosen[0].state)
    with session.client_for(ctx, license_number, on_wait) as client:
        return call(client)


def _refuse_where_absent(ctx: Context, license_number: str, state: str) -> None:
    """A one-line refusal where the state's Metrc has no Retail ID (Colorado, Missouri...)."""
    rule = state_rules.profile(ctx, state).rule("retail_id")
    if rule is not None and rule.value.mode == "absent":
        raise StationError(
            f"Retail ID is not available in {state}, where {license_number} is: Metrc's API "
            f"there has no Retail ID calls ({rule.cited()})"
        )


def for_package(
    ctx: Context,
    uid: str,
    call: Callable[[RetailCaller], T],
    on_wait: Callable[[str], None] | None = None,
) -> T:
    """:func:`with_metrc` as the facility of the package ``uid`` (a package here)."""
    return with_metrc(ctx, str(package_tag(ctx, uid).facility.license_number), call, on_wait)


def generate(ctx: Context, client: RetailCaller, uid: str, quantity: int) -> Generated:
    """Have Metrc issue ``quantity`` codes for the package ``uid``; refused (nothing
    recorded) over the facility's allotment. A generate whose answer was lost is settled
    first, and when it did reach Metrc that is the result: nothing more is asked."""
    if not 1 <= quantity <= MAX_QUANTITY:
        raise StationError(give("quantity"), f" must be 1 to {MAX_QUANTITY:,}, not {quantity:,}")
    tag = package_tag(ctx, uid)
    _check_license(tag, client)
    pending = RetailIssuance.get_or_none(tag=tag.id, state=IssuanceState.SENDING)
    if pending is not None:
        _refuse_in_flight(ctx, tag, pending)
        settled = _settle(ctx, client, tag, pending)
        if settled is not None:
            return Generated(Issued.of(settled), True)
    left = retail.allotment(client)
    if quantity > left:
        raise StationError(
            f"asked for {plural(quantity, 'code')}; {tag.facility.license_number} has "
            f"{left:,} left in its Retail ID allotment"
        )
    issuance = _claim(ctx, tag, quantity)
    try:
        issued = retail.generate(client, tag.uid, quantity)
    except MetrcUnsure as exc:
        _answer_lost(ctx, issuance)
        raise MetrcUnsure(
            f"{exc}; run the same generate again: it asks Metrc what it holds for {tag.uid} "
            "before asking for anything"
        ) from None
    except MetrcError as exc:
        # A refusal: Metrc issued nothing, so nothing stays recorded.
        RetailIssuance.delete().where(
            (RetailIssuance.id == issuance.id) & (RetailIssuance.state == IssuanceState.SENDING)
        ).execute()
        if (
            isinstance(exc, MetrcValidation)
            and "not found" in str(exc).lower()
            and not _pushed(tag.uid)
        ):
            # Metrc does not know a package made here: most likely it was never pushed.
            # [I] Metrc's words for an unknown package ("... not found") are inferred.
            raise StationError(
                f"{exc}; {tag.uid} was never pushed to Metrc from this station: push it "
                "first, then generate"
            ) from None
        raise
    except BaseException:
        # Anything else after the request went out (an answer that cannot be read, an
        # interrupt): the request is in doubt, for the next generate to settle.
        _answer_lost(ctx, issuance)
        raise
    issuance = _issued(ctx, issuance, issued.issuance_id, issued.ranges, False)
    return Generated(Issued.of(issuance), False)


def _pushed(uid: str) -> bool:
    """Whether Metrc accepted the package ``uid`` from this station (``metrc push``)."""
    query = MetrcObject.select(MetrcObject.id).where(
        (MetrcObject.key_uid == uid) & (MetrcObject.state == MetrcObjectState.ACCEPTED)
    )
    return bool(query.exists())


def _in_flight(ctx: Context, pending: RetailIssuance) -> bool:
    """Whether a ``sending`` request may still be on its way: its station has not said its
    answer was lost, and it is younger than the longest a call may take (a station killed
    half way leaves it so until then)."""
    return pending.answered_at is None and pending.created_at > ctx.now() - IN_FLIGHT


def _refuse_in_flight(ctx: Context, tag: Tag, pending: RetailIssuance) -> None:
    """One generate per package at a time, across processes and stations: a request still
    on its way is neither settled (Metrc may not show its codes yet) nor sent again."""
    if _in_flight(ctx, pending):
        raise StationError(
            f"another generate for {tag.uid} is under way (asked by {pending.created_by} at "
            f"{times.local(pending.created_at)}); wait for it, then see retailid codes "
            f"(if that station stopped, the next generate after "
            f"{times.local(pending.created_at + IN_FLIGHT)} settles it from Metrc)"
        )


def _answer_lost(ctx: Context, issuance: RetailIssuance) -> None:
    """Mark a request whose answer was lost: no longer in flight, for the next generate to
    settle from what Metrc holds."""
    RetailIssuance.update(answered_at=ctx.now()).where(
        (RetailIssuance.id == issuance.id) & (RetailIssuance.state == IssuanceState.SENDING)
    ).execute()


def _check_license(tag: Tag, client: RetailCaller) -> None:
    if tag.facility.license_number != client.license_number:
        raise StationError(
            f"{tag.uid} is at {tag.facility.license_number}, not {client.license_number}"
        )


def _claim(ctx: Context, tag: Tag, quantity: int) -> RetailIssuance:
    """Write the issuance as ``sending``, under a lock on the tag: of two stations asking
    for one package at once, the second is refused rather than sent."""
    with ctx.db.atomic():
        list(locked(Tag.select(Tag.id).where(Tag.id == tag.id)))
        pending = RetailIssuance.get_or_none(tag=tag.id, state=IssuanceState.SENDING)
        if pending is not None:
            _refuse_in_flight(ctx, tag, pending)
            raise StationError(
                f"an earlier generate for {tag.uid} lost its answer meanwhile: run generate "
                "again to settle it from Metrc"
            )
        created: RetailIssuance = RetailIssuance.create(
            tag=tag.id,
            facility=tag.facility_id,
            quantity=quantity,
            state=IssuanceState.SENDING,
            created_at=ctx.now(),
            created_by=ctx.operator,
        )
        return created


def _issued(
    ctx: Context,
    issuance: RetailIssuance,
    metrc_id: str | None,
    ranges: Ranges,
    settled: bool,
) -> RetailIssuance:
    """Record Metrc's issuance (and audit it) in one transaction.

    Another station may have settled this request meanwhile (it found the request pending
    and Metrc already holding its codes), or removed it (Metrc did not show them yet): the
    codes are Metrc's either way, so an issuance already recorded is kept as it is, and a
    removed one is written again."""
    units = count_units(ranges)
    tag = Tag.get_by_id(issuance.tag_id)
    with ctx.db.atomic():
        current = locked(RetailIssuance.select().where(RetailIssuance.id == issuance.id))
        found: RetailIssuance | None = current.first()
        if found is not None and found.state == IssuanceState.ISSUED:
            return found
        issuance.state = IssuanceState.ISSUED
        issuance.metrc_id = metrc_id
        issuance.ranges = json.dumps([list(pair) for pair in ranges])
        issuance.units = units
        issuance.answered_at = ctx.now()
        issuance.save(force_insert=found is None)
        how = " (settled from what Metrc holds: the first answer was lost)" if settled else ""
        audit.record(
            ctx,
            "retailid.generate",
            f"{plural(units, 'Retail ID code')} for {tag.uid}, indexes "
            f"{describe_ranges(ranges)}{how}",
            {
                "issuance": issuance.id,
                "metrc_issuance": metrc_id,
                "quantity": issuance.quantity,
                "units": units,
                "ranges": [list(pair) for pair in ranges],
                "settled_from_metrc": settled,
            },
            tag_count=1,
            uids=[tag.uid],
        )
    return issuance


def _settle(
    ctx: Context, client: RetailCaller, tag: Tag, pending: RetailIssuance
) -> RetailIssuance | None:
    """Settle a generate whose answer was lost from what Metrc holds: the issuance when it
    went through, else None (and it is removed: Metrc never issued it)."""
    known = stored_ranges(ctx, tag.id)
    info = retail.packages_info(client, [tag.uid]).get(tag.uid)
    if info is None or info.qr_count <= count_units(known):
        RetailIssuance.delete().where(
            (RetailIssuance.id == pending.id) & (RetailIssuance.state == IssuanceState.SENDING)
        ).execute()
        return None
    units = retail.receive(client, tag.uid)
    new = without_ranges(units.ranges if units else [], known)
    if not new:
        raise MetrcError(
            f"Metrc counts {info.qr_count:,} codes for {tag.uid} but lists none the station "
            "lacks; try again later"
        )
    return _issued(ctx, pending, info.issuance_id, new, True)


def without_ranges(ranges: Ranges, known: Ranges) -> Ranges:
    """The parts of ``ranges`` not in ``known`` (both lists of inclusive pairs), in order; one
    pass over both sorted (``known`` may be tens of thousands of printed units)."""
    cuts = sorted(known)
    left: Ranges = []
    at = 0
    for first, last in sorted(ranges):
        while at < len(cuts) and cuts[at][1] < first:
            at += 1
        start, step = first, at
        while step < len(cuts) and cuts[step][0] <= last:
            cut_first, cut_last = cuts[step]
            if cut_first > start:
                left.append((start, cut_first - 1))
            start = max(start, cut_last + 1)
            step += 1
        if start <= last:
            left.append((start, last))
    return left


def stored_ranges(ctx: Context, tag_id: int) -> Ranges:
    """Every index range issued for the tag's package, as recorded here."""
    found: Ranges = []
    query = RetailIssuance.select(RetailIssuance.ranges).where(
        (RetailIssuance.tag == tag_id) & (RetailIssuance.state == IssuanceState.ISSUED)
    )
    for (text,) in tuples(query):
        found.extend(_ranges(text))
    return sorted(found)


def _ranges(stored: str | None) -> Ranges:
    """An issuance's index ranges as stored (a JSON list of pairs; none before its answer)."""
    return [(first, last) for first, last in json.loads(stored or "[]")]


def describe_ranges(ranges: Ranges) -> str:
    shown = ", ".join(f"{a}" if a == b else f"{a}-{b}" for a, b in sorted(ranges)[:5])
    return shown + (f" and {len(ranges) - 5} more ranges" if len(ranges) > 5 else "")


def issued_units(ctx: Context, uid: str) -> int:
    """How many unit codes Metrc issued for the package ``uid`` (all its generates)."""
    tag = package_tag(ctx, uid)
    total = RetailIssuance.select(fn.SUM(RetailIssuance.units)).where(RetailIssuance.tag == tag.id)
    return int(total.scalar() or 0)


def codes(ctx: Context, uid: str) -> Iterator[Code]:
    """Every code issued for the package ``uid``, by index, and whether its label printed."""
    tag = package_tag(ctx, uid)
    printed = printed_units(ctx, tag.id)
    for first, last in stored_ranges(ctx, tag.id):
        indexes = range(first, last + 1)
        for index, url in zip(indexes, retail_id.urls(tag.uid, indexes), strict=True):
            yield Code(index, url, index in printed)


def printed_units(ctx: Context, tag_id: int) -> set[int]:
    """The units of the tag's package whose label was printed (or may have been)."""
    query = PrintItem.select(PrintItem.unit).where(
        (PrintItem.tag == tag_id) & PrintItem.unit.is_null(False) & PrintItem.counts_as_printed()
    )
    return {unit for (unit,) in tuples(query)}


def unit_printed(ctx: Context, tag_id: int, index: int) -> bool:
    """Whether that one unit's label was printed (or may have been)."""
    query = PrintItem.select(PrintItem.id).where(
        (PrintItem.tag == tag_id) & (PrintItem.unit == index) & PrintItem.counts_as_printed()
    )
    return bool(query.exists())


# --- association -----------------------------------------------------------------------


def read_units(lines: Sequence[str]) -> list[tuple[RetailId, str]]:
    """Each scanned unit with the URL to send for it, checked offline: refused whole, with
    the line, when one is not a Retail ID. Blank lines are skipped; a unit scanned twice
    counts once."""
    if len(lines) > MAX_SCANNED:
        raise StationError(f"{len(lines):,} lines; at most {MAX_SCANNED:,} units at a time")
    found: dict[RetailId, str] = {}
    for number, line in enumerate(lines, start=1):
        text = line.strip()
        if not text:
            continue
        try:
            unit = retail_id.decode(text)
        except StationError as exc:
            raise StationError(f"line {number} ({show(text, 60)}): {exc}") from None
        # [I] Metrc's example sends URLs; the scanned text goes as scanned when it is a
        # well-formed URL, and is rebuilt when a keyboard layout mangled its separators.
        found.setdefault(unit, text if _WELL_FORMED.match(text) else unit.url)
    if not found:
        raise StationError("no Retail ID units scanned")
    return list(found.items())


def associate(
    ctx: Context, client: RetailCaller, uid: str, units: list[tuple[RetailId, str]]
) -> int:
    """Tell Metrc the scanned ``units`` are in the package ``uid`` (a package here), and
    record it. Metrc adds or replaces an association, so a call whose answer was lost is
    safely sent again. Returns how many units were associated."""
    package = package_tag(ctx, uid)
    _check_license(package, client)
    done = 0
    for part in slices(units, URLS_PER_CALL):
        retail.associate(client, package.uid, [url for _, url in part])
        with ctx.db.atomic():
            for chunk in slices(part):
                keys = [(u.tag, u.index) for u, _ in chunk]
                _forget(keys)
                RetailAssociation.insert_many(
                    [
                        {
                            "package": package.id,
                            "unit_tag": unit.tag,
                            "unit_index": unit.index,
                            "url": url,
                            "created_at": ctx.now(),
                            "created_by": ctx.operator,
                        }
                        for unit, url in chunk
                    ]
                ).execute()
            audit.record(
                ctx,
                "retailid.associate",
                f"{plural(len(part), 'Retail ID unit')} associated with {package.uid}",
                {"units": [url for _, url in part]},
                tag_count=1,
                uids=[package.uid],
            )
        done += len(part)
    return done


def _forget(keys: list[tuple[str, int]]) -> None:
    """Drop the associations of these units: one statement per package they come from
    (scanned units are usually of one or two)."""
    by_tag: dict[str, list[int]] = {}
    for tag, index in keys:
        by_tag.setdefault(tag, []).append(index)
    for tag, indexes in by_tag.items():
        RetailAssociation.delete().where(
            (RetailAssociation.unit_tag == tag) & RetailAssociation.unit_index.in_(indexes)
        ).execute()


# --- lookup ----------------------------------------------------------------------------


def home_license(ctx: Context, scanned: str) -> str | None:
    """The facility holding the scanned unit's package, when that package is here."""
    unit = retail_id.decode(scanned)
    found = Facility.select(Facility.license_number).join(Tag).where(Tag.uid == unit.tag)
    row = found.tuples().first()
    return str(row[0]) if row else None


def lookup(ctx: Context, scanned: str, client: RetailCaller | None) -> Lookup:
    """A scanned unit decoded offline, what the station knows of it, and (with a client)
    what Metrc holds for its code."""
    unit = retail_id.decode(scanned)
    tag = Tag.get_or_none(Tag.uid == unit.tag)
    issuance = None
    printed = False
    if tag is not None:
        for row in RetailIssuance.select().where(
            (RetailIssuance.tag == tag.id) & (RetailIssuance.state == IssuanceState.ISSUED)
        ):
            if any(first <= unit.index <= last for first, last in _ranges(row.ranges)):
                issuance = row.id
        printed = unit_printed(ctx, tag.id, unit.index)
    link = (
        RetailAssociation.select(Tag.uid)
        .join(Tag)
        .where(
            (RetailAssociation.unit_tag == unit.tag) & (RetailAssociation.unit_index == unit.index)
        )
        .tuples()
        .first()
    )
    metrc = retail.receive_qr(client, unit.short_code) if client is not None else None
    return Lookup(
        unit,
        ours=tag is not None,
        issuance=issuance,
        printed=printed,
        associated_with=link[0] if link else None,
        metrc=metrc,
        asked_metrc=client is not None,
    )
