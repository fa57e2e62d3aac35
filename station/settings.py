"""Every setting the station takes from its environment, read and checked in one place.

:func:`load` reads the variables once per command (or once per terminal UI session) and
refuses a bad value with one line naming the variable, before anything else happens. The
docs/settings.md's table lists the same variables (a test keeps the two in step). Command-line
options such as ``--db`` override what is read here.
"""

from __future__ import annotations

import datetime as dt
import os
import socket
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from printers.environment import for_helpers
from station.domain import pins
from station.domain.errors import StationError
from station.domain.text import has_control, printable, show
from station.metrc.hosts import DEFAULT_STATE, base_url

# Every variable this module reads, in docs/settings.md's table order.
VARIABLES = (
    "STATION_DB",
    "STATION_OPERATOR",
    "STATION_PIN",
    "STATION_APPROVER_PIN",
    "STATION_IDLE_MINUTES",
    "STATION_NAME",
    "STATION_JOB_LEASE",
    "STATION_DEBUG",
    "STATION_BACKUPS",
    "STATION_REORDER_DAYS",
    "STATION_PRINTER",
    "STATION_UNIT_RUNS",
    "STATION_SCAN_MS",
    "STATION_SCANNER",
    "STATION_RFID",
    "METRC_URL",
    "METRC_STATE",
    "METRC_SANDBOX",
    "METRC_VENDOR_KEY",
    "METRC_USER_KEY",
)
# How long a station holds a print job without renewing it (it renews every chunk, a few
# seconds apart). Stations compare holds with their own clocks, so these must agree (NTP).
DEFAULT_JOB_LEASE = dt.timedelta(seconds=60)
JOB_LEASE_RANGE = (1.0, 3600.0)
# Daily backups kept (0: none written); and the days of tag stock under which to reorder
# (California tags are printed per facility and ship by ground: a week or two).
DEFAULT_BACKUPS = 14
BACKUPS_RANGE = (0, 3650)
DEFAULT_REORDER_DAYS = 21
REORDER_DAYS_RANGE = (1, 365)
# A keyboard-wedge scanner types a code a few milliseconds a key; a person, over 60 ms a key
# even at speed. Keys that all come within this many milliseconds of each other and end in
# Enter are a scan. A busy terminal was seen to put 5.5 ms between the keys of one write, so
# the floor leaves room for that.
DEFAULT_SCAN_MS = 30
SCAN_MS_RANGE = (10, 200)
# Minutes without a key or a scan after which the UI signs its operator out.
DEFAULT_IDLE_MINUTES = 10
IDLE_MINUTES_RANGE = (1, 720)
# The longest value any setting takes (a database URL with its password, a path).
MAX_VALUE = 4096
# Values never repeated in a message, even in part.
_SECRETS = ("STATION_PIN", "STATION_APPROVER_PIN", "METRC_VENDOR_KEY", "METRC_USER_KEY")
_TRUE = ("1", "true", "yes")
_FALSE = ("", "0", "false", "no")


