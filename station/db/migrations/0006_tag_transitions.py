"""Tag transitions guarded in the database itself, so editing the file by hand cannot make
a used tag unused (and assign it twice) or bring a voided tag back.

- used → used (on the same assignment), or → voided only once a replacement of it is
  recorded (``tag_replacement`` names it as the old tag);
- voided → nothing at all;
- a used or voided tag is never deleted.
Ordered and received tags move freely here; the services hold their rules.
"""

from typing import Any

from peewee import Database, PostgresqlDatabase, SqliteDatabase

USED = "a used tag is never reused: it keeps its assignment until a recorded replacement retires it"
VOIDED = "a voided tag never changes"
KEPT = "a used or voided tag is part of the record and is never deleted"
# The replacement row is stored before the old tag is voided (services/replacing.py).
REPLACED = "EXISTS (SELECT 1 FROM tag_replacement WHERE old_tag_id = OLD.id)"
USED_BROKEN = (
    "NEW.status NOT IN ('used', 'voided') OR NEW.assignment_id IS NOT OLD.assignment_id "
    f"OR NEW.uid != OLD.uid OR (NEW.status = 'voided' AND NOT {REPLACED})"
)


def up(migrator: Any, db: Database) -> None:
    if isinstance(db, SqliteDatabase):
        for name, when, message in (
            ("tag_used_stays_used", f"OLD.status = 'used' AND ({USED_BROKEN})", USED),
            ("tag_voided_stays_voided", "OLD.status = 'voided'", VOIDED),
        ):
            db.execute_sql(  # type: ignore[no-untyped-call]
                f"CREATE TRIGGER {name} BEFORE UPDATE ON tag WHEN {when} "
                f"BEGIN SELECT RAISE(ABORT, '{message}'); END"
            )
        db.execute_sql(  # type: ignore[no-untyped-call]
            "CREATE TRIGGER tag_kept BEFORE DELETE ON tag WHEN OLD.status IN ('used', 'voided') "
            f"BEGIN SELECT RAISE(ABORT, '{KEPT}'); END"
        )
    elif isinstance(db, PostgresqlDatabase):
        db.execute_sql(  # type: ignore[no-untyped-call]
            "CREATE OR REPLACE FUNCTION tag_transition() RETURNS trigger AS $$ BEGIN "
            f"IF TG_OP = 'DELETE' THEN RAISE EXCEPTION '{KEPT}'; END IF; "
            f"IF OLD.status = 'voided' THEN RAISE EXCEPTION '{VOIDED}'; END IF; "
            f"IF {USED_BROKEN.replace('IS NOT', 'IS DISTINCT FROM')} THEN "
            f"RAISE EXCEPTION '{USED}'; END IF; "
            "RETURN NEW; END $$ LANGUAGE plpgsql"
        )
        # Only rows already used or voided call the function: receiving and assigning
        # 100,000 tags pay nothing for it.
        db.execute_sql(  # type: ignore[no-untyped-call]
            "CREATE TRIGGER tag_transitions BEFORE UPDATE OR DELETE ON tag FOR EACH ROW "
            "WHEN (OLD.status IN ('used', 'voided')) EXECUTE FUNCTION tag_transition()"
        )
