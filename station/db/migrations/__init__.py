"""Numbered schema migrations, applied in order by :mod:`station.db.connection`."""
