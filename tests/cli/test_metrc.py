"""The Metrc exchange against a fake Metrc API on 127.0.0.1: pull, reconcile, push (also
interrupted and repeated), refusals, retries, paging, and the keys never leaking."""

from __future__ import annotations

import base64
import json
import logging
import time
from collections import Counter
from pathlib import Path

import pytest
from keyring import backend as keyring_backend
from textual.widgets import Log

from devtools.fakes.metrc import FakeMetrc
from devtools.fakes.retail import short_code
from station.metrc import client as metrc_client
from station.metrc.hosts import base_url
from station.metrc.keys import Keys
from station.ui.app import StationApp
from tests.helpers.station import (
    LICENSE,
    OTHER_LICENSE,
    PACKAGE_PREFIX,
    PLANT_PREFIX,
    USER,
    VENDOR,
    Station,
    uid,
)
from tests.helpers.ui import settle


def _pkg(n: int) -> str:
    return uid(PACKAGE_PREFIX, n)


def _plant(n: int) -> str:
    return uid(PLANT_PREFIX, n)


def _assign_packages(station: Station, count: int, item: str = "Flower 3.5g") -> list[str]:
    out = station.ok(
        "assign", "package", "--count", str(count), "--item", item, "--quantity", "3.5",
        "--unit", "Grams", "--date", "2026-11-21",
    ).out  # fmt: skip
    return out.split()


def _assign_plants(station: Station, count: int, *extra: str) -> list[str]:
    out = station.ok("assign", "plant", "--count", str(count), "--strain", "Blue Dream", *extra).out
    return out.split()


# --- pull and reconcile ------------------------------------------------------------------


def test_reconcile_reports_every_disagreement_and_changes_nothing(
    received: Station, metrc: FakeMetrc
) -> None:
    used = _assign_packages(received, 10)  # 1..10
    received.ok("void", _pkg(11), "--reason", "torn")
    # Metrc still lists 1..400 as available (it has not heard of the use or the void), and
    # 20 tags the station never recorded; the station's 401..500 are not in Metrc's list.
    metrc.available[(LICENSE, "package")] = [_pkg(n) for n in range(1, 401)] + [
        _pkg(n) for n in range(501, 521)
    ]
    metrc.available[(LICENSE, "plant")] = [_plant(n) for n in range(1, 101)]
    before = received.dump()
    kept = received.dump(without=("reconciliation",))
    out = received.ok("metrc", "reconcile", "--format", "json").out
    # It changes nothing but the note of when it ran, one for each type (`station due`).
    assert received.dump(without=("reconciliation",)) == kept
    assert len(received.dump()) == len(before) + 2
    [packages, plants] = json.loads(out)
    assert packages["available_in_metrc"] == 420
    assert packages["used_here"] == used
    assert packages["voided_here"] == [_pkg(11)]
    assert packages["missing_in_metrc"] == [_pkg(n) for n in range(401, 501)]
    assert packages["unknown_here"] == [_pkg(n) for n in range(501, 521)]
    assert packages["imported"] == []
    assert plants["type"] == "plant" and all(
        not plants[key] for key in ("used_here", "voided_here", "missing_in_metrc")
    )
    text = received.ok("metrc", "reconcile", "--type", "package").out
    assert "used here, still available in Metrc: 10" in text
    assert f"received here, not available in Metrc: 100 ({_pkg(401)}..{_pkg(500)})" in text
    assert "plant tags" not in text