@dataclass(frozen=True)
class Settings:
    db_url: str | None = None
    """``STATION_DB``: the database URL; None for the file in the user data folder."""
    operator: str | None = None
    """``STATION_OPERATOR``: who is working; None for the login name."""
    # repr=False, like the keys: a PIN must never show up in a traceback or a debug print.
    pin: str = field(default="", repr=False)
    """``STATION_PIN``: the operator's PIN, once the station has operators (else a prompt)."""
    approver_pin: str = field(default="", repr=False)
    """``STATION_APPROVER_PIN``: the PIN of the supervisor named by ``--approve``."""
    idle_minutes: int = DEFAULT_IDLE_MINUTES
    """``STATION_IDLE_MINUTES``: the UI signs out after this many minutes without input."""
    station_name: str = field(default_factory=socket.gethostname)
    """``STATION_NAME``: this station in print-job ownership; the host name by default."""
    job_lease: dt.timedelta = DEFAULT_JOB_LEASE
    """``STATION_JOB_LEASE``: how long a printing station holds its job without renewing."""
    debug: bool = False
    """``STATION_DEBUG``: a traceback with an unexpected error's one-line message."""
    backups: int = DEFAULT_BACKUPS
    """``STATION_BACKUPS``: daily backups kept in the data folder; 0 writes none."""
    reorder_days: int = DEFAULT_REORDER_DAYS
    """``STATION_REORDER_DAYS``: warn when a facility's tags of a type last fewer days."""
    printer: str | None = None
    """``STATION_PRINTER``: the printer ``station print`` uses without ``--printer``."""
    unit_runs: bool = True
    """``STATION_UNIT_RUNS``: Retail ID units as runs the printer serializes (``^SF``,
    ``^PQ``) to a Zebra that passed the run check; off, one recall a label on every printer."""
    scan_ms: int = DEFAULT_SCAN_MS
    """``STATION_SCAN_MS``: the most milliseconds between two keys of one scan."""
    scanner: str | None = None
    """``STATION_SCANNER``: a scanner in serial mode, as a pyserial URL; None for none."""
    rfid: str | None = None
    """``STATION_RFID``: the RFID reader commands and screens read when given no other:
    ``llrp://HOST[:PORT]`` or a serial URL; None for none (a handheld in keyboard mode
    needs none)."""
    metrc_url: str | None = None
    """``METRC_URL``: the Metrc API address, instead of the state's."""
    metrc_state: str = DEFAULT_STATE
    """``METRC_STATE``: the state of a facility added without ``--state`` (each facility's
    Metrc calls go to its own state's API)."""
    metrc_sandbox: bool = False
    """``METRC_SANDBOX``: the state's sandbox API instead of production."""
    # repr=False: a key must never show up in a traceback or a debug print.
    metrc_vendor_key: str = field(default="", repr=False)
    """``METRC_VENDOR_KEY``: the integrator's key (else the system keyring)."""
    metrc_user_key: str = field(default="", repr=False)
    """``METRC_USER_KEY``: the licensee user's key (else the system keyring)."""


def load(environ: Mapping[str, str] | None = None) -> Settings:
    """The settings in ``environ`` (the process environment by default), all checked."""
    env = os.environ if environ is None else environ

    def get(name: str) -> str:
        return _checked(name, env.get(name, "").strip())

    settings = Settings(
        db_url=get("STATION_DB") or None,
        operator=get("STATION_OPERATOR") or None,
        pin=_pin("STATION_PIN", get("STATION_PIN")),
        approver_pin=_pin("STATION_APPROVER_PIN", get("STATION_APPROVER_PIN")),
        idle_minutes=_whole(
            "STATION_IDLE_MINUTES",
            get("STATION_IDLE_MINUTES"),
            DEFAULT_IDLE_MINUTES,
            IDLE_MINUTES_RANGE,
        ),
        station_name=get("STATION_NAME") or socket.gethostname(),
        job_lease=_job_lease(get("STATION_JOB_LEASE")),
        debug=bool(get("STATION_DEBUG")),
        backups=_whole("STATION_BACKUPS", get("STATION_BACKUPS"), DEFAULT_BACKUPS, BACKUPS_RANGE),
        reorder_days=_whole(
            "STATION_REORDER_DAYS",
            get("STATION_REORDER_DAYS"),
            DEFAULT_REORDER_DAYS,
            REORDER_DAYS_RANGE,
        ),
        printer=get("STATION_PRINTER") or None,
        unit_runs=_flag("STATION_UNIT_RUNS", get("STATION_UNIT_RUNS") or "1"),
        scan_ms=_whole("STATION_SCAN_MS", get("STATION_SCAN_MS"), DEFAULT_SCAN_MS, SCAN_MS_RANGE),
        scanner=_scanner(get("STATION_SCANNER")),
        rfid=_rfid(get("STATION_RFID")),
        metrc_url=get("METRC_URL") or None,
        metrc_state=get("METRC_STATE") or DEFAULT_STATE,
        metrc_sandbox=_flag("METRC_SANDBOX", get("METRC_SANDBOX")),
        metrc_vendor_key=get("METRC_VENDOR_KEY"),
        metrc_user_key=get("METRC_USER_KEY"),
    )
    try:
        base_url(settings.metrc_state, settings.metrc_sandbox, settings.metrc_url)
    except (StationError, ValueError) as exc:
        raise StationError(
            f"METRC_STATE/METRC_URL in the environment: {printable(str(exc), 120)}"
        ) from None
    return settings


