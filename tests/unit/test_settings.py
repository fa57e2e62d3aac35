"""Settings: every variable read once, refused with one line when bad, listed in docs/settings.md;
and the folders the station keeps things in."""

from __future__ import annotations

import os
import re
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from station import settings
from station.cli.main import run
from station.folders import Folders, private_folder
from tests.helpers.station import LICENSE, Station

SETTINGS_DOC = Path(__file__).parents[2] / "docs" / "settings.md"


def test_the_settings_table_lists_every_setting_and_no_other() -> None:
    text = SETTINGS_DOC.read_text()
    table = text[text.index("| variable | option | meaning |") :].split("\n\n")[0]
    listed = re.findall(r"^\| `((?:STATION|METRC)_[A-Z_]+)`", table, flags=re.MULTILINE)
    assert listed == list(settings.VARIABLES)


def test_settings_are_read_from_the_environment() -> None:
    read = settings.load(
        {
            "STATION_DB": " sqlite:///x.db ",
            "STATION_OPERATOR": "dana",
            "STATION_NAME": "bench-3",
            "STATION_JOB_LEASE": "12.5",
            "METRC_STATE": "co",
            "METRC_SANDBOX": "yes",
            "METRC_VENDOR_KEY": "v-key",
            "METRC_USER_KEY": "u-key",
        }
    )
    assert (read.db_url, read.operator, read.station_name) == ("sqlite:///x.db", "dana", "bench-3")
    assert read.job_lease.total_seconds() == 12.5
    assert (read.metrc_state, read.metrc_sandbox, read.metrc_url) == ("co", True, None)
    assert "v-key" not in repr(read) and "u-key" not in repr(read)
    empty = settings.load({})
    assert empty.db_url is None and empty.operator is None and not empty.metrc_sandbox


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("STATION_JOB_LEASE", "soon", "STATION_JOB_LEASE must be a number of seconds, not 'soon'"),
        ("STATION_JOB_LEASE", "7200", "STATION_JOB_LEASE must be 1 to 3600 seconds, not '7200'"),
        ("METRC_SANDBOX", "maybe", "METRC_SANDBOX must be 1 or 0 (or true/false, yes/no), not"),
        ("METRC_STATE", "california", "METRC_STATE/METRC_URL in the environment: state"),
        ("METRC_URL", "http://metrc.example.com", "METRC_STATE/METRC_URL in the environment: a"),
        ("METRC_URL", "http://[::1", "METRC_STATE/METRC_URL in the environment: Invalid IPv6"),
        (
            "METRC_URL",
            "https://api-ca.metrc.com\x1b[2J",
            "METRC_URL holds a control or invisible character: 'https://api-ca.metrc.com\\x1b[2J'",
        ),
        ("STATION_DB", "sqlite:///tmp/x\x1bq.db", "STATION_DB holds a control or invisible"),
        ("STATION_DB", "sqlite:///tmp/x\ny.db", "STATION_DB holds a control or invisible"),
        ("STATION_DB", "/dev/null", "the database /dev/null is not a regular file"),
        (
            "STATION_PRINTER",
            "p" * 100_000,
            "STATION_PRINTER is 100,000 characters long, over 4,096: 'ppp",
        ),
        ("STATION_PIN", "12\x1b34", "STATION_PIN holds a control or invisible character"),
        ("STATION_SCAN_MS", "9" * 5000, "STATION_SCAN_MS is 5,000 characters long"),
    ],
)
def test_a_bad_setting_stops_every_command_with_one_line(
    stocked: Station, monkeypatch: pytest.MonkeyPatch, name: str, value: str, message: str
) -> None:
    monkeypatch.setenv(name, value)
    if name == "STATION_DB":
        # The variable names the database only without --db (the fixture gives one).
        command = [sys.executable, "-m", "station", "facility", "list"]
        done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
        assert (done.returncode, done.stdout) == (1, ""), done.stderr
        assert done.stderr.startswith(f"error: {message}") and done.stderr.count("\n") == 1
        assert "\x1b" not in done.stderr
        assert not list(Path("/tmp").glob("x\x1b*")) and not list(Path("/tmp").glob("x\n*"))
        return
    for command in (["facility", "list"], ["receive", "1A4060300002EE1000000001"]):
        said = stocked.refused(*command)
        assert said.startswith(message), said
        assert len(said) < 300 and "\x1b" not in said
        if name == "STATION_PIN":
            assert "12" not in said


