"""Tag Station: UID tag management and label printing for Metrc licensees."""

import sys

__version__ = "0.1.0"


def _load_peewee_without_psycopg2() -> None:
    """peewee imports psycopg2 (and with it ssl) when it is itself imported, whenever
    psycopg2 is installed: a quarter of the start-up of a command on SQLite, which scanner
    loops pay once a tag. A ``None`` entry in ``sys.modules`` makes that import fail (the
    documented way to block one), so peewee loads without it; :mod:`station.db.postgres`
    loads psycopg2 when a PostgreSQL database is opened. Done here, the package's first
    code, because any station module may be the first to import peewee."""
    if "peewee" in sys.modules or "psycopg2" in sys.modules:
        return
    sys.modules["psycopg2"] = None  # type: ignore[assignment]
    try:
        import peewee  # noqa: F401
    finally:
        del sys.modules["psycopg2"]


_load_peewee_without_psycopg2()
