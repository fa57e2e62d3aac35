"""The audit trail names the tags an event touched by their UID text, not by a link to the tag
row. An order recorded in error can then be deleted with its tags while every event about
them stays, and the UIDs it names are part of the event itself (what a later hash over an
event covers). The links already stored are carried over; the new table is append-only like
the old one.

The frozen model below is independent of ``station.db.models`` on purpose.
"""

from typing import Any

from peewee import (
    CharField,
    CompositeKey,
    Database,
    ForeignKeyField,
    Model,
    PostgresqlDatabase,
    SqliteDatabase,
)

MESSAGE = "the audit trail is append-only"


def up(migrator: Any, db: Database) -> None:
    class Base(Model):
        class Meta:
            database = db
            legacy_table_names = False

    class AuditEvent(Base):
        class Meta:
            table_name = "audit_event"

    class AuditUid(Base):
        uid = CharField(max_length=24)
        event = ForeignKeyField(AuditEvent, on_delete="RESTRICT")

        class Meta:
            primary_key = CompositeKey("uid", "event")

    db.create_tables([AuditUid])
    db.execute_sql(  # type: ignore[no-untyped-call]
        "INSERT INTO audit_uid (uid, event_id) "
        "SELECT tag.uid, audit_tag.event_id FROM audit_tag JOIN tag ON tag.id = audit_tag.tag_id"
    )
    # Dropping a table fires none of its DELETE triggers, and drops them with it.
    db.execute_sql("DROP TABLE audit_tag")  # type: ignore[no-untyped-call]
    if isinstance(db, SqliteDatabase):
        for verb in ("UPDATE", "DELETE"):
            db.execute_sql(  # type: ignore[no-untyped-call]
                f"CREATE TRIGGER audit_uid_no_{verb.lower()} BEFORE {verb} ON audit_uid "
                f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END"
            )
    elif isinstance(db, PostgresqlDatabase):
        # audit_append_only() is the function the first migration made for audit_event.
        db.execute_sql(  # type: ignore[no-untyped-call]
            "CREATE TRIGGER audit_uid_append_only BEFORE UPDATE OR DELETE ON audit_uid "
            "FOR EACH ROW EXECUTE FUNCTION audit_append_only()"
        )
