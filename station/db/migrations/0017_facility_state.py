"""Each facility's Metrc state (its rules and its API host); facilities recorded before
states existed are California's, the only state the station knew."""

from typing import Any

from peewee import CharField, Database


def up(migrator: Any, db: Database) -> None:
    migrator.migrate(
        migrator.add_column("facility", "state", CharField(max_length=2, default="CA")),
    )
