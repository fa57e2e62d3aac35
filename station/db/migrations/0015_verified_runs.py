"""Retail ID runs (``^SF``, ``^PQ``) only on a printer that passed a scan-back check: when it
passed, and on which connection (another device behind a changed connection is unchecked)."""

from typing import Any

from peewee import CharField, Database, DateTimeField


def up(migrator: Any, db: Database) -> None:
    migrator.migrate(
        migrator.add_column("printer", "runs_verified_at", DateTimeField(null=True)),
        migrator.add_column(
            "printer", "runs_verified_connection", CharField(max_length=500, null=True)
        ),
    )
