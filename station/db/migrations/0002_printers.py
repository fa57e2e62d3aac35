"""Printers, with the spool folder as the printer every new station starts with.

The frozen model below is independent of ``station.db.models`` on purpose.
"""

import datetime
from typing import Any

from peewee import CharField, Database, DateTimeField, IntegerField, Model


def up(migrator: Any, db: Database) -> None:
    class Printer(Model):
        name = CharField(max_length=40, unique=True)
        driver = CharField(max_length=8)
        connection = CharField(max_length=500)
        dpi = IntegerField()
        template = CharField(max_length=100)
        created_at = DateTimeField()

        class Meta:
            database = db
            legacy_table_names = False

    db.create_tables([Printer])
    # "spool:" is the station's own spool folder: labels work before any hardware exists.
    Printer.create(
        name="spool",
        driver="zpl",
        connection="spool:",
        dpi=203,
        template="uid-3x1-203",
        created_at=datetime.datetime.now(datetime.UTC).replace(tzinfo=None),
    )
