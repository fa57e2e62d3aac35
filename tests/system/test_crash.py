"""SIGKILL ``station print`` at random moments, resume, and check that no label was lost
and none printed twice unless the station had marked it uncertain."""

from __future__ import annotations

import random
from collections import Counter

from devtools.fakes.zebra import FakeZebra
from tests.helpers.kill import kill_and_finish
from tests.helpers.station import LICENSE, Station, uid

PREFIX = "1A4060300002EE30"
ROUNDS = 20
PER_ROUND = 150


def test_kill_at_random_moments_then_resume(station: Station) -> None:
    station.ok("facility", "add", LICENSE, "Green Leaf Farms")
    total = ROUNDS * PER_ROUND
    station.ok(
        "order",
        "add",
        "--license",
        LICENSE,
        "--type",
        "package",
        "--first",
        uid(PREFIX, 1),
        "--count",
        str(total),
        "--order-date",
        "2026-11-20",
    )
    station.ok("receive", uid(PREFIX, 1), uid(PREFIX, total))
    chance = random.Random(20261126)
    outcomes: Counter[str] = Counter()
    with FakeZebra() as zebra:
        zebra.seconds_per_label = 0.003
        station.ok("printer", "add", "shelf", "--driver", "zpl", "--connection", zebra.url)
        for round_ in range(ROUNDS):
            wanted = [uid(PREFIX, round_ * PER_ROUND + n) for n in range(1, PER_ROUND + 1)]
            start = len(zebra.printed)
            killed, events = kill_and_finish(
                station,
                zebra,
                ["--range", wanted[0], wanted[-1], "--printer", "shelf"],
                round_ + 1,
                PER_ROUND,
                chance,
                0.7,
            )
            outcomes["killed" if killed else "finished"] += 1

            printed = Counter(zebra.uids()[start:])
            assert set(printed) == set(wanted), f"round {round_}: a label was lost"
            uncertain = {
                u
                for event in events
                if event["action"] == "print.uncertain.reprint"
                for u in event["uids"]
            }
            twice = {u for u, n in printed.items() if n > 1}
            assert twice <= uncertain, f"round {round_}: printed twice without warning: {twice}"
            sent = Counter(u for e in events if e["action"] == "print.sent" for u in e["uids"])
            assert all(printed[u] <= sent[u] for u in printed), "audit disagrees with printer"
            outcomes["with uncertain labels"] += bool(uncertain)
            outcomes["with a label printed twice"] += bool(twice)
    # The kills must have landed mid-job often enough to exercise the uncertain path.
    assert outcomes["killed"] >= ROUNDS // 2, outcomes
    assert outcomes["with uncertain labels"] >= 3, outcomes
    print(dict(outcomes))
