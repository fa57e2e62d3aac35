"""When the Metrc client tries a call again, and when it never does, against a real HTTP
server on 127.0.0.1; waits are recorded, not slept."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest

from devtools.fakes.metrc import FakeMetrc
from station.metrc import client as metrc_client
from station.metrc.client import MetrcClient, MetrcError, MetrcUnsure
from station.metrc.keys import Keys
from tests.helpers.station import LICENSE, USER, VENDOR

AVAILABLE = "/tags/v2/package/available"


@pytest.fixture
def fake() -> Iterator[FakeMetrc]:
    with FakeMetrc(VENDOR, USER, (LICENSE,)) as server:
        server.retry_after = "3"
        yield server


def client(url: str, waits: list[float], said: list[str]) -> MetrcClient:
    return MetrcClient(url, Keys(VENDOR, USER), LICENSE, sleep=waits.append, on_wait=said.append)


def test_a_429_waits_as_metrc_asks_then_a_503_backs_off_doubling(fake: FakeMetrc) -> None:
    fake.throttle, fake.fail = 1, 2
    waits: list[float] = []
    said: list[str] = []
    with client(fake.url, waits, said) as metrc:
        assert metrc.get_list(AVAILABLE) == []
    assert len(fake.requests) == 4
    # Retry-After's 3 s, then BACKOFF_S doubled after each failed try.
    backoff = metrc_client.BACKOFF_S
    assert said == [
        f"Metrc answered 429 Too Many Requests; trying GET {AVAILABLE} again in 3 s (try 2 of 5)",
        f"Metrc answered 503 Service Unavailable; trying GET {AVAILABLE} again in "
        f"{backoff * 2:g} s (try 3 of 5)",
        f"Metrc answered 503 Service Unavailable; trying GET {AVAILABLE} again in "
        f"{backoff * 4:g} s (try 4 of 5)",
    ]
    # A 429 holds the client's every request: each later try first waits out what is left.
    assert waits[0] == 3.0 and all(0 < w <= 3.0 for w in waits[1:])


def test_a_write_answered_5xx_is_never_sent_again(fake: FakeMetrc) -> None:
    fake.fail = 1
    waits: list[float] = []
    with client(fake.url, waits, []) as metrc, pytest.raises(MetrcUnsure) as caught:
        metrc.send("POST", "/packages/v2/", [{"Tag": "x"}])
    assert [m for m, _, _ in fake.requests] == ["POST"]
    assert waits == []
    assert str(caught.value) == (
        "Metrc answered 503 Service Unavailable to POST /packages/v2/; it may or may not "
        "have been applied"
    )


def test_a_write_throttled_with_429_was_not_applied_so_it_is_sent_again(
    fake: FakeMetrc,
) -> None:
    fake.throttle = 1
    with client(fake.url, [], []) as metrc:
        metrc.send("POST", "/packages/v2/", [])
    assert [m for m, _, _ in fake.requests] == ["POST", "POST"]


def test_a_connection_never_made_is_tried_again_then_given_up() -> None:
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]
    waits: list[float] = []
    with client(f"http://127.0.0.1:{port}", waits, []) as metrc, pytest.raises(MetrcError) as e:
        metrc.send("POST", "/packages/v2/", [])
    assert not isinstance(e.value, MetrcUnsure)
    assert str(e.value).endswith("(gave up after 5 tries)")
    assert str(e.value).startswith(f"cannot connect to http://127.0.0.1:{port}")
    assert len(waits) == 4
