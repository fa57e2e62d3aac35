"""Compactly kept UIDs give the same runs and the same repeats as the plain way."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from station.domain.packed import PackedUids, Prefixes, repeats
from station.domain.uid import make_uid, runs

PREFIXES = ["1A4060300002EE10", "1A4060300002EE20", "0000000000000000"]
uids = st.one_of(
    st.builds(make_uid, st.sampled_from(PREFIXES), st.integers(0, 40)),
    st.sampled_from(["1A4060300002EE20000000X1", "1A4060300002EE2000000AB1"]),
)


@given(st.lists(st.lists(uids, max_size=30), min_size=1, max_size=3))
def test_runs_and_repeats_match_the_plain_way(groups: list[list[str]]) -> None:
    table = Prefixes()
    packed = []
    line = 1
    first_seen: dict[str, int] = {}
    expected_repeats = []
    for group in groups:
        collection = PackedUids(table)
        for uid in group:
            line += 1
            collection.add(uid, line)
            if uid in first_seen:
                expected_repeats.append((uid, first_seen[uid], line))
            else:
                first_seen[uid] = line
        packed.append(collection)
        assert collection.runs() == runs(group)
        assert len(collection) == len(group)
    assert list(repeats(packed)) == sorted(expected_repeats, key=lambda found: found[2])
