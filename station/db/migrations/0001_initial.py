"""Facilities, tag orders and ranges, assignments, tags and the append-only audit trail.

The models below are a frozen copy of the first schema, deliberately independent of
``station.db.models`` so that later changes to the app models cannot change this step.
"""

from typing import Any

from peewee import (
    CharField,
    CompositeKey,
    Database,
    DateField,
    DateTimeField,
    DecimalField,
    ForeignKeyField,
    IntegerField,
    Model,
    PostgresqlDatabase,
    SqliteDatabase,
    TextField,
)


def up(migrator: Any, db: Database) -> None:
    class Base(Model):
        class Meta:
            database = db
            legacy_table_names = False

    class Facility(Base):
        license_number = CharField(max_length=64, unique=True)
        name = CharField(max_length=200)
        created_at = DateTimeField()

    class TagOrder(Base):
        facility = ForeignKeyField(Facility, on_delete="RESTRICT")
        tag_type = CharField(max_length=8)
        order_date = DateField()
        order_number = CharField(max_length=64, null=True)
        source = CharField(max_length=200)
        created_at = DateTimeField()
        created_by = CharField(max_length=100)

    class OrderRange(Base):
        order = ForeignKeyField(TagOrder, on_delete="RESTRICT")
        first_uid = CharField(max_length=24)
        last_uid = CharField(max_length=24)
        quantity = IntegerField()

    class Assignment(Base):
        facility = ForeignKeyField(Facility, on_delete="RESTRICT")
        kind = CharField(max_length=8)
        created_at = DateTimeField()
        created_by = CharField(max_length=100)
        item = CharField(max_length=200, null=True)
        quantity = DecimalField(max_digits=14, decimal_places=4, null=True)
        unit = CharField(max_length=40, null=True)
        production_batch = CharField(max_length=100, null=True)
        packaged_date = DateField(null=True)
        strain = CharField(max_length=200, null=True)
        location = CharField(max_length=200, null=True)
        growth_phase = CharField(max_length=40, null=True)

    class Tag(Base):
        uid = CharField(max_length=24, unique=True)
        serial = IntegerField(null=True)
        tag_type = CharField(max_length=8)
        status = CharField(max_length=8)
        facility = ForeignKeyField(Facility, index=False, on_delete="RESTRICT")
        order = ForeignKeyField(TagOrder, index=False, on_delete="RESTRICT")
        received_at = DateTimeField(null=True)
        assignment = ForeignKeyField(Assignment, null=True, index=False, on_delete="RESTRICT")
        used_at = DateTimeField(null=True)
        voided_at = DateTimeField(null=True)
        void_reason = TextField(null=True)

        class Meta:
            indexes = (
                # "Next N received tags of this type at this facility, lowest first".
                (("facility", "tag_type", "status", "uid"), False),
                # Counts per state for each order.
                (("order", "status"), False),
                (("assignment",), False),
            )

    class AuditEvent(Base):
        at = DateTimeField(index=True)
        operator = CharField(max_length=100)
        action = CharField(max_length=40)
        summary = TextField()
        details = TextField()
        tag_count = IntegerField()

    class AuditTag(Base):
        tag = ForeignKeyField(Tag, index=False, on_delete="RESTRICT")
        event = ForeignKeyField(AuditEvent, on_delete="RESTRICT")

        class Meta:
            primary_key = CompositeKey("tag", "event")

    db.create_tables([Facility, TagOrder, OrderRange, Assignment, Tag, AuditEvent, AuditTag])
    _make_audit_append_only(db)


def _make_audit_append_only(db: Database) -> None:
    """Refuse UPDATE and DELETE on the audit tables in the database itself."""
    message = "the audit trail is append-only"
    for table in ("audit_event", "audit_tag"):
        if isinstance(db, SqliteDatabase):
            for verb in ("UPDATE", "DELETE"):
                db.execute_sql(  # type: ignore[no-untyped-call]
                    f"CREATE TRIGGER {table}_no_{verb.lower()} BEFORE {verb} ON {table} "
                    f"BEGIN SELECT RAISE(ABORT, '{message}'); END"
                )
        elif isinstance(db, PostgresqlDatabase):
            db.execute_sql(  # type: ignore[no-untyped-call]
                "CREATE OR REPLACE FUNCTION audit_append_only() RETURNS trigger AS $$ "
                f"BEGIN RAISE EXCEPTION '{message}'; END $$ LANGUAGE plpgsql"
            )
            db.execute_sql(  # type: ignore[no-untyped-call]
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION audit_append_only()"
            )