def test_pull_imports_unknown_tags_as_received_once(stocked: Station, metrc: FakeMetrc) -> None:
    stocked.ok("receive", _pkg(1), _pkg(50))
    metrc.available[(LICENSE, "package")] = [_pkg(n) for n in range(1, 61)] + [
        _pkg(n) for n in (901, 902, 903, 950)
    ]
    metrc.available[(LICENSE, "plant")] = []
    found = json.loads(stocked.ok("metrc", "pull", "--format", "json").out)[0]
    assert found["imported"] == [_pkg(n) for n in (901, 902, 903, 950)]
    assert found["not_received_here"] == [_pkg(n) for n in range(51, 61)]
    tag = json.loads(stocked.ok("tag", _pkg(902), "--format", "json").out)
    assert tag["status"] == "received"
    orders = json.loads(stocked.ok("order", "list", "--format", "json").out)
    [pulled] = [o for o in orders if o["total"] == 4]
    assert pulled["received"] == 4 and len(pulled["ranges"]) == 2
    assert pulled["ranges"][0].startswith(f"{_pkg(901)}..{_pkg(903)}")
    events = json.loads(stocked.ok("audit", "--format", "json").out)
    assert any(e["details"].get("source") == "metrc pull" for e in events)
    # A second pull finds nothing new and records nothing but when it ran.
    before = stocked.dump(without=("reconciliation",))
    again = json.loads(stocked.ok("metrc", "pull", "--format", "json").out)[0]
    assert again["imported"] == []
    assert stocked.dump(without=("reconciliation",)) == before


def test_uids_held_here_elsewhere_get_their_own_categories(
    received: Station, metrc: FakeMetrc
) -> None:
    other = "1A4060300002EE3000000001"
    received.ok("facility", "add", OTHER_LICENSE, "Other Farm")
    received.ok(
        "order", "add", "--license", OTHER_LICENSE, "--type", "package", "--first", other,
        "--count", "1", "--order-date", "2026-11-20",
    )  # fmt: skip
    metrc.available[(LICENSE, "package")] = [_pkg(1), other, _plant(5), "NOT A TAG"]
    found = json.loads(
        received.ok("metrc", "reconcile", "--type", "package", "--format", "json").out
    )[0]
    assert found["other_facility"] == [other]
    assert found["other_type"] == [_plant(5)]
    assert found["ignored"] == ["NOT A TAG"]
    text = received.ok("metrc", "reconcile", "--type", "package").out
    assert f"available in Metrc, held here by another facility: 1 ({other})" in text
    assert f"available in Metrc, held here as the other tag type: 1 ({_plant(5)})" in text


def test_paged_answers_are_followed_to_the_last_page(received: Station, metrc: FakeMetrc) -> None:
    metrc.page_size = 20
    metrc.available[(LICENSE, "package")] = [_pkg(n) for n in range(1, 501)]
    found = json.loads(
        received.ok("metrc", "reconcile", "--type", "package", "--format", "json").out
    )[0]
    assert found["available_in_metrc"] == 500 and found["missing_in_metrc"] == []
    pages = [q.get("pageNumber", ["1"])[0] for m, p, q in metrc.requests if "tags" in p]
    assert sorted(pages, key=int) == [str(n) for n in range(1, 26)]  # read 10 at a time
    assert all(q["licenseNumber"] == [LICENSE] for _, _, q in metrc.requests)


def test_429_and_503_are_retried(received: Station, metrc: FakeMetrc) -> None:
    metrc.available[(LICENSE, "package")] = [_pkg(n) for n in range(1, 501)]
    metrc.throttle, metrc.fail = 2, 2
    received.ok("metrc", "reconcile", "--type", "package")
    assert len(metrc.requests) == 5
    metrc.fail = 10
    message = received.refused("metrc", "reconcile", "--type", "package")
    assert message == "Metrc answered 503 Service Unavailable (gave up after 5 tries)"


