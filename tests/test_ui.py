"""The terminal UI starts on a real database, shows the counts, and quits cleanly."""

from __future__ import annotations

from textual.widgets import DataTable

from station.ui.app import StationApp
from tests.conftest import LICENSE, Station


async def test_dashboard_shows_counts_and_quits(received: Station) -> None:
    received.ok("void", "1A4060300002EE1000000009", "--reason", "torn")
    app = StationApp(received.context())
    async with app.run_test() as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        table = app.query_one(DataTable)
        rows = [[str(cell) for cell in table.get_row_at(i)] for i in range(table.row_count)]
        assert rows == [
            [LICENSE, "Green Leaf Farms", "package", "0", "499", "0", "1"],
            [LICENSE, "Green Leaf Farms", "plant", "0", "100", "0", "0"],
        ]
        await pilot.press("ctrl+q")
    assert app.return_code == 0


async def test_dashboard_on_an_empty_station_says_what_to_do(station: Station) -> None:
    station.ok("facility", "list")
    app = StationApp(station.context())
    async with app.run_test() as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.query_one(DataTable).row_count == 0
        hint = str(app.query_one("#hint").render())
        assert "No tags yet" in hint


async def test_refresh_picks_up_changes_made_elsewhere(stocked: Station) -> None:
    app = StationApp(stocked.context())
    async with app.run_test() as pilot:
        await app.workers.wait_for_complete()
        stocked.ok("receive", "1A4060300002EE2000000001", "1A4060300002EE2000000010")
        await pilot.press("f5")
        await app.workers.wait_for_complete()
        await pilot.pause()
        table = app.query_one(DataTable)
        plant = [str(cell) for cell in table.get_row_at(1)]
        assert plant[2:5] == ["plant", "90", "10"]
        assert "No tags yet" not in str(app.query_one("#hint").render())
