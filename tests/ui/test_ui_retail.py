"""Retail ID in the terminal UI: the Ctrl+F screen (allotment, generate, print with progress),
a unit's QR scanned on any screen, units scanned while receiving associated with a package,
and the assign screen's way to its packages' unit labels. Fake Metrc and Zebra on 127.0.0.1."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from textual.widgets import DataTable, Input, Select, Static

from devtools.fakes.metrc import FakeMetrc
from devtools.fakes.retail import unit_url
from devtools.fakes.zebra import FakeZebra
from station.ui.app import StationApp
from station.ui.screens.retail import RetailIdScreen
from station.ui.screens.unit import UnitScreen
from tests.helpers.station import CHILD, LICENSE, PACKAGE_PREFIX, PARENT, Station, uid
from tests.helpers.ui import assign_batch, scan, settle, until

pytestmark = pytest.mark.sqlite_only


@pytest.fixture
def zebra(packaged: Station) -> Iterator[FakeZebra]:
    with FakeZebra() as fake:
        packaged.ok("printer", "add", "shelf", "--driver", "zpl", "--connection", fake.url)
        yield fake


def shown(app: StationApp, selector: str) -> str:
    return str(app.screen.query_one(selector, Static).render())


async def test_generate_and_print_a_packages_units_from_the_retail_id_screen(
    packaged: Station, metrc: FakeMetrc, zebra: FakeZebra
) -> None:
    app = StationApp(packaged.context())
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("ctrl+f")
        await settle(pilot)
        assert isinstance(app.screen, RetailIdScreen)
        await scan(pilot, PARENT)  # the package's tag
        await settle(pilot)
        assert "no unit codes yet" in shown(app, "#summary")
        await pilot.press("f5")
        await settle(pilot)
        assert shown(app, "#allotment") == f"Allotment at {LICENSE}: 1,000 codes left"
        app.screen.query_one("#quantity", Input).value = "12"
        await pilot.press("f10")
        await settle(pilot)
        assert shown(app, "#summary").startswith(f"{PARENT}: 12 unit codes")
        app.screen.query_one("#printer", Select).value = "shelf"
        await pilot.press("f11")
        await settle(pilot)
        table = app.screen.query_one("#codes", DataTable)
        assert [table.get_row_at(n)[2] for n in range(table.row_count)] == ["yes"] * 12
        # F11 again prints only what has not printed: nothing, refused with the reason.
        await pilot.press("f11")
        await settle(pilot)
        assert any("already printed or being printed" in n.message for n in app._notifications)
    assert zebra.qr_data() == [unit_url(PARENT, n) for n in range(1, 13)]
    assert metrc.retail.allotments[LICENSE] == 988


async def test_a_units_qr_scanned_on_any_screen_opens_that_unit(
    packaged: Station, metrc: FakeMetrc
) -> None:
    packaged.ok("retailid", "generate", PARENT, "--quantity", "5")
    app = StationApp(packaged.context())
    async with app.run_test(size=(120, 40)) as pilot:
        for key in ("f5", "f3"):  # a screen without scans, and one that takes tag scans
            await pilot.press(key)
            await settle(pilot)
            await scan(pilot, unit_url(PARENT, 3))
            await settle(pilot)
            assert isinstance(app.screen, UnitScreen)
            text = shown(app, "#unit")
            assert f"Retail ID unit 3 of package {PARENT}" in text
            assert "Label NOT printed" in text
            await pilot.press("f5")  # ask Metrc
            await settle(pilot)
            assert shown(app, "#unit-metrc-answer") == "Metrc: 5 codes in its package"
            await pilot.press("escape")
            await settle(pilot)
        # The assign screen did not take the unit for a tag.
        assert str(app.screen.query_one("#scans", Static).render()) == ""


async def test_units_scanned_while_receiving_are_associated_with_a_package(
    packaged: Station, metrc: FakeMetrc
) -> None:
    packaged.ok("retailid", "generate", PARENT, "--quantity", "5")
    app = StationApp(packaged.context())
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("f2")
        await settle(pilot)
        await scan(pilot, unit_url(PARENT, 1), unit_url(PARENT, 2), unit_url(PARENT, 1))
        await settle(pilot)
        assert shown(app, "#units").startswith("2 Retail ID units scanned; last: unit 1 of")
        await pilot.press("f11")  # no package typed yet: refused, nothing sent
        await settle(pilot)
        assert metrc.posts("/retailid/v2/associate") == []
        app.screen.query_one("#unit-package", Input).value = CHILD
        await pilot.press("f11")
        await settle(pilot)
        assert shown(app, "#units") == "Retail ID units: scan their QR codes"
    [body] = metrc.posts("/retailid/v2/associate")
    assert body == [{"PackageLabel": CHILD, "QrUrls": [unit_url(PARENT, 1), unit_url(PARENT, 2)]}]
    looked = json.loads(
        packaged.ok("retailid", "lookup", unit_url(PARENT, 2), "--format", "json").out
    )
    assert looked["associated_with"] == CHILD
    # The tags themselves were not received again or refused: no scan reached receiving.
    assert "error" not in packaged.ok("tag", PARENT).err


async def test_the_assign_screen_leads_to_the_new_packages_units(received: Station) -> None:
    app = StationApp(received.context())
    async with app.run_test(size=(140, 48)) as pilot:
        await pilot.press("f3")
        await settle(pilot)
        await pilot.press("f11")  # nothing assigned yet
        await settle(pilot)
        assert not isinstance(app.screen, RetailIdScreen)
        await assign_batch(pilot, "Gummies", 3)
        await pilot.press("f11")
        await settle(pilot)
        assert isinstance(app.screen, RetailIdScreen)
        assert app.screen.query_one("#package", Input).value == uid(PACKAGE_PREFIX, 1)


async def test_the_retail_id_screen_keeps_its_numbers_true(
    packaged: Station, metrc: FakeMetrc
) -> None:
    """The allotment stayed at 9,988 after 5 more were generated; Units kept the previous
    package's number; a package Metrc does not know said 'not found' and nothing more."""
    metrc.retail.allotments[LICENSE] = 9_993
    app = StationApp(packaged.context())
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("ctrl+f")
        await settle(pilot)
        await scan(pilot, PARENT)
        await settle(pilot)
        await pilot.press("f5")
        await settle(pilot)
        assert shown(app, "#allotment") == f"Allotment at {LICENSE}: 9,993 codes left"
        app.screen.query_one("#quantity", Input).value = "5"
        await pilot.press("f10")
        await settle(pilot)
        # The allotment is asked again once the codes are issued.
        await until(pilot, lambda: "9,988" in shown(app, "#allotment"))
        assert shown(app, "#allotment") == f"Allotment at {LICENSE}: 9,988 codes left"
        await scan(pilot, CHILD)
        await settle(pilot)
        assert app.screen.query_one("#quantity", Input).value == ""
        # A package assigned here that Metrc does not hold (never pushed).
        del metrc.packages[CHILD]
        app.screen.query_one("#quantity", Input).value = "2"
        await pilot.press("f10")
        await settle(pilot)
        said = [n.message for n in app._notifications][-1]
        assert said.endswith(
            f"{CHILD} was never pushed to Metrc from this station: push it first, then generate"
        )