def test_wrong_keys_and_missing_keys_are_one_line_errors(
    received: Station, metrc: FakeMetrc, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("METRC_USER_KEY", "not-the-key")
    assert received.refused("metrc", "pull") == (
        "Metrc refused the API keys (401): check the vendor key and the user key"
    )
    monkeypatch.delenv("METRC_USER_KEY")
    monkeypatch.setattr("station.metrc.keys._from_keyring", lambda entry: "")
    assert received.refused("metrc", "pull").startswith("no Metrc METRC_USER_KEY")


def test_a_server_echoing_the_keys_gets_them_redacted_and_its_escapes_shown(
    received: Station, metrc: FakeMetrc
) -> None:
    metrc.echo = True
    message = received.refused("metrc", "reconcile", "--type", "package")
    assert message.startswith("Metrc refused: row 1: Denied: Basic *** (***, ***)")
    pair = f"{VENDOR}:{USER}"
    for secret in (
        VENDOR,
        USER,
        pair,
        *(base64.b64encode(s.encode()).decode() for s in (VENDOR, USER, pair)),
    ):
        assert secret not in message
    assert "\x1b" not in message and "\u2028" not in message
    assert "\\x1b]0;owned\\x07\\x1b[2J end" in message


def test_a_garbage_answer_and_a_claim_of_endless_pages_are_one_line_errors(
    received: Station, metrc: FakeMetrc
) -> None:
    metrc.garbage = True
    assert received.refused("metrc", "reconcile", "--type", "package") == (
        "Metrc's answer to GET /tags/v2/package/available is not JSON"
    )
    metrc.garbage = False
    metrc.page_size, metrc.claimed_pages = 20, 100_000_000
    metrc.available[(LICENSE, "package")] = [_pkg(n) for n in range(1, 41)]
    assert received.refused("metrc", "reconcile", "--type", "package") == (
        "Metrc's answer to GET /tags/v2/package/available claims 100000000 pages; the "
        "station reads 1 to 5,000"
    )
    assert len(metrc.requests) == 2  # the first page only, each time


def test_a_license_metrc_does_not_grant_is_refused(received: Station, metrc: FakeMetrc) -> None:
    metrc.licenses = {OTHER_LICENSE}
    message = received.refused("metrc", "pull", "--type", "package")
    assert message.startswith("Metrc denied GET /tags/v2/package/available for license")


def test_plant_tags_forbidden_for_a_non_cultivator_are_noted(
    received: Station, metrc: FakeMetrc
) -> None:
    metrc.no_plant_tags = {LICENSE}
    metrc.available[(LICENSE, "package")] = [_pkg(n) for n in range(1, 501)]
    result = received.ok("metrc", "reconcile")
    assert f"{LICENSE}: no plant tags from Metrc (403)" in result.err


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("http://metrc.example.com", "a Metrc URL must use https (http only on this computer)"),
        ("ftp://x", "Metrc URL 'ftp://x' is not an http(s) URL"),
    ],
)
def test_unsafe_urls_are_refused(
    received: Station, metrc: FakeMetrc, url: str, expected: str
) -> None:
    assert received.refused("metrc", "--url", url, "pull") == expected


# --- push ----------------------------------------------------------------------------------


@pytest.fixture
def big(received: Station, metrc: FakeMetrc) -> Station:
    """700 more package tags and 1,200 plant tags, received, all available in Metrc."""
    station = received
    station.ok(
        "order", "add", "--license", LICENSE, "--type", "package", "--first", _pkg(501),
        "--count", "700", "--order-date", "2026-11-20",
    )  # fmt: skip
    station.ok("receive", _pkg(501), _pkg(1200))
    station.ok(
        "order", "add", "--license", LICENSE, "--type", "plant", "--first", _plant(101),
        "--count", "1200", "--order-date", "2026-11-20",
    )  # fmt: skip
    station.ok("receive", _plant(101), _plant(1300))
    metrc.available[(LICENSE, "package")] = [_pkg(n) for n in range(1, 1201)]
    metrc.available[(LICENSE, "plant")] = [_plant(n) for n in range(1, 1301)]
    return station


