"""A default printer: ``station print`` without ``--printer`` uses it. At most one printer is
the default (a partial unique index says so in the database itself); none is at first, so a
station never sends labels to the spool folder by default and marks them printed.
"""

from typing import Any

from peewee import BooleanField, Database


def up(migrator: Any, db: Database) -> None:
    migrator.migrate(migrator.add_column("printer", "is_default", BooleanField(default=False)))
    db.execute_sql(  # type: ignore[no-untyped-call]
        "CREATE UNIQUE INDEX printer_one_default ON printer (is_default) WHERE is_default"
    )
