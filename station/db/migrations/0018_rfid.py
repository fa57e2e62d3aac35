"""RFID: EPCs learned to be another UID than their own hex (a pair a worker taught the
station, per facility), and inventory counts with what each one read. One count is open per
facility and room at a time (a partial unique index on the room as compared, without case);
several stations reading into it each add to one row per EPC.

The frozen models below are independent of ``station.db.models`` on purpose.
"""

from typing import Any

from peewee import (
    CharField,
    Database,
    DateTimeField,
    FloatField,
    ForeignKeyField,
    IntegerField,
    Model,
    TextField,
)


def up(migrator: Any, db: Database) -> None:
    class Base(Model):
        class Meta:
            database = db
            legacy_table_names = False

    class Facility(Base):
        class Meta:
            table_name = "facility"

    class RfidPair(Base):
        facility = ForeignKeyField(Facility, on_delete="RESTRICT")
        epc = CharField(max_length=124)
        uid = CharField(max_length=24)
        learned_at = DateTimeField()
        learned_by = CharField(max_length=100)

        class Meta:
            indexes = ((("facility", "epc"), True),)

    class InventoryCount(Base):
        facility = ForeignKeyField(Facility, on_delete="RESTRICT")
        room = CharField(max_length=200, default="")
        room_key = CharField(max_length=200, default="")
        started_at = DateTimeField()
        started_by = CharField(max_length=100)
        finished_at = DateTimeField(null=True)
        finished_by = CharField(max_length=100, null=True)
        summary = TextField(null=True)

    class CountRead(Base):
        count = ForeignKeyField(InventoryCount, on_delete="RESTRICT")
        epc = CharField(max_length=124)
        first_at = DateTimeField()
        last_at = DateTimeField()
        seen = IntegerField()
        source = CharField(max_length=200)
        antenna = IntegerField(null=True)
        rssi = FloatField(null=True)

        class Meta:
            indexes = ((("count", "epc"), True),)

    db.create_tables([RfidPair, InventoryCount, CountRead])
    db.execute_sql(  # type: ignore[no-untyped-call]
        "CREATE UNIQUE INDEX inventory_count_one_open ON inventory_count (facility_id, room_key) "
        "WHERE finished_at IS NULL"
    )