def test_push_creates_packages_and_tags_plants_in_calls_of_500(
    big: Station, metrc: FakeMetrc
) -> None:
    first = _assign_packages(big, 30)
    second = _assign_packages(big, 700, "Pre-roll 1g")
    plants = _assign_plants(
        big, 40, "--plant-batch", "BD Clones 11/20", "--phase", "Vegetative", "--location", "Veg 1"
    )
    no_batch = _assign_plants(big, 5)
    dry = big.ok("metrc", "push", "--dry-run").out
    assert f"{LICENSE}: would send 731 objects; 0 accepted earlier" in dry
    assert "not sent: batch 4 needs a plant batch" in dry
    assert not metrc.requests

    report = json.loads(big.ok("metrc", "push", "--format", "json").out)[0]
    assert len(report["accepted"]) == 731 and report["rejected"] == []
    assert report["calls"] == 3
    calls = metrc.posts("/packages/v2/")
    assert [len(body) for body in calls] == [500, 230]
    sent = [obj["Tag"] for body in calls for obj in body]
    assert sent == first + second
    assert metrc.packages[first[0]]["Item"] == {"Name": "Flower 3.5g"}
    assert calls[0][0]["Quantity"] == 3.5 and calls[0][0]["ActualDate"] == "2026-11-21"
    [[phase]] = metrc.posts("/plantbatches/v2/growthphase")
    assert phase["StartingTag"] == plants[0] and phase["Count"] == 40
    assert phase["Name"] == "BD Clones 11/20" and phase["GrowthPhase"] == "Vegetative"
    assert set(metrc.plants) == set(plants) and not set(metrc.plants) & set(no_batch)

    # Everything accepted is never sent again.
    posts_before = len(metrc.applied_posts)
    again = json.loads(big.ok("metrc", "push", "--format", "json").out)[0]
    assert again["calls"] == 0 and again["accepted_earlier"] == 731
    assert len(metrc.applied_posts) == posts_before
    events = json.loads(big.ok("audit", "--format", "json").out)
    accepted = [e for e in events if e["action"] == "metrc.accepted"]
    assert sum(len(e["uids"]) for e in accepted) == 730 + 40


def test_a_push_cut_off_half_way_is_finished_by_the_next(big: Station, metrc: FakeMetrc) -> None:
    tags = _assign_packages(big, 1200)
    metrc.drop_post = 2  # the second call is applied, but its answer never arrives
    message = big.failed("metrc", "push")
    assert "it may or may not have been applied" in message
    assert len(metrc.applied_posts) == 2  # calls 1 and 2 reached Metrc; call 3 never went
    metrc.drop_post = None
    report = json.loads(big.ok("metrc", "push", "--format", "json").out)[0]
    assert report["accepted_earlier"] == 500  # call 1, answered before the cut
    assert len(report["found_in_metrc"]) == 500  # call 2: looked up, not sent again
    assert len(report["accepted"]) == 200 and report["calls"] == 1
    sent = Counter(obj["Tag"] for body in metrc.posts("/packages/v2/") for obj in body)
    assert sorted(sent) == sorted(tags) and max(sent.values()) == 1
    again = json.loads(big.ok("metrc", "push", "--format", "json").out)[0]
    assert again["calls"] == 0 and again["accepted_earlier"] == 1200


def test_look_ups_after_a_lost_answer_go_ten_at_a_time(big: Station, metrc: FakeMetrc) -> None:
    """Metrc allows a facility 10 requests at once: the 500 look-ups after a lost answer use
    all 10 and never more (the fake holds the first requests until 10 are in flight)."""
    _assign_packages(big, 600)
    metrc.drop_post = 1
    big.failed("metrc", "push")
    metrc.drop_post = None
    metrc.gather, metrc.delay = 10, 0.01
    report = json.loads(big.ok("metrc", "push", "--format", "json").out)[0]
    assert len(report["found_in_metrc"]) == 500 and len(report["accepted"]) == 100
    assert metrc.most_in_flight == 10
    lookups = [p for m, p, _ in metrc.requests if m == "GET"]
    assert len(lookups) == len(set(lookups)) == 500


