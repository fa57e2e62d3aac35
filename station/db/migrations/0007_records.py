"""Records that keep the station's history safe and its deadlines visible: every backup the
station wrote (or failed to write), when each facility was last reconciled with Metrc, and
an index for the tag stock forecast (tags used lately, per facility and type), partial so
unused tags cost it nothing.

The frozen models below are independent of ``station.db.models`` on purpose.
"""

from typing import Any

from peewee import (
    BigIntegerField,
    CharField,
    Database,
    DateTimeField,
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

    class BackupRun(Base):
        kind = CharField(max_length=8)
        claim = CharField(max_length=40, null=True, unique=True)
        station = CharField(max_length=200)
        started_at = DateTimeField()
        finished_at = DateTimeField(null=True)
        path = TextField(null=True)
        bytes = BigIntegerField(null=True)
        error = TextField(null=True)

    class Reconciliation(Base):
        facility = ForeignKeyField(Facility, on_delete="RESTRICT")
        tag_type = CharField(max_length=8)
        at = DateTimeField()
        operator = CharField(max_length=100)
        differences = IntegerField()

        class Meta:
            indexes = ((("facility", "at"), False),)

    db.create_tables([BackupRun, Reconciliation])
    db.execute_sql(  # type: ignore[no-untyped-call]
        "CREATE INDEX tag_used_lately ON tag (facility_id, tag_type, used_at) "
        "WHERE used_at IS NOT NULL"
    )
