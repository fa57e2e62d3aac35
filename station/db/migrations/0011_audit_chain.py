"""The audit trail as a hash chain (``station.domain.chain``): each event stores the hash of
the one before it and its own, and who approved it when a supervisor did. The events already
stored are chained here, oldest first, with the append-only triggers lifted for this one
transaction.

Plain SQL, independent of ``station.db.models`` on purpose; the hash itself is the
documented contract of ``station.domain.chain``, which verification uses forever.
"""

from typing import Any

from peewee import CharField, Database, PostgresqlDatabase, SqliteDatabase

from station.domain import chain

MESSAGE = "the audit trail is append-only"


def up(migrator: Any, db: Database) -> None:
    migrator.migrate(
        migrator.add_column("audit_event", "approved_by", CharField(max_length=100, null=True)),
        migrator.add_column("audit_event", "prev_hash", CharField(max_length=64, null=True)),
        migrator.add_column("audit_event", "hash", CharField(max_length=64, null=True)),
    )
    _lift_triggers(db)
    links = db.execute_sql(  # type: ignore[no-untyped-call]
        "SELECT event_id, uid FROM audit_uid ORDER BY event_id, uid"
    )
    uids = chain.uids_digests(links.fetchall())
    events = db.execute_sql(  # type: ignore[no-untyped-call]
        "SELECT id, at, operator, action, summary, details, tag_count FROM audit_event ORDER BY id"
    ).fetchall()
    previous = chain.GENESIS
    rows = []
    for event_id, at, operator, action, summary, details, tag_count in events:
        digest = chain.event_hash(chain.canonical(
            event_id, chain.stored_at_text(at), operator, None, action, summary, details, tag_count,
            uids.get(event_id, chain.NO_UIDS), previous,
        ))  # fmt: skip
        rows.append((previous, digest, event_id))
        previous = digest
    mark = db.param
    db.cursor().executemany(  # type: ignore[no-untyped-call]
        f"UPDATE audit_event SET prev_hash = {mark}, hash = {mark} WHERE id = {mark}", rows
    )
    db.execute_sql(  # type: ignore[no-untyped-call]
        "CREATE UNIQUE INDEX audit_event_hash ON audit_event (hash)"
    )
    # Verifying reads each event's UIDs in order from the index alone (it replaces the
    # index on event_id that the foreign key had).
    db.execute_sql("DROP INDEX audit_uid_event_id")  # type: ignore[no-untyped-call]
    db.execute_sql(  # type: ignore[no-untyped-call]
        "CREATE INDEX audit_uid_event_uid ON audit_uid (event_id, uid)"
    )
    _restore_triggers(db)


def _lift_triggers(db: Database) -> None:
    if isinstance(db, SqliteDatabase):
        db.execute_sql("DROP TRIGGER audit_event_no_update")  # type: ignore[no-untyped-call]
    elif isinstance(db, PostgresqlDatabase):
        db.execute_sql(  # type: ignore[no-untyped-call]
            "ALTER TABLE audit_event DISABLE TRIGGER audit_event_append_only"
        )


def _restore_triggers(db: Database) -> None:
    if isinstance(db, SqliteDatabase):
        db.execute_sql(  # type: ignore[no-untyped-call]
            "CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_event "
            f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END"
        )
    elif isinstance(db, PostgresqlDatabase):
        db.execute_sql(  # type: ignore[no-untyped-call]
            "ALTER TABLE audit_event ENABLE TRIGGER audit_event_append_only"
        )
