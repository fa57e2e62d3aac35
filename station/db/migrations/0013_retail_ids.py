"""Metrc Retail ID: the unit codes Metrc issued for a package here, and the scanned units
associated with a package; and which unit a printed label was for.

An issuance is written (``sending``) before the generate call goes out and settled with
Metrc's answer, so a lost answer is looked up in Metrc, never followed by a blind second
generate. Its codes are not stored one by one: each is the package's UID and an index in the
issuance's ranges, and is computed when needed.

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

    class Tag(Base):
        class Meta:
            table_name = "tag"

    class RetailIssuance(Base):
        tag = ForeignKeyField(Tag, on_delete="RESTRICT")
        facility = ForeignKeyField(Facility, on_delete="RESTRICT", index=False)
        quantity = IntegerField()
        state = CharField(max_length=10)
        metrc_id = CharField(max_length=64, null=True)
        ranges = TextField(null=True)
        units = IntegerField(default=0)
        created_at = DateTimeField()
        created_by = CharField(max_length=100)
        answered_at = DateTimeField(null=True)

    class RetailAssociation(Base):
        package = ForeignKeyField(Tag, on_delete="RESTRICT")
        unit_tag = CharField(max_length=24)
        unit_index = BigIntegerField()
        url = CharField(max_length=200)
        created_at = DateTimeField()
        created_by = CharField(max_length=100)

        class Meta:
            indexes = ((("unit_tag", "unit_index"), True),)

    db.create_tables([RetailIssuance, RetailAssociation])
    # A Retail ID label is one unit of its package: the item's tag and this index.
    migrator.migrate(migrator.add_column("print_item", "unit", BigIntegerField(null=True)))