def test_gets_are_paced_to_metrcs_limit_per_second(
    metrc: FakeMetrc, monkeypatch: pytest.MonkeyPatch
) -> None:
    """50 GETs a second at most: 26 look-ups take at least 25 gaps of 20 ms (a lower bound,
    which a busy machine only makes longer)."""
    monkeypatch.setattr(metrc_client, "GETS_PER_SECOND", 50.0)
    with metrc_client.MetrcClient(metrc.url, Keys(VENDOR, USER), LICENSE) as api:
        started = time.monotonic()
        found = api.get_many([f"/packages/v2/{_pkg(n)}" for n in range(26)])
        took = time.monotonic() - started
    assert found == [None] * 26
    assert took >= 25 / 50
    assert metrc.most_in_flight <= 10


def test_a_reused_tag_is_refused_and_the_rest_still_go(big: Station, metrc: FakeMetrc) -> None:
    tags = _assign_packages(big, 20)
    # Someone used the 5th tag for another package in Metrc directly.
    metrc.available[(LICENSE, "package")].remove(tags[4])
    metrc.packages[tags[4]] = {"Label": tags[4], "Item": {"Name": "Other"}, "Quantity": 1}
    # The rest are sent; the exit status still says one was refused.
    result = big("metrc", "push", "--format", "json")
    assert result.code == 1
    assert (
        result.err == "error: Metrc refused 1 object (listed above): correct them and push again\n"
    )
    report = json.loads(result.out)[0]
    assert [r["tag"] for r in report["rejected"]] == [tags[4]]
    assert report["rejected"][0]["message"] == f"Tag {tags[4]} is already in use."
    assert len(report["accepted"]) == 19
    again = big("metrc", "push")
    assert again.code == 1 and "Metrc refused 1 object" in again.err
    assert f"refused {tags[4]} (batch 1): Tag {tags[4]} is already in use." in again.out
    assert "0 accepted in 1 call" in again.out and "19 accepted earlier" in again.out


def test_pushing_with_wrong_keys_leaves_nothing_marked(big: Station, metrc: FakeMetrc) -> None:
    _assign_packages(big, 5)
    metrc.user_key = "rotated"
    assert big.refused("metrc", "push").startswith("Metrc refused the API keys (401)")
    metrc.user_key = USER
    report = json.loads(big.ok("metrc", "push", "--format", "json").out)[0]
    assert len(report["accepted"]) == 5


# --- exports -------------------------------------------------------------------------------


def _rows(path: Path) -> list[list[str]]:
    text = path.read_bytes().decode("utf-8")
    assert text.endswith("\r\n") and not text.startswith("\ufeff")
    return [line.split(",") for line in text.splitlines()]


