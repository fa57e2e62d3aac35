"""Labels of recorded tags: which tags a print or a render takes, and what each label says
(the station's data put into the printer layer's terms)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal

from printers.errors import PrinterError
from printers.label import LabelData
from printers.layout import refuse_cut_fields
from printers.template import Template
from station.domain import retail_id
from station.domain.errors import StationError
from station.domain.states import PRINTABLE
from station.domain.uid import UidRange, on_no_order
from station.services.context import Context
from station.services.tags import lookup
from station.services.tags.assignment_details import Details
from station.services.tags.lookup import TagView


def uids_to_print(
    ctx: Context,
    uids: Sequence[str] = (),
    first_last: tuple[str, str] | None = None,
    order_id: int | None = None,
    batch_id: int | None = None,
) -> list[str]:
    """The UIDs a print or a render takes: the ones given, every tag of a range (each must be
    on record), an order's received and used tags, or an assignment batch's tags."""
    if sum([bool(uids), first_last is not None, order_id is not None, batch_id is not None]) != 1:
        raise StationError("give UIDs, a range FIRST LAST, an order or a batch")
    if first_last is not None:
        rng = UidRange.between(*first_last)
        wanted = list(rng)
        found = lookup.uids_between(ctx, rng.first_uid, rng.last_uid)
        missing = next((uid for uid in wanted if uid not in found), None)
        if missing is not None:
            raise StationError(on_no_order(missing))
        return wanted
    if order_id is not None:
        chosen = [v.uid for v in lookup.list_tags(ctx, order_id=order_id) if v.status in PRINTABLE]
        if not chosen:
            raise StationError(f"order {order_id} has no received or used tags to print")
        return chosen
    if batch_id is not None:
        chosen = [view.uid for view in lookup.list_tags(ctx, assignment_id=batch_id)]
        if not chosen:
            raise StationError(f"no assignment batch {batch_id}")
        return chosen
    return list(uids)


def printable(ctx: Context, uids: Sequence[str]) -> list[tuple[int, TagView]]:
    """The tags behind ``uids`` (repeats once, in order) with their row ids, read in a few
    queries; only received and used tags get labels."""
    found = lookup.views_by_uid(ctx, uids)
    chosen = []
    for uid in dict.fromkeys(uids):
        if uid not in found:
            raise StationError(on_no_order(uid))
        tag_id, view = found[uid]
        if view.status not in PRINTABLE:
            raise StationError(f"{uid} is {view.status}; only received and used tags get labels")
        chosen.append((tag_id, view))
    return chosen


def refuse_cut(template: Template, found: Iterable[LabelData]) -> None:
    """Labels whose must-print-in-full fields (UID, license, dates, item, quantity, batch,
    strain in the bundled templates) would not fit are refused before anything is sent."""
    try:
        refuse_cut_fields(template, found)
    except PrinterError as exc:
        raise StationError(str(exc)) from None


def refuse_cut_details(template: Template, details: Details) -> None:
    """A batch about to be assigned and printed: its details on the template, with a UID,
    license and date of the usual lengths, so an item or batch too long for the label is
    refused before the batch is assigned rather than after."""
    shown = {
        name: format(value.normalize(), "f") if isinstance(value, Decimal) else str(value)
        for name, value in vars(details).items()
        if value is not None and name in LabelData.__dataclass_fields__
    }
    sample = LabelData(
        uid="1A4060300002EE1000000001",
        license_number="C11-0000001-LIC",
        facility_name="",
        order_date="2026-01-01",
        type=details.kind,
        **shown,
    )
    refuse_cut(template, [sample])


def refuse_other_tag_types(template: Template, found: Iterable[TagView]) -> None:
    """A template made for plant tags never prints a package tag's label, nor the reverse:
    the fields it shows would be the wrong ones, and the label would mislead."""
    if template.tag_type is None:
        return
    other = next((view for view in found if view.type != template.tag_type), None)
    if other is not None:
        raise StationError(
            f"template {template.name} is for {template.tag_type} tags; {other.uid} is "
            f"a {other.type} tag"
        )


def label_for(tag: TagView, unit: int | None = None) -> LabelData:
    """The label of ``tag``; with ``unit``, of that unit of its package (Retail ID)."""

    def text(value: object) -> str:
        if value is None:
            return ""
        if isinstance(value, Decimal):
            return format(value.normalize(), "f")
        return str(value)

    return LabelData(
        uid=tag.uid,
        type=tag.type,
        license_number=tag.license_number,
        facility_name=tag.facility_name,
        order_date=tag.order_date.isoformat(),
        order_number=text(tag.order_number),
        item=text(tag.item),
        quantity=text(tag.quantity),
        unit=text(tag.unit),
        production_batch=text(tag.production_batch),
        packaged_date=text(tag.packaged_date),
        strain=text(tag.strain),
        location=text(tag.location),
        growth_phase=text(tag.growth_phase),
        retail_id="" if unit is None else retail_id.url(tag.uid, unit),
        unit_index="" if unit is None else str(unit),
    )


def job_labels(
    views: Mapping[int, TagView], items: Sequence[tuple[int, int | None]]
) -> list[LabelData]:
    """The labels of a job's items, each a (tag id, Retail ID unit or None): as
    :func:`label_for` makes them, with each tag's fields read once and a package's unit URLs
    made together (:func:`retail_id.urls`: a Retail ID job has thousands of units)."""
    bases = {tag_id: label_for(views[tag_id]) for tag_id in {tag_id for tag_id, _ in items}}
    units: dict[int, list[int]] = {}
    for tag_id, unit in items:
        if unit is not None:
            units.setdefault(tag_id, []).append(unit)
    made: dict[int, dict[int, LabelData]] = {}
    for tag_id, wanted in units.items():
        urls = retail_id.urls(views[tag_id].uid, wanted)
        unit_labels = bases[tag_id].units(zip(urls, map(str, wanted), strict=True))
        made[tag_id] = dict(zip(wanted, unit_labels, strict=True))
    # A label is read-only: a tag's own label is one object however often it is printed.
    return [bases[tag_id] if unit is None else made[tag_id][unit] for tag_id, unit in items]
