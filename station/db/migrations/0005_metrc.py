"""Metrc exchange: the plant batch an assignment belongs to, replaced plant tags, and what
Metrc answered for every object the station pushed.

The frozen models below are independent of ``station.db.models`` on purpose.
"""

from typing import Any

from peewee import (
    CharField,
    Database,
    DateField,
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

    class Tag(Base):
        class Meta:
            table_name = "tag"

    class Assignment(Base):
        class Meta:
            table_name = "assignment"

    class TagReplacement(Base):
        old_tag = ForeignKeyField(Tag, on_delete="RESTRICT", unique=True)
        new_tag = ForeignKeyField(Tag, on_delete="RESTRICT", unique=True)
        assignment = ForeignKeyField(Assignment, on_delete="RESTRICT")
        replaced_on = DateField()
        created_at = DateTimeField()
        created_by = CharField(max_length=100)

    class MetrcObject(Base):
        assignment = ForeignKeyField(Assignment, on_delete="RESTRICT")
        endpoint = CharField(max_length=100)
        key_uid = CharField(max_length=24)
        count = IntegerField()
        state = CharField(max_length=10)
        answer = TextField(null=True)
        sent_at = DateTimeField(null=True)
        answered_at = DateTimeField(null=True)

        class Meta:
            indexes = ((("endpoint", "key_uid"), True),)

    migrator.migrate(
        migrator.add_column("assignment", "plant_batch", CharField(max_length=200, null=True))
    )
    db.create_tables([TagReplacement, MetrcObject])