def test_export_files_for_metrc(big: Station, tmp_path: Path) -> None:
    plants = _assign_plants(
        big, 700, "--plant-batch", "BD 11-20", "--phase", "Flowering", "--location", "Flower A"
    )
    big.ok("replace", plants[0], _plant(1300), "--date", "2026-11-22")
    packed = big.ok(
        "assign", "package", "--count", "3", "--item", "Clone pack", "--quantity", "6",
        "--unit", "Each", "--plant-batch", "BD 11-20", "--location", "Nursery",
        "--date", "2026-11-23",
    ).out.split()  # fmt: skip
    packages = _assign_packages(big, 510)

    promote = big.ok("export", "plant-tags", str(tmp_path / "promote"))
    files = promote.out.split()
    assert [Path(f).name for f in files] == [
        f"plant-tags-{LICENSE}-001.csv",
        f"plant-tags-{LICENSE}-002.csv",
    ]
    rows = _rows(Path(files[0])) + _rows(Path(files[1]))
    assert len(_rows(Path(files[0]))) == 500 and len(rows) == 700
    assert rows[0] == ["BD 11-20", "1", plants[0], "Flowering", "Flower A", rows[0][5], ""]
    assert [row[2] for row in rows] == plants  # the original tags; the replacement is separate

    [replaced] = big.ok("export", "replaced-tags", str(tmp_path / "replace")).out.split()
    assert _rows(Path(replaced)) == [[plants[0], _plant(1300), "2026-11-22"]]

    [pack] = big.ok("export", "packed-plants", str(tmp_path / "pack")).out.split()
    assert _rows(Path(pack)) == [
        ["BD 11-20", "Clone pack", tag, "", "", "False", "False", "6", "Nursery", "2026-11-23"]
        for tag in packed
    ]

    payloads = big.ok("export", "packages", str(tmp_path / "json")).out.split()
    bodies = [json.loads(Path(p).read_text()) for p in payloads]
    assert [len(body) for body in bodies] == [500, 10]
    assert [obj["Tag"] for body in bodies for obj in body] == packages
    assert bodies[0][0]["UnitOfMeasure"] == "Grams" and bodies[0][0]["Ingredients"] == []

    listing = tmp_path / "tags.csv"
    big.ok("export", "tags", str(listing), "--type", "plant")
    lines = listing.read_text().splitlines()
    assert lines[0].startswith("uid,type,status,license_number,")
    assert len(lines) == 1 + 1300
    header = lines[0].split(",")
    first = dict(zip(header, lines[1].split(","), strict=False))
    assert first["uid"] == plants[0] and first["status"] == "voided"
    assert first["void_reason"] == f"replaced by {_plant(1300)}"
    assert first["assignment_id"] == "1" and first["order_date"] == "2026-11-20"


def test_export_refuses_to_overwrite_and_writes_nothing(big: Station, tmp_path: Path) -> None:
    _assign_packages(big, 510)
    folder = tmp_path / "out"
    folder.mkdir()
    (folder / f"packages-{LICENSE}-002.json").write_text("keep me")
    message = big.refused("export", "packages", str(folder))
    assert message.endswith("already exists; export into an empty folder")
    assert sorted(p.name for p in folder.iterdir()) == [f"packages-{LICENSE}-002.json"]
    assert (folder / f"packages-{LICENSE}-002.json").read_text() == "keep me"
    assert big.refused("export", "tags", str(folder / f"packages-{LICENSE}-002.json")).endswith(
        "already exists"
    )
    assert big.refused("export", "packages", str(tmp_path / "x"), "--license", "C11-9").startswith(
        "unknown facility 'C11-9'"
    )
    assert not (tmp_path / "x").exists()


def test_replacing_a_tag_refuses_what_cannot_be_replaced(big: Station) -> None:
    plants = _assign_plants(big, 3)
    assert big.refused("replace", plants[0], plants[1]) == (
        f"{plants[1]} is used; the new tag must be received and unused"
    )
    assert big.refused("replace", _plant(200), _plant(201)) == (
        f"{_plant(200)} is received, not on a plant; nothing to replace"
    )
    assert big.refused("replace", plants[0], _pkg(1)) == (
        f"{_pkg(1)} is a package tag; only plant tags are replaced"
    )


# --- the keys ------------------------------------------------------------------------------


