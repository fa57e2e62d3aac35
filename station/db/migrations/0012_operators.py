"""The people who work the station: each with a role, a PIN kept only as a slow salted hash,
and at most one badge (kept only as a digest of its random code). Wrong PINs are counted on
the row, so a lockout holds across commands and stations.

The frozen model below is independent of ``station.db.models`` on purpose.
"""

from typing import Any

from peewee import BooleanField, CharField, Database, DateTimeField, IntegerField, Model


def up(migrator: Any, db: Database) -> None:
    class Base(Model):
        class Meta:
            database = db
            legacy_table_names = False

    class Operator(Base):
        name = CharField(max_length=100, unique=True)
        role = CharField(max_length=16)
        pin_hash = CharField(max_length=200)
        badge_digest = CharField(max_length=64, null=True, unique=True)
        enabled = BooleanField(default=True)
        failed_pins = IntegerField(default=0)
        locked_until = DateTimeField(null=True)
        created_at = DateTimeField()
        created_by = CharField(max_length=100)

    db.create_tables([Operator])
