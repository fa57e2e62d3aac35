"""The audit chain keyed: each event names the key its hash was made with (HMAC-SHA256,
``station.domain.chain``), or none for the plain SHA-256 of events written before the
station had a key, which stay as they are."""

from typing import Any

from peewee import CharField, Database


def up(migrator: Any, db: Database) -> None:
    migrator.migrate(
        migrator.add_column("audit_event", "key_id", CharField(max_length=16, null=True))
    )