def test_the_command_line_wins_over_the_environment(
    stocked: Station, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # STATION_DB names an empty file elsewhere; --db (as every Station call passes) wins.
    monkeypatch.setenv("STATION_DB", f"sqlite:///{tmp_path / 'other.db'}")
    monkeypatch.setenv("STATION_OPERATOR", "from-the-environment")
    assert LICENSE in stocked.ok("facility", "list").out
    [event] = [e for e in _audit(stocked) if e["action"] == "facility.add"]
    assert event["operator"] == "tester"


def test_station_db_names_the_database_without_db(
    stocked: Station, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("STATION_DB", stocked.url)
    capsys.readouterr()
    assert run(["facility", "list", "--format", "csv"]) == 0
    assert LICENSE in capsys.readouterr().out


def _audit(station: Station) -> list[dict[str, object]]:
    import json

    events: list[dict[str, object]] = json.loads(station.ok("audit", "--format", "json").out)
    return events


# --- folders ----------------------------------------------------------------------------


def test_the_folders_follow_the_platform(tmp_path: Path) -> None:
    folders = Folders.for_user()
    assert folders.data == tmp_path / "data" / "tag-station"  # XDG_DATA_HOME of the fixture
    assert folders.templates == tmp_path / "config" / "tag-station" / "templates"
    assert folders.printer_url("spool:") == f"spool://{folders.spool}"
    assert folders.printer_url("spool:///elsewhere") == "spool:///elsewhere"
    assert folders.printer_url("tcp://10.0.0.9") == "tcp://10.0.0.9"


def test_python_escpos_keeps_its_pickle_in_a_private_folder(
    stocked: Station, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ESCPOS_CAPABILITIES_PICKLE_DIR", "/tmp")  # restored afterwards
    stocked.ok("facility", "list")
    folder = Path(os.environ["ESCPOS_CAPABILITIES_PICKLE_DIR"])
    assert folder == Folders.for_user().cache / "escpos"
    info = folder.lstat()
    assert stat.S_ISDIR(info.st_mode) and stat.S_IMODE(info.st_mode) == 0o700
    assert info.st_uid == os.getuid()


@pytest.mark.parametrize("planted", ["open to all", "a link"])
def test_a_planted_pickle_folder_is_never_used(
    stocked: Station, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, planted: str
) -> None:
    target = Folders.for_user().cache / "escpos"
    shutil.rmtree(target)  # the fixture's commands made it, private; someone replaces it
    if planted == "a link":
        elsewhere = tmp_path / "elsewhere"
        elsewhere.mkdir(mode=0o700)
        target.symlink_to(elsewhere)
    else:
        target.mkdir()
        target.chmod(0o777)
    monkeypatch.setenv("ESCPOS_CAPABILITIES_PICKLE_DIR", str(target))
    stocked.ok("facility", "list")
    # python-escpos then makes a fresh private temporary folder of its own.
    assert "ESCPOS_CAPABILITIES_PICKLE_DIR" not in os.environ
    assert private_folder(target) is None


@pytest.mark.parametrize(
    "name", ["\x1b[31mmallory", "dana\nerror: forged", "x" * 10_000, "eve\u202etxt.exe", "a;b"]
)
def test_an_operator_name_outside_the_alphabet_is_refused(stocked: Station, name: str) -> None:
    before = stocked.dump()
    result = stocked("facility", "list", operator=name)
    assert result.code == 1 and result.err.startswith("error: bad operator name '")
    assert result.err.count("\n") == 1 and "\x1b" not in result.err and "\u202e" not in result.err
    assert stocked.dump() == before


def test_operator_names_in_any_script_are_kept(stocked: Station) -> None:
    stocked("facility", "add", "C11-0000002-LIC", "Second", operator="José O'Núñez")
    [event] = [e for e in _audit(stocked) if e["action"] == "facility.add"][-1:]
    assert event["operator"] == "José O'Núñez"
