"""What a tag's label says: the station's data put into the printer layer's terms."""

from __future__ import annotations

from decimal import Decimal

from printers.label import LabelData
from station.services.tags import TagView


def label_for(tag: TagView) -> LabelData:
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
    )
