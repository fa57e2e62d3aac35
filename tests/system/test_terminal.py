"""Long work as it shows on a real terminal (a pseudo-terminal and a station subprocess)."""

from __future__ import annotations

import os
import select
import subprocess
import sys

from tests.cli.test_limits import _on_a_terminal
from tests.helpers.station import LICENSE, Station, uid


def test_long_work_shows_how_it_goes_on_a_terminal(stocked: Station) -> None:
    from devtools.fakes.metrc import FakeMetrc

    env = {**os.environ, "STATION_DB": stocked.url, "STATION_OPERATOR": "tester"}
    shown = _on_a_terminal(
        ["order", "add", "--license", LICENSE, "--type", "package", "--first",
         uid("1A4060300002EE55", 1), "--count", "150000", "--order-date", "2026-11-20"],
        env,
    )  # fmt: skip
    assert "recording 150,000 package tags" in shown and "recorded order" in shown
    with FakeMetrc("v-key", "u-key", (LICENSE,)) as metrc:
        metrc.fail, metrc.retry_after = 2, "0"
        env = {**env, "METRC_URL": metrc.url, "METRC_VENDOR_KEY": "v-key",
               "METRC_USER_KEY": "u-key"}  # fmt: skip
        shown = _on_a_terminal(["metrc", "reconcile", "--type", "package"], env)
    assert "Metrc answered 503 Service Unavailable; trying GET" in shown
    assert "(try 2 of 5)" in shown and "(try 3 of 5)" in shown


def test_the_ui_quits_when_its_terminal_hangs_up(stocked: Station) -> None:
    """A terminal that goes away without the hang-up signal reaching the station (it was
    started by make, which got the signal): the station notices and quits, rather than
    spin on a terminal that answers nothing."""
    controller, device = os.openpty()
    os.set_inheritable(device, True)
    env = {
        **os.environ,
        "STATION_DB": stocked.url,
        "STATION_OPERATOR": "tester",
        "TERM": "xterm-256color",
        "COLUMNS": "80",
        "LINES": "24",
    }
    # No new session: the pseudo-terminal is not the child's controlling terminal, so
    # closing it sends no SIGHUP, as with make in between.
    child = subprocess.Popen(
        [sys.executable, "-m", "station"], stdin=device, stdout=device, stderr=device, env=env
    )
    os.close(device)
    drawn = b""
    while b"Tag Station" not in drawn:  # the UI is up
        ready, _, _ = select.select([controller], [], [], 60)
        assert ready, drawn[-500:]
        drawn += os.read(controller, 65536)
    os.close(controller)  # the terminal goes away
    try:
        assert child.wait(timeout=60) == 0
    finally:
        if child.poll() is None:
            child.kill()
