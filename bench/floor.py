"""The floor for the core steps: plain ``sqlite3`` doing the same row work in one transaction,
on a copy of the station's own file (same schema, indexes, triggers and rows), with nothing
the station adds: no command line, no checks, no audit links, no summaries.

- order: the order row, its range row, one row per tag and one audit event;
- receipt: one UPDATE over the range and one audit event;
- batch assignment: the assignment row, one UPDATE over the lowest received tags and one
  audit event.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path

from station.domain.uid import UidRange

NOW = "2026-11-27 12:00:00.000000"


def copy_of(database: Path, folder: Path, name: str) -> Path:
    """A copy of the station's file at this moment (its WAL folded in first)."""
    with sqlite3.connect(database) as db:
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    copy = folder / name
    shutil.copyfile(database, copy)
    # Written out now, so that neither the floor's commit nor the station's pays for
    # flushing the copy.
    os.sync()
    return copy


def timed(database: Path, work: Callable[[sqlite3.Connection], None]) -> float:
    """Seconds for ``work``, its commit and the close (which folds the WAL back into the
    file, as the end of every station command does), with the station's own pragmas."""
    db = sqlite3.connect(database, isolation_level=None)
    for pragma in (
        "journal_mode = wal",
        "foreign_keys = 1",
        "synchronous = 2",
        "cache_size = -64000",
    ):
        db.execute(f"PRAGMA {pragma}")
    start = time.perf_counter()
    db.execute("BEGIN IMMEDIATE")
    work(db)
    db.execute("COMMIT")
    db.close()
    return time.perf_counter() - start


def _event(db: sqlite3.Connection, action: str, count: int) -> None:
    db.execute(
        "INSERT INTO audit_event (at, operator, action, summary, details, tag_count) "
        "VALUES (?, 'bench', ?, '', '{}', ?)",
        (NOW, action, count),
    )


def order(rng: UidRange, facility_id: int) -> Callable[[sqlite3.Connection], None]:
    def work(db: sqlite3.Connection) -> None:
        cursor = db.execute(
            "INSERT INTO tag_order (facility_id, tag_type, order_date, source, created_at, "
            "created_by) VALUES (?, 'package', '2026-11-20', 'bench', ?, 'bench')",
            (facility_id, NOW),
        )
        order_id = cursor.lastrowid
        db.execute(
            "INSERT INTO order_range (order_id, first_uid, last_uid, quantity) VALUES (?,?,?,?)",
            (order_id, rng.first_uid, rng.last_uid, rng.quantity),
        )
        db.executemany(
            "INSERT INTO tag (uid, serial, tag_type, status, facility_id, order_id) "
            "VALUES (?, ?, 'package', 'ordered', ?, ?)",
            ((uid, rng.first + n, facility_id, order_id) for n, uid in enumerate(rng)),
        )
        _event(db, "order", rng.quantity)

    return work


def receipt(rng: UidRange) -> Callable[[sqlite3.Connection], None]:
    def work(db: sqlite3.Connection) -> None:
        db.execute(
            "UPDATE tag SET status = 'received', received_at = ? "
            "WHERE uid BETWEEN ? AND ? AND status = 'ordered'",
            (NOW, rng.first_uid, rng.last_uid),
        )
        _event(db, "receive", rng.quantity)

    return work


def assignment(facility_id: int, count: int) -> Callable[[sqlite3.Connection], None]:
    def work(db: sqlite3.Connection) -> None:
        cursor = db.execute(
            "INSERT INTO assignment (facility_id, kind, created_at, created_by, item, quantity, "
            "unit) VALUES (?, 'package', ?, 'bench', 'Flower', 1, 'Grams')",
            (facility_id, NOW),
        )
        db.execute(
            "UPDATE tag SET status = 'used', assignment_id = ?, used_at = ? WHERE id IN ("
            "SELECT id FROM tag WHERE facility_id = ? AND tag_type = 'package' "
            "AND status = 'received' ORDER BY uid LIMIT ?)",
            (cursor.lastrowid, NOW, facility_id, count),
        )
        _event(db, "assign", count)

    return work
