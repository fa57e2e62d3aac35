"""Dates as typed and as files carry them: ASCII digits only, none after today or before
Metrc's tracking began in California."""

from __future__ import annotations

import datetime as dt

import pytest

from station.domain.dates import EARLIEST, parse_date, parse_past_date
from station.domain.errors import StationError
from tests.helpers.station import LICENSE, PACKAGE_PREFIX, Station, uid

TODAY = dt.date(2026, 11, 27)


@pytest.mark.parametrize(("text", "expected"), [("2026-11-20", dt.date(2026, 11, 20)),
                                                 ("11/20/2026", dt.date(2026, 11, 20)),
                                                 (" 2017-01-01 ", EARLIEST)])  # fmt: skip
def test_dates_are_read(text: str, expected: dt.date) -> None:
    assert parse_past_date(text, "order date", TODAY) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("\uff12\uff10\uff12\uff16-11-20", "bad order date '\uff12\uff10\uff12\uff16-11-20'"),
        ("2026-11-2\u0660", "bad order date '2026-11-2\u0660': expected YYYY-MM-DD"),
        ("0001-01-01", "bad order date 0001-01-01: it is before 2017"),
        ("1900-01-01", "bad order date 1900-01-01: it is before 2017"),
        ("2016-12-31", "bad order date 2016-12-31: it is before 2017"),
        ("2026-11-28", "bad order date 2026-11-28: it is after today (2026-11-27)"),
    ],
)
def test_impossible_dates_are_refused(text: str, message: str) -> None:
    with pytest.raises(StationError) as caught:
        parse_past_date(text, "order date", TODAY)
    assert str(caught.value).startswith(message)


def test_plain_parse_still_refuses_other_digits() -> None:
    with pytest.raises(StationError):
        parse_date("\uff12\uff10\uff12\uff16-11-20")


def test_an_order_from_1900_is_refused(station: Station) -> None:
    station.ok("facility", "add", LICENSE, "Green Leaf Farms")
    refused = station.refused(
        "order", "add", "--license", LICENSE, "--type", "package",
        "--first", uid(PACKAGE_PREFIX, 1), "--count", "5", "--order-date", "1900-01-01",
    )  # fmt: skip
    assert refused.startswith("bad order date 1900-01-01: it is before 2017")
