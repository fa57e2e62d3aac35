"""Every PIN check, counted before it is made: at most five may be wrong for one operator
(or five wrong approvals asked by one operator) in any five minutes, however many
processes and stations check at once. Rows older than five minutes are dropped as new
checks begin.

The frozen model below is independent of ``station.db.models`` on purpose.
"""

from typing import Any

from peewee import AutoField, CharField, Database, DateTimeField, Model


def up(migrator: Any, db: Database) -> None:
    class Base(Model):
        class Meta:
            database = db
            legacy_table_names = False

    class PinCheck(Base):
        id = AutoField()
        name = CharField(max_length=100)
        asked_by = CharField(max_length=100, null=True)
        at = DateTimeField()

        class Meta:
            indexes = ((("name", "asked_by", "at"), False), (("asked_by", "at"), False))

    db.create_tables([PinCheck])
