"""Print jobs and their label items, each item with its own state.

The frozen models below are independent of ``station.db.models`` on purpose.
"""

from typing import Any

from peewee import (
    BooleanField,
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

    class Tag(Base):
        class Meta:
            table_name = "tag"

    class PrintJob(Base):
        printer = CharField(max_length=40)
        driver = CharField(max_length=8)
        connection = CharField(max_length=500)
        template = CharField(max_length=100)
        template_version = CharField(max_length=40)
        state = CharField(max_length=12)
        pause_reason = TextField(null=True)
        reprint_reason = TextField(null=True)
        reverse = BooleanField(default=False)
        created_at = DateTimeField()
        created_by = CharField(max_length=100)
        owner = CharField(max_length=200, null=True)
        heartbeat_at = DateTimeField(null=True)
        finished_at = DateTimeField(null=True)

    class PrintItem(Base):
        job = ForeignKeyField(PrintJob, on_delete="RESTRICT", index=False)
        position = IntegerField()
        tag = ForeignKeyField(Tag, on_delete="RESTRICT", index=False)
        copy = IntegerField()
        state = CharField(max_length=10)
        sent_at = DateTimeField(null=True)
        done_at = DateTimeField(null=True)

        class Meta:
            indexes = (
                (("job", "position"), True),
                # "Has this tag a printed label already?" and a job's progress.
                (("tag", "state"), False),
                (("job", "state"), False),
            )

    db.create_tables([PrintJob, PrintItem])
