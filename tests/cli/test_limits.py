"""Documented limits: what could be unbounded (tags in one order or file, file size, the
kind of file, lines on standard input) is refused with one line before any work starts."""

from __future__ import annotations

import os
from pathlib import Path

from tests.helpers.station import LICENSE, PACKAGE_PREFIX, Station, uid


def test_an_order_too_large_to_record_at_once_is_refused(stocked: Station) -> None:
    message = stocked.refused(
        "order", "add", "--license", LICENSE, "--type", "package",
        "--first", uid(PACKAGE_PREFIX, 1000), "--count", "90000000", "--order-date", "2026-11-20",
    )  # fmt: skip
    assert message.startswith("an order of 90,000,000 tags is over the 1,000,000 the station")


def test_an_import_holding_too_many_tags_is_refused(stocked: Station, tmp_path: Path) -> None:
    rows = [
        f"1A4060300002EE{20 + n:02d}00000001,1A4060300002EE{20 + n:02d}00600000" for n in (0, 1)
    ]
    path = tmp_path / "big.csv"
    path.write_text("Start Tag,End Tag\n" + "\n".join(rows) + "\n")
    message = stocked.refused(
        "order", "import", str(path), "--license", LICENSE, "--type", "package",
        "--order-date", "2026-11-20",
    )  # fmt: skip
    assert (
        message == f"{path} holds 1,200,000 tags, over the 1,000,000 one import records; split it"
    )


def test_files_that_are_not_regular_or_too_large_are_refused(
    stocked: Station, tmp_path: Path
) -> None:
    fifo = tmp_path / "orders.csv"
    os.mkfifo(fifo)
    large = tmp_path / "large.csv"
    with large.open("wb") as sparse:
        sparse.truncate(129 * 2**20)
    options = ["--license", LICENSE, "--type", "package", "--order-date", "2026-11-20"]
    assert stocked.refused("order", "import", str(fifo), *options) == (
        f"{fifo} is not a regular file (a device, pipe or socket)"
    )
    assert stocked.refused("order", "import", "/dev/zero", *options) == (
        "/dev/zero is not a regular file (a device, pipe or socket)"
    )
    assert stocked.refused("order", "import", str(large), *options) == (
        f"{large} is over 128 MiB; split it"
    )


def test_a_line_with_no_end_on_standard_input_is_refused(stocked: Station) -> None:
    message = stocked.refused("receive", "-", stdin="A" * 1_000_000)
    assert message.startswith("line 1: 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA…' is not a UID")


def _on_a_terminal(args: list[str], env: dict[str, str]) -> str:
    """Run ``station ARGS`` with its stderr on a pseudo-terminal; what it showed there."""
    import pty
    import subprocess
    import sys

    master, slave = pty.openpty()
    child = subprocess.Popen(
        [sys.executable, "-m", "station", *args],
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=slave, env=env,
    )  # fmt: skip
    os.close(slave)
    shown = b""
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:  # the child closed the terminal: it has ended
            break
        if not chunk:
            break
        shown += chunk
    child.wait(timeout=120)
    os.close(master)
    return shown.decode(errors="replace")


def test_imports_that_would_break_the_parser_are_one_line_errors(
    stocked: Station, tmp_path: Path
) -> None:
    options = ["--license", LICENSE, "--type", "package", "--order-date", "2026-11-20"]
    cell = tmp_path / "cell.csv"
    cell.write_text("Tag\n" + "A" * 200_000 + "\n")
    nested = tmp_path / "nested.json"
    nested.write_text("[" * 100_000 + "]" * 100_000)
    number = tmp_path / "number.json"
    number.write_text('[{"Label": ' + "9" * 5000 + "}]")
    assert stocked.refused("order", "import", str(cell), *options) == (
        f"{cell} line 2: field larger than field limit (131072)"
    )
    assert stocked.refused("order", "import", str(nested), *options) == (
        f"{nested}: not Metrc's tags (its JSON is nested too deeply)"
    )
    assert stocked.refused("order", "import", str(number), *options) == (
        f"{number}: not Metrc's tags (it holds a number too long)"
    )


def test_a_line_separator_in_a_name_is_refused(stocked: Station) -> None:
    assert stocked.refused("facility", "add", "C11-0000007-LIC", "Green\u2028Leaf") == (
        "facility name 'Green\\u2028Leaf' contains a control character"
    )
