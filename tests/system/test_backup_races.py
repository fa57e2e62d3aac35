"""Backups taken while four station processes assign, and a restore killed half-way."""

from __future__ import annotations

import contextlib
import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli.test_backups import STATION, _parts, _stopped_midway, fresh_url, suffix
from tests.helpers.station import LICENSE, PACKAGE_PREFIX, Station, uid


def test_a_backup_while_four_stations_assign_restores_to_tags_and_audit_that_agree(
    received: Station, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    # Enough work that the four stations are still assigning while the copy is made.
    received.ok(
        "order", "add", "--license", LICENSE, "--type", "package", "--first",
        uid(PACKAGE_PREFIX, 1001), "--count", "1000", "--order-date", "2026-11-21",
    )  # fmt: skip
    received.ok("receive", uid(PACKAGE_PREFIX, 1001), uid(PACKAGE_PREFIX, 2000))
    plan = ("120", "8", "10")
    workers = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "tests.helpers.race_worker",
                "assign",
                received.url,
                f"w{n}",
                *plan,
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for n in range(4)
    ]
    try:
        # Every worker has assigned something: the backup lands among their writes.
        for worker in workers:
            assert worker.stdout is not None
            assert "uids" in worker.stdout.readline()
        target = tmp_path / f"during{suffix(received)}"
        received.ok("backup", str(target))
        outputs = [worker.communicate(timeout=300) for worker in workers]
    finally:
        for worker in workers:
            worker.kill()
            worker.wait()
    assert [worker.returncode for worker in workers] == [0] * 4, [err for _, err in outputs]

    restored = Station(received.path, fresh_url(received, request, "r.db"), received._capsys)
    restored.ok("restore", str(target))
    tags = json.loads(restored.ok("tags", "--status", "used", "--format", "json").out)
    events = json.loads(restored.ok("audit", "--format", "json").out)
    assigned = [uid for e in events if e["action"] == "assign.package" for uid in e["uids"]]
    # Every used tag has its assignment event and every event's tags are used: one moment.
    assert sorted(assigned) == sorted(tag["uid"] for tag in tags)
    assert len(assigned) == len(set(assigned)) and len(assigned) >= 4
    batches = json.loads(restored.ok("audit", "--format", "json").out)
    assert sum(1 for e in batches if e["action"] == "assign.package") == len(
        {tag["assignment_id"] for tag in tags}
    )


@pytest.mark.sqlite_only
def test_a_restore_killed_half_way_leaves_the_database_as_it_was(
    big: Station, tmp_path: Path
) -> None:
    target = tmp_path / "b.sqlite"
    big.ok("backup", str(target))
    big.ok("void", uid(PACKAGE_PREFIX, 9), "--reason", "torn")
    command = [*STATION, "--db", big.url, "restore", "--force", str(target)]
    for _ in range(20):
        before = big.dump()
        midway, code = _stopped_midway(command, _parts(big.path.parent, big.path.name))
        if midway:
            break
        assert code == 0  # it finished before it could be stopped: try again
    else:
        pytest.fail("the restore always finished before it could be stopped")
    assert big.dump() == before
    with contextlib.closing(sqlite3.connect(big.path)) as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    # The next restore works, and takes away the copy the killed one left.
    big.ok("restore", "--force", str(target))
    assert [p for p in big.path.parent.iterdir() if ".part" in p.name] == []
    assert (
        json.loads(big.ok("tag", uid(PACKAGE_PREFIX, 9), "--format", "json").out)["status"]
        == "received"
    )