def _checked(name: str, raw: str) -> str:
    """A variable's value, refused (naming the variable, with at most a short escaped
    excerpt, none of a secret) when it is longer than any setting needs or holds a control
    or invisible character: an ESC or a newline in STATION_DB once named files after them."""
    if len(raw) > MAX_VALUE:
        problem = f"is {len(raw):,} characters long, over {MAX_VALUE:,}"
    elif has_control(raw):
        problem = "holds a control or invisible character"
    else:
        return raw
    excerpt = "" if name in _SECRETS else f": {show(raw)}"
    raise StationError(f"{name} {problem}{excerpt}")


def keep_escpos_cache_in(folder: Path | None) -> None:
    """Where python-escpos keeps its pickled printer database (it loads the pickle on
    import): the station's private cache folder, or with None a fresh private temporary
    folder of its own. Never a shared folder someone else could have planted a pickle in."""
    if folder is None:
        os.environ.pop("ESCPOS_CAPABILITIES_PICKLE_DIR", None)
    else:
        os.environ["ESCPOS_CAPABILITIES_PICKLE_DIR"] = str(folder)


def child_environment(extra: Mapping[str, str]) -> dict[str, str]:
    """The environment for a helper program the station runs (PostgreSQL's tools): this
    process's without its secrets (no PIN or Metrc key), plus ``extra`` (a password travels
    here, not on a visible command line)."""
    return for_helpers(extra)


def _whole(name: str, raw: str, default: int, bounds: tuple[int, int]) -> int:
    if not raw:
        return default
    low, high = bounds
    if not raw.isascii() or not raw.isdigit() or not low <= int(raw) <= high:
        raise StationError(f"{name} must be a whole number from {low} to {high}, not {show(raw)}")
    return int(raw)


def _pin(name: str, raw: str) -> str:
    if not raw:
        return ""
    try:
        return pins.check_pin(raw)
    except StationError as exc:
        # The message never repeats the value: it is a secret even when mistyped.
        raise StationError(f"{name}: {exc}") from None


def _job_lease(raw: str) -> dt.timedelta:
    if not raw:
        return DEFAULT_JOB_LEASE
    try:
        seconds = float(raw)
    except ValueError:
        raise StationError(
            f"STATION_JOB_LEASE must be a number of seconds, not {show(raw)}"
        ) from None
    low, high = JOB_LEASE_RANGE
    if not low <= seconds <= high:
        raise StationError(
            f"STATION_JOB_LEASE must be {low:g} to {high:g} seconds, not {show(raw)}"
        )
    return dt.timedelta(seconds=seconds)


def _scanner(raw: str) -> str | None:
    if not raw:
        return None
    # The printers' serial URLs: the same syntax, checked by the same code (loaded only when
    # a scanner is set, so start-up does not pay for it).
    from printers.errors import TransportError
    from printers.transports.serial import SerialTransport

    if urlsplit(raw).scheme not in SerialTransport.schemes:
        raise StationError(
            f"STATION_SCANNER must be a serial URL such as serial:///dev/ttyACM0?baudrate=9600, "
            f"not {show(raw)}"
        )
    try:
        SerialTransport.check_url(raw)
    except TransportError as exc:
        raise StationError(f"STATION_SCANNER: {printable(str(exc), 120)}") from None
    return raw


def _rfid(raw: str) -> str | None:
    if not raw:
        return None
    from station.devices.rfid.sources import ReaderError, listened

    try:
        if listened(raw):
            return raw
    except ReaderError:
        pass
    raise StationError(
        "STATION_RFID must be a reader: llrp://HOST[:PORT] or a serial URL such as "
        f"serial:///dev/ttyUSB0?baudrate=115200, not {show(raw)}"
    )


def _flag(name: str, raw: str) -> bool:
    if raw.lower() in _TRUE:
        return True
    if raw.lower() in _FALSE:
        return False
    raise StationError(f"{name} must be 1 or 0 (or true/false, yes/no), not {show(raw)}")
