"""Tag counts per order and state, kept beside the tags (``station.services.tags.tally``), so the
first screen need not count a million tags at every refresh. Filled here from the tags
already stored.

The frozen models below are independent of ``station.db.models`` on purpose.
"""

from typing import Any

from peewee import CharField, CompositeKey, Database, ForeignKeyField, IntegerField, Model


def up(migrator: Any, db: Database) -> None:
    class Base(Model):
        class Meta:
            database = db
            legacy_table_names = False

    class TagOrder(Base):
        class Meta:
            table_name = "tag_order"

    class TagTally(Base):
        order = ForeignKeyField(TagOrder, on_delete="RESTRICT", index=False)
        status = CharField(max_length=8)
        tags = IntegerField()

        class Meta:
            primary_key = CompositeKey("order", "status")

    db.create_tables([TagTally])
    db.execute_sql(  # type: ignore[no-untyped-call]
        "INSERT INTO tag_tally (order_id, status, tags) "
        "SELECT order_id, status, COUNT(*) FROM tag GROUP BY order_id, status"
    )
