"""Metrc's Retail ID answers read against their declared shapes: what is understood, and
every hostile or odd answer refused in one line naming where the problem is."""

from __future__ import annotations

import re
from typing import Any

import pytest

from station.metrc import retail
from station.metrc.client import MetrcError, MetrcUnsure


class Answers:
    """A caller whose every call gets ``answer`` (the client's transport is tested apart)."""

    license_number = "C11-0000001-LIC"

    def __init__(self, answer: Any) -> None:
        self.answer = answer

    def get(self, path: str) -> Any:
        return self.answer

    def post(self, path: str, body: Any) -> Any:
        return self.answer


def test_answers_as_documented_are_read() -> None:
    assert retail.allotment(Answers({"Allotment": 5, "Added": "later"})) == 5
    assert retail.allotment(Answers([{"Allotment": 7}])) == 7
    issued = retail.generate(
        Answers({"IssuanceId": "abc", "Manifest": {"Ranges": [[0, 9], [20, 29]]}}), "T", 20
    )
    assert issued == retail.Issued("abc", [(0, 9), (20, 29)])
    units = retail.receive(
        Answers({"QrCount": 3, "Ranges": [[0, 2]], "ChildTag": "1a4", "SiblingTags": ["b"]}),
        "T",
    )
    assert units == retail.Units(3, [(0, 2)], "1A4", ["B"], False)
    assert retail.receive(Answers(None), "T") is None
    info = retail.packages_info(
        Answers({"Packages": [{"Tag": "t1", "QrCount": 4, "Issuances": [{"LabelQuantity": 4}]}]}),
        ["T1"],
    )
    assert info == {"T1": retail.PackageInfo("T1", 4, None, [4])}
    assert retail.associate(Answers({"Ids": [1, 2]}), "T", ["u"]) == 2


@pytest.mark.parametrize(
    ("answer", "said"),
    [
        ({"Allotment": True}, "Expected `int`, got `bool` - at `$.Allotment`"),
        ({"Allotment": -1}, "Expected `int` >= 0 - at `$.Allotment`"),
        ({"Allotment": 10**10}, "Expected `int` <= 1000000000 - at `$.Allotment`"),
        ("lots", "Expected `object`, got `str`"),
        ([{"Allotment": 1}, {"Allotment": 2}], "Expected `object`, got `array`"),
        ({}, "Object missing required field `Allotment`"),
    ],
)
def test_odd_allotments_are_refused_naming_where(answer: Any, said: str) -> None:
    with pytest.raises(MetrcError) as caught:
        retail.allotment(Answers(answer))
    assert str(caught.value) == (
        f"Metrc's answer to /retailid/v2/allotment is not understood: {said}"
    )


@pytest.mark.parametrize(
    ("answer", "said"),
    [
        ({"QrCount": 3, "Ranges": [[0, 2, 3]]}, "Expected `array` of length 2, got 3"),
        ({"QrCount": 3, "Ranges": [[2, 0]]}, "holds something other than [first, last]"),
        ({"QrCount": 3, "Ranges": [[0, 2], [1, 3]]}, "Ranges overlap"),
        ({"QrCount": 3, "Ranges": [[0, 2**32]]}, "<= 4294967295 - at `$.Ranges[0][1]`"),
        ({"QrCount": 3, "Ranges": [[0, 999_999], [10**6, 10**6]]}, "more than 1,000,000 units"),
        ({"QrCount": 3, "Ranges": [[n, n] for n in range(10_001)]}, "length <= 10000"),
        ({"QrCount": "3"}, "Expected `int`, got `str` - at `$.QrCount`"),
        ({"QrCount": 3, "ChildTag": "a\x1b[2J"}, "is not a short text"),
        ({"QrCount": 3, "ChildTag": "x" * 65}, "length <= 64 - at `$.ChildTag`"),
        ({"QrCount": 3, "SiblingTags": "abc"}, "Expected `array | null`, got `str`"),
    ],
)
def test_odd_unit_answers_are_refused(answer: Any, said: str) -> None:
    with pytest.raises(MetrcError, match="is not understood: .*" + re.escape(said)):
        retail.receive(Answers(answer), "T")


def test_a_generate_answer_not_understood_is_unsure_so_it_is_settled_not_asked_again() -> None:
    with pytest.raises(MetrcUnsure, match="Object missing required field `Manifest`"):
        retail.generate(Answers({"IssuanceId": "abc"}), "T", 3)


def test_more_packages_than_asked_about_are_refused() -> None:
    package = {"Tag": "T1", "QrCount": 1}
    with pytest.raises(MetrcError, match="not a list of the packages asked about"):
        retail.packages_info(Answers({"Packages": [package, package]}), ["T1"])