def test_the_keys_never_reach_the_database_output_or_logs(
    big: Station, metrc: FakeMetrc, caplog: pytest.LogCaptureFixture, tmp_path: Path
) -> None:
    caplog.set_level(logging.DEBUG)
    made = _assign_packages(big, 20)[0]
    metrc.retail.allotments[LICENSE] = 10
    unit = "HTTPS://1A4.COM/" + short_code(made, 1)
    seen = []
    for args in (
        ("metrc", "pull"),
        ("metrc", "reconcile", "--format", "json"),
        ("metrc", "push"),
        ("metrc", "push", "--dry-run"),
        ("retailid", "allotment"),
        ("retailid", "generate", made, "--quantity", "3"),
        ("retailid", "codes", made),
        ("retailid", "lookup", unit),
    ):
        result = big(*args)
        assert result.code == 0, result.err
        seen += [result.out, result.err]
    metrc.fail = 10
    result = big("metrc", "push")
    seen += [result.out, result.err]
    metrc.fail = 0
    metrc.vendor_key = "changed"
    for args in (("metrc", "pull"), ("retailid", "generate", made, "--quantity", "1")):
        result = big(*args)
        assert result.code == 1
        seen += [result.out, result.err]
    seen.append(caplog.text)
    seen += big.dump()
    seen.append(big.ok("audit", "--format", "json").out)
    if big.url.startswith("sqlite"):
        for path in big.path.parent.glob("station.db*"):
            seen.append(path.read_bytes().decode("latin-1"))
    assert any("httpx" in record.name for record in caplog.records)  # the logs were captured
    for text in seen:
        assert VENDOR not in text and USER not in text
        assert "dmstWnpxODEtVkVORE9S" not in text  # the start of the keys in base64


# Piped input cannot hide what is typed; the warning says so and is expected here.
@pytest.mark.filterwarnings("ignore::getpass.GetPassWarning")
def test_keys_from_the_system_keyring(
    received: Station, metrc: FakeMetrc, monkeypatch: pytest.MonkeyPatch
) -> None:
    import keyring
    from keyring.backend import KeyringBackend

    class Memory(KeyringBackend):
        priority = 1

        def __init__(self) -> None:
            self.saved: dict[tuple[str, str], str] = {}

        def get_password(self, service: str, username: str) -> str | None:
            return self.saved.get((service, username))

        def set_password(self, service: str, username: str, password: str) -> None:
            self.saved[(service, username)] = password

        def delete_password(self, service: str, username: str) -> None:
            self.saved.pop((service, username), None)

    memory = Memory()
    previous = keyring.get_keyring()
    keyring.set_keyring(memory)
    try:
        monkeypatch.delenv("METRC_VENDOR_KEY")
        monkeypatch.delenv("METRC_USER_KEY")
        result = received("metrc", "keys", "set", stdin=f"{VENDOR}\n{USER}\n")
        assert result.code == 0, result.err
        assert VENDOR not in result.out + result.err
        metrc.available[(LICENSE, "package")] = []
        received.ok("metrc", "reconcile", "--type", "package")
        received.ok("metrc", "keys", "clear")
        assert memory.saved == {}
        assert received.refused("metrc", "reconcile").startswith("no Metrc METRC_VENDOR_KEY")
    finally:
        keyring.set_keyring(previous)


@pytest.mark.parametrize(
    ("state", "sandbox", "expected"),
    [
        ("ca", False, "https://api-ca.metrc.com"),
        ("CA", True, "https://sandbox-api-ca.metrc.com"),
        ("co", False, "https://api-co.metrc.com"),
    ],
)
def test_the_api_address_per_state(state: str, sandbox: bool, expected: str) -> None:
    assert base_url(state, sandbox) == expected


def test_a_bad_state_is_refused(received: Station) -> None:
    assert received.refused("metrc", "--state", "california", "reconcile") == (
        "state 'california' is not a two-letter state code"
    )


async def test_the_metrc_screen_reconciles_and_pushes_after_showing(
    big: Station, metrc: FakeMetrc
) -> None:
    tags = _assign_packages(big, 30)
    app = StationApp(big.context())
    async with app.run_test(size=(140, 40)) as pilot:
        await pilot.press("ctrl+g")
        await settle(pilot)
        await pilot.press("f10")
        await settle(pilot)
        log = app.screen.query_one("#log", Log)
        assert f"{LICENSE} package tags: 1,200 available in Metrc" in log.lines
        assert f"  used here, still available in Metrc: 30 ({tags[0]}..{tags[-1]})" in log.lines
        await pilot.press("f12")
        await settle(pilot)
        assert f"{LICENSE}: would send 30 objects; 0 accepted earlier" in log.lines
        assert "F12 again sends them." in log.lines[-3:] and not metrc.applied_posts
        await pilot.press("f12")
        await settle(pilot)
        assert any(line.startswith(f"{LICENSE}: 30 accepted in 1 call") for line in log.lines)
        assert sorted(metrc.packages) == tags
        # An error ends what the log said was under way.
        metrc.user_key = "rotated"
        await pilot.press("f10")
        await settle(pilot)
        written = [line for line in log.lines if line]
        assert written[-2:] == [
            "Comparing with Metrc...",
            "Stopped: Metrc refused the API keys (401): check the vendor key and the user key",
        ]


