"""The tag tally: counts per order and state kept in the same transaction as each change, so
the first screen reads a few rows rather than a million tags. Every test that uses a station
database checks the tally against a full count when it ends (conftest); these tests follow
the counts through each kind of change, catch a tally edited by hand, and fill it on
upgrade. Both backends."""

from __future__ import annotations

from station.services import home
from tests.helpers.station import LICENSE, PACKAGE_PREFIX, PLANT_PREFIX, Station, uid


def counts(station: Station) -> dict[str, tuple[int, int, int, int]]:
    """The first screen's rows: type -> (ordered, received, used, voided)."""
    ctx = station.context()
    try:
        return {
            row.type: (row.ordered, row.received, row.used, row.voided)
            for row in home.tag_counts(ctx)
        }
    finally:
        ctx.db.close()


def test_the_counts_follow_every_kind_of_change(stocked: Station) -> None:
    assert counts(stocked) == {"package": (500, 0, 0, 0), "plant": (100, 0, 0, 0)}
    stocked.ok("receive", uid(PACKAGE_PREFIX, 1), uid(PACKAGE_PREFIX, 300))
    scans = "".join(f"{uid(PLANT_PREFIX, n)}\n" for n in (1, 2, 3, 4, 5, 5))
    stocked.ok("receive", "-", stdin=scans)
    assert counts(stocked) == {"package": (200, 300, 0, 0), "plant": (95, 5, 0, 0)}

    stocked.ok("assign", "package", "--count", "40", "--item", "Flower", "--quantity", "1",
               "--unit", "Grams")  # fmt: skip
    picked = f"{uid(PACKAGE_PREFIX, 100)}\n{uid(PACKAGE_PREFIX, 102)}\n"
    stocked.ok("assign", "package", "--tags", "-", "--item", "Flower", "--quantity", "1",
               "--unit", "Grams", stdin=picked)  # fmt: skip
    stocked.ok("assign", "plant", "--count", "2", "--strain", "Blue Dream", "--location", "Room")
    stocked.ok("void", uid(PACKAGE_PREFIX, 299), uid(PACKAGE_PREFIX, 450), "--reason", "torn")
    stocked.ok("replace", uid(PLANT_PREFIX, 1), uid(PLANT_PREFIX, 3))
    assert counts(stocked) == {"package": (199, 257, 42, 2), "plant": (95, 2, 2, 1)}
    assert stocked.tally_differences() == []


def test_a_refused_change_leaves_the_counts_alone(stocked: Station) -> None:
    stocked.ok("receive", uid(PACKAGE_PREFIX, 1), uid(PACKAGE_PREFIX, 10))
    stocked.refused("assign", "package", "--count", "11", "--item", "Flower", "--quantity", "1",
                    "--unit", "Grams")  # fmt: skip
    assert counts(stocked)["package"] == (490, 10, 0, 0)


def test_check_finds_counts_edited_by_hand_and_recount_rebuilds_them(stocked: Station) -> None:
    stocked.ok("receive", uid(PACKAGE_PREFIX, 1), uid(PACKAGE_PREFIX, 10))
    assert stocked.ok("check").err.rstrip().endswith("the tag counts agree with the tags")
    stocked.execute("UPDATE tag_tally SET tags = tags + 7 WHERE status = 'received'")
    assert stocked.tally_differences() != []
    assert stocked.refused("check").startswith(
        "the tag counts shown on the first screen disagree with the tags (order 1: the tally "
        "says 17 received tags, the tags 10)"
    )
    said = stocked.ok("check", "--recount").err
    assert "the tag counts disagreed with the tags and were rebuilt from them" in said
    assert stocked.tally_differences() == []
    assert counts(stocked)["package"] == (490, 10, 0, 0)
    assert "rebuilt the tag counts (1 difference)" in stocked.ok("audit").out


def test_an_older_database_gets_its_counts_when_it_is_upgraded(stocked: Station) -> None:
    stocked.ok("receive", uid(PACKAGE_PREFIX, 1), uid(PACKAGE_PREFIX, 25))
    stocked.execute(
        "DROP TABLE tag_tally", "DELETE FROM schema_migration WHERE name = '0008_tag_tally'"
    )
    assert stocked.ok("facility", "list").out.startswith("LICENSE")  # opened, so migrated
    assert counts(stocked) == {"package": (475, 25, 0, 0), "plant": (100, 0, 0, 0)}
    assert LICENSE in stocked.ok("stock").out
