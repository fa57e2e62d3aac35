"""Retail ID against the fake Metrc on 127.0.0.1: allotment, generate (also with its answer
lost), codes, associate and lookup, and every refusal leaving the database as it was."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from devtools.fakes.metrc import FakeMetrc
from devtools.fakes.retail import short_code, unit_url
from station.db.models import RetailIssuance
from station.domain import retail_id
from station.metrc import retail
from tests.helpers.station import CHILD, LICENSE, PACKAGE_PREFIX, PARENT, Station, uid


def _generate(station: Station, quantity: int, label: str = PARENT) -> dict[str, object]:
    out = station.ok("retailid", "generate", label, "--quantity", str(quantity), "--format", "json")
    found: dict[str, object] = json.loads(out.out)
    return found


def test_allotment_is_metrcs_and_generate_spends_it(packaged: Station, metrc: FakeMetrc) -> None:
    assert packaged.ok("retailid", "allotment").out.strip() == (
        f"{LICENSE}: 1,000 Retail ID codes left in the allotment"
    )
    done = _generate(packaged, 25)
    assert done["units"] == 25 and done["ranges"] == [[1, 25]]
    assert done["settled_from_metrc"] is False
    assert done["metrc_issuance"] == metrc.retail.issued[PARENT][0].id
    left = json.loads(packaged.ok("retailid", "allotment", "--format", "json").out)
    assert left == {"license_number": LICENSE, "allotment": 975}
    # A second issuance continues the indexes.
    assert _generate(packaged, 5)["ranges"] == [[26, 30]]
    codes = json.loads(packaged.ok("retailid", "codes", PARENT, "--format", "json").out)
    assert [c["index"] for c in codes] == list(range(1, 31))
    # Each URL is the one Metrc's SDK makes (the fake builds them independently).
    assert [c["url"] for c in codes] == [unit_url(PARENT, n) for n in range(1, 31)]
    assert not any(c["printed"] for c in codes)
    audit = json.loads(
        packaged.ok("audit", "--action", "retailid.generate", "--format", "json").out
    )
    assert [e["details"]["units"] for e in audit] == [25, 5]
    assert all(e["uids"] == [PARENT] for e in audit)
    text = packaged.ok("retailid", "codes", PARENT).out
    assert unit_url(PARENT, 30) in text


def test_generate_refusals_change_nothing(
    packaged: Station, metrc: FakeMetrc, received: Station
) -> None:
    before = packaged.dump()
    cases = [
        ((uid(PACKAGE_PREFIX, 3), "5"), "not used on a package; assign it to a package first"),
        (("1A4060300002EE1099999999", "5"), "is not a tag of this station"),
        ((uid("1A4060300002EE20", 1), "5"), "is a plant tag; Retail ID codes are for packages"),
        ((PARENT, "1001"), f"{LICENSE} has 1,000 left in its Retail ID allotment"),
        ((PARENT, "0"), "--quantity must be 1 to 50,000, not 0"),
        ((PARENT, "x"), None),  # a usage error
    ]
    for (label, quantity), said in cases:
        result = packaged("retailid", "generate", label, "--quantity", quantity)
        if said is None:
            assert result.code == 2
        else:
            assert result.code == 1 and said in result.err, result.err
            assert result.err.count("\n") == 1 and "Traceback" not in result.err
    # Metrc's own refusal: a package it does not hold.
    del metrc.packages[CHILD]
    assert "Metrc refused: Package" in packaged.refused(
        "retailid", "generate", CHILD, "--quantity", "2"
    )
    # Wrong keys.
    metrc.vendor_key = "changed"
    assert "refused the API keys (401)" in packaged.refused(
        "retailid", "generate", PARENT, "--quantity", "2"
    )
    assert packaged.dump() == before
    assert metrc.retail.generated == 0 and metrc.retail.allotments[LICENSE] == 1000


def test_a_lost_answer_is_settled_from_metrc_never_generated_twice(
    packaged: Station, metrc: FakeMetrc
) -> None:
    _generate(packaged, 10)
    metrc.drop_post = 2  # the next generate is applied, and its answer never arrives
    # It fails, and the request stays recorded as sent.
    err = packaged.failed("retailid", "generate", PARENT, "--quantity", "40")
    assert "it may or may not have been applied" in err
    assert "run the same generate again" in err
    assert metrc.retail.generated == 2
    # The station asks Metrc and records what it holds; nothing more is generated, even when
    # the next request asks for another quantity.
    done = _generate(packaged, 7)
    assert done == {**done, "units": 40, "ranges": [[11, 50]], "settled_from_metrc": True}
    assert metrc.retail.generated == 2 and metrc.retail.allotments[LICENSE] == 950
    paths = [path for method, path, _ in metrc.requests if method == "POST"]
    assert paths[-1] == "/retailid/v2/packages/info"
    codes = json.loads(packaged.ok("retailid", "codes", PARENT, "--format", "json").out)
    assert [c["index"] for c in codes] == list(range(1, 51))
    [event] = json.loads(
        packaged.ok("audit", "--action", "retailid.generate", "--format", "json").out
    )[1:]
    assert event["details"]["settled_from_metrc"] is True
    # Next time it asks afresh.
    assert _generate(packaged, 3)["ranges"] == [[51, 53]]


def test_a_generate_that_never_reached_metrc_is_asked_again(
    packaged: Station, metrc: FakeMetrc, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Every try of the generate is answered 503: Metrc did nothing, the station cannot know.
    real = metrc.retail._generate
    monkeypatch.setattr(metrc.retail, "_generate", lambda *a: (503, {"Message": "Busy"}, {}))
    err = packaged.failed("retailid", "generate", PARENT, "--quantity", "4")
    assert "run the same generate again" in err
    monkeypatch.setattr(metrc.retail, "_generate", real)
    done = _generate(packaged, 4)
    assert done["settled_from_metrc"] is False and done["ranges"] == [[1, 4]]
    assert metrc.retail.generated == 1
    assert len(json.loads(packaged.ok("retailid", "codes", PARENT, "--format", "json").out)) == 4


def test_an_answer_metrc_sent_but_the_station_cannot_read_is_settled_too(
    packaged: Station, metrc: FakeMetrc, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = metrc.retail._generate

    def odd(*args: object) -> tuple[int, object, dict[str, str]]:
        status, _, headers = real(*args)  # type: ignore[arg-type]
        return status, {"IssuanceId": "x", "Manifest": {"Ranges": [[5, 1]]}}, headers

    monkeypatch.setattr(metrc.retail, "_generate", odd)
    err = packaged.failed("retailid", "generate", PARENT, "--quantity", "6")
    assert "Ranges holds something other than" in err
    monkeypatch.setattr(metrc.retail, "_generate", real)
    assert _generate(packaged, 6)["settled_from_metrc"] is True
    assert metrc.retail.generated == 1


# --- association and lookup -----------------------------------------------------------------


def test_scanned_units_are_associated_with_a_child_package(
    packaged: Station, metrc: FakeMetrc, tmp_path: Path
) -> None:
    _generate(packaged, 12)
    scans = [
        unit_url(PARENT, 1),
        unit_url(PARENT, 2).lower(),  # Caps Lock on
        unit_url(PARENT, 3).replace(":", "Ö").replace("/", "-"),  # a mangled layout
        "",
        unit_url(PARENT, 1),  # scanned twice
    ]
    path = tmp_path / "units.txt"
    path.write_text("\n".join(scans) + "\n")
    result = packaged.ok("retailid", "associate", CHILD, "--codes", str(path))
    assert "3 units associated with" in result.err
    [body] = metrc.posts("/retailid/v2/associate")
    assert body == [
        {
            "PackageLabel": CHILD,
            "QrUrls": [
                unit_url(PARENT, 1),
                unit_url(PARENT, 2).lower(),
                unit_url(PARENT, 3),  # rebuilt from the code
            ],
        }
    ]
    for n in (1, 2, 3):
        assert metrc.retail.units[short_code(PARENT, n)] == (PARENT, CHILD)
    looked = json.loads(
        packaged.ok("retailid", "lookup", unit_url(PARENT, 2), "--format", "json").out
    )
    assert looked["associated_with"] == CHILD and looked["package_here"] is True
    assert looked["metrc"]["child_tag"] == CHILD
    # From standard input too.
    packaged.ok("retailid", "associate", CHILD, "--codes", "-", stdin=unit_url(PARENT, 4) + "\n")
    events = json.loads(
        packaged.ok("audit", "--action", "retailid.associate", "--format", "json").out
    )
    assert [len(e["details"]["units"]) for e in events] == [3, 1]


def test_associate_refusals_send_and_change_nothing(
    packaged: Station, metrc: FakeMetrc, tmp_path: Path
) -> None:
    _generate(packaged, 3)
    before = packaged.dump()
    sent = len(metrc.requests)
    path = tmp_path / "units.txt"
    path.write_text(f"{unit_url(PARENT, 1)}\nHTTPS://1A4.COM/NOT-A-CODE!\n")
    assert "line 2 ('HTTPS://1A4.COM/NOT-A-CODE!'): not a Retail ID" in packaged.refused(
        "retailid", "associate", CHILD, "--codes", str(path)
    )
    path.write_text("\n\n")
    assert "is empty" in packaged.refused("retailid", "associate", CHILD, "--codes", str(path))
    assert "no Retail ID units scanned" in packaged.refused(
        "retailid", "associate", CHILD, "--codes", "-", stdin="\n \n"
    )
    # A genuine code under another address, and one with a leading zero.
    for line, bad in enumerate(
        (
            unit_url(PARENT, 2).replace("1A4.COM", "EVIL.COM"),
            unit_url(PARENT, 2).replace(".COM/", ".COM/0"),
        ),
        start=2,
    ):
        path.write_text(f"{unit_url(PARENT, 1)}\n{bad}\n")
        assert f"line 2 ({bad!r}): not a Retail ID" in packaged.refused(
            "retailid", "associate", CHILD, "--codes", str(path)
        ), line
    assert len(metrc.requests) == sent  # nothing went to Metrc
    # A well-formed code Metrc never issued: Metrc refuses, nothing is recorded.
    path.write_text(unit_url(PARENT, 99) + "\n")
    assert "Unknown QR code" in packaged.refused(
        "retailid", "associate", CHILD, "--codes", str(path)
    )
    assert "not used on a package" in packaged.refused(
        "retailid", "associate", uid(PACKAGE_PREFIX, 9), "--codes", str(path)
    )
    assert packaged.dump() == before


def test_lookup_decodes_offline_and_asks_metrc_with_keys(
    packaged: Station, metrc: FakeMetrc, monkeypatch: pytest.MonkeyPatch
) -> None:
    _generate(packaged, 3)
    text = packaged.ok("retailid", "lookup", unit_url(PARENT, 2)).out
    assert f"unit 2 of {PARENT}" in text
    assert "package here; issuance 1; not printed" in text
    assert "Metrc: 3 codes in its package" in text
    # A code Metrc never issued.
    assert "Metrc: no such code" in packaged.ok("retailid", "lookup", unit_url(PARENT, 9)).out
    # The SDK's own vector, offline: a sandbox tag the station does not hold.
    vector = "HTTPS://D.1A4.COM/78OEAYDSAXRN14AQY5YWAR"
    found = json.loads(
        packaged.ok("retailid", "lookup", vector, "--offline", "--format", "json").out
    )
    assert (found["tag"], found["index"], found["package_here"]) == (
        "ABCDEF012345670000027190", 485, False,
    )  # fmt: skip
    assert "metrc" not in found
    monkeypatch.delenv("METRC_VENDOR_KEY")
    monkeypatch.setattr("station.metrc.keys._from_keyring", lambda entry: "")
    asked = len(metrc.requests)
    assert "Metrc not asked (offline: no keys)" in packaged.ok("retailid", "lookup", vector).out
    assert len(metrc.requests) == asked
    assert "not a Retail ID" in packaged.refused("retailid", "lookup", "hello")
    assert retail_id.decode(unit_url(PARENT, 2)).index == 2
    # A genuine code under another address is not Metrc's: refused, nothing asked.
    foreign = unit_url(PARENT, 2).replace("1A4.COM", "EVIL.COM")
    assert packaged.refused("retailid", "lookup", foreign) == (
        f"not a Retail ID: a code under '{foreign}', not Metrc's 1A4.COM"
    )
    assert len(metrc.requests) == asked


def test_an_issuance_another_station_removed_meanwhile_is_written_again(
    packaged: Station, metrc: FakeMetrc, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Another station found this request pending while Metrc did not show its codes yet, and
    # removed it; the answer then arrives here: the codes are Metrc's, so they are recorded.
    real = retail.generate

    def meanwhile(client: retail.RetailCaller, label: str, quantity: int) -> retail.Issued:
        answer = real(client, label, quantity)
        assert RetailIssuance.delete().execute() == 1
        return answer

    monkeypatch.setattr(retail, "generate", meanwhile)
    assert _generate(packaged, 6)["ranges"] == [[1, 6]]
    assert len(json.loads(packaged.ok("retailid", "codes", PARENT, "--format", "json").out)) == 6


def test_a_generate_answered_504_is_settled_never_sent_again(
    packaged: Station, metrc: FakeMetrc, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A 5xx after the request went out may hide a generate Metrc applied: it is not retried,
    and the next generate settles it from packages/info."""
    real = metrc.retail._generate

    def applied_then_504(*args: object) -> tuple[int, object, dict[str, str]]:
        real(*args)  # type: ignore[arg-type]
        return 504, {"Message": "Gateway Timeout"}, {}

    monkeypatch.setattr(metrc.retail, "_generate", applied_then_504)
    err = packaged.failed("retailid", "generate", PARENT, "--quantity", "8")
    assert "Metrc answered 504" in err and "it may or may not have been applied" in err
    assert metrc.retail.generated == 1  # sent once, not retried
    monkeypatch.setattr(metrc.retail, "_generate", real)
    done = _generate(packaged, 8)
    assert done["settled_from_metrc"] is True and done["ranges"] == [[1, 8]]
    assert metrc.retail.generated == 1 and metrc.retail.allotments[LICENSE] == 992