def test_a_replaced_plant_tag_is_pushed_after_the_plants(big: Station, metrc: FakeMetrc) -> None:
    plants = _assign_plants(
        big, 10, "--plant-batch", "BD 11-20", "--phase", "Vegetative", "--location", "Veg 1"
    )
    big.ok("replace", plants[3], _plant(1300), "--date", "2026-11-24")
    report = json.loads(big.ok("metrc", "push", "--format", "json").out)[0]
    assert [(a["endpoint"], a["tag"]) for a in report["accepted"]] == [
        ("/plantbatches/v2/growthphase", plants[0]),
        ("/plants/v2/tag", _plant(1300)),
    ]
    [[replace]] = metrc.posts("/plants/v2/tag")
    assert replace == {
        "Id": None,
        "Label": plants[3],
        "TagId": None,
        "NewTag": _plant(1300),
        "ReplaceDate": "2026-11-24",
    }
    assert plants[3] not in metrc.plants
    assert metrc.plants[_plant(1300)]["PlantBatchName"] == "BD 11-20"
    # A later replacement goes alone; nothing accepted is sent again.
    big.ok("replace", plants[5], _plant(1299))
    again = json.loads(big.ok("metrc", "push", "--format", "json").out)[0]
    assert [a["tag"] for a in again["accepted"]] == [_plant(1299)]
    assert again["accepted_earlier"] == 2


def test_a_keyring_that_keeps_nothing_is_not_reported_as_saved(
    received: Station, monkeypatch: pytest.MonkeyPatch
) -> None:
    import keyring
    from keyring.backends.null import Keyring as Null

    previous = keyring.get_keyring()
    keyring.set_keyring(Null())  # type: ignore[no-untyped-call]
    try:
        result = received("metrc", "keys", "set", stdin=f"{VENDOR}\n{USER}\n")
    finally:
        keyring.set_keyring(previous)
    # Refused before the keys are asked for: one line, no prompt.
    assert result.code == 1 and "saved" not in result.err
    assert result.err == (
        "error: no usable system keyring (null keyring: it keeps nothing); set "
        "METRC_VENDOR_KEY and METRC_USER_KEY in the environment instead\n"
    )


class _Forgetful(keyring_backend.KeyringBackend):
    """A keyring that ranks as usable but keeps nothing it is given."""

    priority = 1

    def set_password(self, service: str, username: str, password: str) -> None:
        pass

    def get_password(self, service: str, username: str) -> str | None:
        return None

    def delete_password(self, service: str, username: str) -> None:
        pass


def test_keys_a_keyring_takes_but_does_not_keep_are_not_reported_as_saved(
    received: Station,
) -> None:
    import keyring

    previous = keyring.get_keyring()
    keyring.set_keyring(_Forgetful())  # type: ignore[no-untyped-call]
    try:
        result = received("metrc", "keys", "set", stdin=f"{VENDOR}\n{USER}\n")
    finally:
        keyring.set_keyring(previous)
    *_prompts, message = result.err.strip().splitlines()
    assert result.code == 1 and "saved" not in result.err
    assert message.startswith("error: no usable system keyring (KeyringError: _Forgetful did not")
    assert VENDOR not in result.err + result.out and USER not in result.err + result.out
