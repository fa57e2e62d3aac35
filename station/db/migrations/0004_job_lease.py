"""A print job's owner holds it on a lease that runs out: a station that dies while printing
(on any machine) lets the job go for another station to resume."""

from typing import Any

from peewee import Database, DateTimeField


def up(migrator: Any, db: Database) -> None:
    migrator.migrate(migrator.add_column("print_job", "lease_until", DateTimeField(null=True)))
