"""Pulling Metrc's available tags: import the ones the station lacks, and report where the
station and Metrc disagree (reconcile reports only; it never changes anything)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from station.db.models import Reconciliation, Tag
from station.db.rows import slices, tuples
from station.domain.errors import StationError
from station.domain.states import TagStatus, TagType
from station.domain.text import plural
from station.domain.uid import normalize, runs
from station.metrc import shapes
from station.metrc.client import MetrcAuthError
from station.services.context import Context
from station.services.people import roles
from station.services.tags import facilities
from station.services.tags.facilities import FacilityView
from station.services.tags.orders import OrderDraft, create_order

SOURCE = "metrc pull"


class TagSource(Protocol):
    """What pulling needs of the API client (a fake stands in for nothing: the tests run
    the real client against a fake Metrc server)."""

    license_number: str

    def get_list(self, path: str) -> list[dict[str, Any]]: ...


@dataclass
class Comparison:
    """One facility and tag type, as Metrc's available list and the station see it."""

    license_number: str
    tag_type: str
    available_in_metrc: int = 0
    unknown_here: list[str] = field(default_factory=list)  # pull imports these
    imported: list[str] = field(default_factory=list)
    used_here: list[str] = field(default_factory=list)
    voided_here: list[str] = field(default_factory=list)
    not_received_here: list[str] = field(default_factory=list)
    missing_in_metrc: list[str] = field(default_factory=list)
    # Valid UIDs the station holds, but for another of its facilities or as the other type.
    other_facility: list[str] = field(default_factory=list)
    other_type: list[str] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)  # labels that are not UIDs

    def findings(self) -> list[tuple[str, list[str]]]:
        """What needs a person's attention, worst first."""
        return [
            ("used here, still available in Metrc", self.used_here),
            ("voided here, still available in Metrc", self.voided_here),
            ("received here, not available in Metrc", self.missing_in_metrc),
            ("available in Metrc, not yet received here", self.not_received_here),
            ("available in Metrc, unknown here", self.unknown_here),
            ("available in Metrc, held here by another facility", self.other_facility),
            ("available in Metrc, held here as the other tag type", self.other_type),
            ("Metrc labels that are not UIDs (ignored)", self.ignored),
        ]

    def as_dict(self) -> dict[str, Any]:
        return {
            "license_number": self.license_number,
            "type": self.tag_type,
            "available_in_metrc": self.available_in_metrc,
            "imported": self.imported,
            "used_here": self.used_here,
            "voided_here": self.voided_here,
            "missing_in_metrc": self.missing_in_metrc,
            "not_received_here": self.not_received_here,
            "unknown_here": self.unknown_here,
            "other_facility": self.other_facility,
            "other_type": self.other_type,
            "ignored": self.ignored,
        }


def compare(ctx: Context, client: TagSource, tag_type: str) -> Comparison:
    """Fetch Metrc's available ``tag_type`` tags for the client's license and compare."""
    facility = facilities.get_facility(ctx, client.license_number)
    rows = client.get_list(shapes.AVAILABLE_TAGS[tag_type])
    found = Comparison(facility.license_number, tag_type)
    labels: set[str] = set()
    for row in rows:
        label = str(row.get("Label") or "")
        try:
            labels.add(normalize(label))
        except StationError:
            found.ignored.append(label)
    found.available_in_metrc = len(labels)
    ordered = sorted(labels)
    statuses = _statuses(ordered)
    for uid in ordered:
        facility_id, kind, status = statuses.get(uid, (None, None, None))
        if status is None:
            found.unknown_here.append(uid)
        elif facility_id != facility.id:
            found.other_facility.append(uid)
        elif kind != tag_type:
            found.other_type.append(uid)
        elif status == TagStatus.USED:
            found.used_here.append(uid)
        elif status == TagStatus.VOIDED:
            found.voided_here.append(uid)
        elif status == TagStatus.ORDERED:
            found.not_received_here.append(uid)
    received = Tag.select(Tag.uid).where(
        (Tag.facility == facility.id)
        & (Tag.tag_type == tag_type)
        & (Tag.status == TagStatus.RECEIVED)
    )
    found.missing_in_metrc = [
        uid for (uid,) in tuples(received.order_by(Tag.uid)) if uid not in labels
    ]
    # California wants the records reviewed every 30 days: `station due` counts from here.
    Reconciliation.create(
        facility=facility.id,
        tag_type=tag_type,
        at=ctx.now(),
        operator=ctx.operator,
        differences=sum(len(uids) for _, uids in found.findings()),
    )
    return found


def pull(ctx: Context, client: TagSource, tag_type: str) -> Comparison:
    """:func:`compare`, then record the tags Metrc lists that the station lacks, as one
    received order (Metrc gives no order date, so the order is dated today)."""
    roles.require_supervisor(ctx, "pulling tags from Metrc")
    found = compare(ctx, client, tag_type)
    if not found.unknown_here:
        return found
    facility = facilities.get_facility(ctx, client.license_number)
    draft = OrderDraft(
        facility=FacilityView.of(facility),
        tag_type=TagType(tag_type),
        order_date=ctx.today(),
        order_number=None,
        runs=runs(found.unknown_here),
        status=TagStatus.RECEIVED,
    )
    with ctx.db.atomic():
        create_order(ctx, draft, SOURCE)
    found.imported, found.unknown_here = found.unknown_here, []
    return found


def compare_all(
    ctx: Context,
    clients: Iterable[TagSource],
    kinds: Sequence[str],
    act: Callable[[Context, TagSource, str], Comparison],
) -> Iterator[Comparison | str]:
    """:func:`compare` or :func:`pull` (``act``) for each facility and tag type. Asked for
    both types, a licence Metrc gives no plant tags (403: only cultivators have them) yields
    a note instead of stopping the rest."""
    for client in clients:
        for kind in kinds:
            try:
                yield act(ctx, client, kind)
            except MetrcAuthError as exc:
                if exc.status != 403 or kind != "plant" or len(kinds) < 2:
                    raise
                yield f"{client.license_number}: no plant tags from Metrc (403)"


def describe(found: Comparison) -> list[str]:
    """The comparison as lines of text: a heading, then each disagreement with its tags."""
    head = (
        f"{found.license_number} {found.tag_type} tags: "
        f"{found.available_in_metrc:,} available in Metrc"
    )
    if found.imported:
        head += f"; imported {plural(len(found.imported), 'tag')} as received"
    lines = [head]
    for what, uids in found.findings():
        if not uids:
            continue
        spans = [run.span for run in runs(uids)]
        more = ", ..." if len(spans) > 5 else ""
        lines.append(f"  {what}: {len(uids):,} ({', '.join(spans[:5])}{more})")
    if len(lines) == 1:
        lines.append("  the station and Metrc agree")
    return lines


def licenses_to_check(ctx: Context, license_number: str | None) -> list[FacilityView]:
    if license_number is not None:
        return [FacilityView.of(facilities.get_facility(ctx, license_number))]
    found = facilities.list_facilities(ctx)
    if not found:
        raise StationError("no facilities yet: add yours with `station facility add`")
    return found


def _statuses(uids: Iterable[str]) -> dict[str, tuple[int, str, str]]:
    wanted = list(uids)
    found: dict[str, tuple[int, str, str]] = {}
    for part in slices(wanted):
        query = Tag.select(Tag.uid, Tag.facility, Tag.tag_type, Tag.status).where(Tag.uid.in_(part))
        found.update((uid, (fac, kind, status)) for uid, fac, kind, status in tuples(query))
    return found
