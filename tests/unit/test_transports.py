"""Transports and status against real endpoints: a fake Zebra on a 127.0.0.1 TCP port, a
pseudo-terminal ESC/POS printer, files and spool folders (CUPS: tests/test_cups.py)."""

from __future__ import annotations

import os
import pty
import stat
import threading
import time
from pathlib import Path

import pytest

from devtools.fakes.escpos import FakeEscpos
from devtools.fakes.zebra import FakeZebra
from devtools.ports import free_port
from printers.catalog import get
from printers.device import PrinterConfig, print_labels, query_status
from printers.drivers.zpl import ZplDriver, parse_hs
from printers.errors import TransportError
from printers.label import LabelData
from printers.status import PrinterStatus
from printers.transports import check_url, open_transport
from station.services.printing.runner import Flight

UIDS = [f"1A4060300002EE10{n:08d}" for n in range(1, 6)]


def labels() -> list[LabelData]:
    return [
        LabelData(
            uid=uid,
            license_number="C11-0000001-LIC",
            facility_name="Green Leaf",
            order_date="2026-11-20",
        )
        for uid in UIDS
    ]


def zpl_printer(url: str) -> PrinterConfig:
    return PrinterConfig("shelf", "zpl", url, 203, "uid-3x1-203")


def test_tcp_delivers_every_byte_to_the_printer() -> None:
    with FakeZebra() as zebra:
        sent = print_labels(zpl_printer(zebra.url), get("uid-3x1-203"), labels())
        zebra.wait_for(sent)
        assert len(zebra.raw) == sent
        assert zebra.uids() == UIDS


@pytest.mark.parametrize(
    ("mode", "problems"),
    [
        ("ok", []),
        ("paper_out", ["paper out"]),
        ("head_open", ["head open"]),
        ("paused", ["paused"]),
        ("ribbon_out", ["ribbon out"]),
    ],
)
def test_zebra_status_in_plain_words(mode: str, problems: list[str]) -> None:
    with FakeZebra(mode) as zebra:
        status = query_status(zpl_printer(zebra.url), timeout=1)
    assert status.answered
    assert status.problems == problems
    assert status.ready == (not problems)
    assert status.fields["labels_remaining"] == 0 and status.fields["formats_in_buffer"] == 0
    assert status.fields["hqes"] is True


def test_a_silent_zebra_is_unknown_never_fine() -> None:
    with FakeZebra("silent") as zebra:
        status = query_status(zpl_printer(zebra.url), timeout=0.5)
    assert not status.answered and not status.ready
    assert status.summary().startswith("unknown, possibly faulted: no answer to ~HS")


def test_refused_connection_is_a_clear_error() -> None:
    port = free_port()
    with pytest.raises(TransportError, match=f"printer at 127.0.0.1:{port} refused"):
        open_transport(f"tcp://127.0.0.1:{port}", timeout=1)


def test_dropped_connection_is_a_clear_error() -> None:
    with FakeZebra() as zebra:
        zebra.drop_after = 2
        config = zpl_printer(zebra.url)
        with pytest.raises(TransportError, match=r"dropped the connection|closed"):
            link = open_transport(zebra.url, timeout=1)
            for _ in range(500):
                link.write(b"^XA^FO0,0^FDx^FS^XZ\n")
                time.sleep(0.005)
        assert zebra.labels_printed == 2
        assert query_status(config, timeout=1).ready  # the next connection works


def test_incomplete_hs_answers_are_not_trusted() -> None:
    assert not parse_hs(b"\x02030,0,0\x03\r\n").answered
    assert not parse_hs(b"\x02a\x03\x02b\x03\x02c\x03").answered


@pytest.mark.parametrize(
    ("mode", "problems", "warnings"),
    [
        ("ok", [], []),
        ("cover_open", ["cover open"], []),
        ("paper_out", ["paper out"], []),
        ("paper_near_end", [], ["paper near end"]),
    ],
)
def test_escpos_status_over_a_pseudo_terminal(
    mode: str, problems: list[str], warnings: list[str]
) -> None:
    with FakeEscpos(mode) as fake:
        status = query_status(PrinterConfig("till", "escpos", fake.url, 203, "escpos-80mm"), 1)
    assert status.answered
    assert (status.problems, status.warnings) == (problems, warnings)


def test_a_silent_escpos_printer_is_unknown() -> None:
    with FakeEscpos("silent") as fake:
        status = query_status(PrinterConfig("till", "escpos", fake.url, 203, "escpos-80mm"), 0.3)
    assert not status.ready and "no answer to DLE EOT 1" in status.summary()


def test_escpos_labels_over_serial_arrive_whole() -> None:
    with FakeEscpos() as fake:
        config = PrinterConfig("till", "escpos", fake.url, 203, "escpos-80mm")
        sent = print_labels(config, get("escpos-80mm"), labels())
        for _ in range(100):
            if len(fake.received) >= sent:
                break
            time.sleep(0.05)
        assert len(fake.received) == sent
        assert fake.received.count(b"\x1dk") == len(UIDS)


def test_a_missing_serial_device_is_a_clear_error() -> None:
    with pytest.raises(TransportError, match="cannot open serial printer /dev/ttyNOPE0"):
        open_transport("serial:///dev/ttyNOPE0?baudrate=9600")


def test_pyserial_urls_pass_through() -> None:
    with open_transport("loop://") as link:
        assert link.query(b"~HS", lambda answer: len(answer) >= 3, 1) == b"~HS"


def test_file_transport_appends(tmp_path: Path) -> None:
    target = tmp_path / "labels.zpl"
    config = zpl_printer(f"file://{target}")
    print_labels(config, get("uid-3x1-203"), labels()[:1])
    print_labels(config, get("uid-3x1-203"), labels()[1:2])
    assert target.read_bytes().count(b"^XF") == 2
    with pytest.raises(TransportError, match="no such device or folder"):
        open_transport(f"file://{tmp_path}/missing/dir/out.zpl")
    assert not query_status(config).ready
    # A new file is private; a link that points nowhere is not followed to make one.
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    link = tmp_path / "planted.zpl"
    link.symlink_to(tmp_path / "elsewhere.zpl")
    with pytest.raises(TransportError, match="cannot open"):
        open_transport(f"file://{link}")
    assert not (tmp_path / "elsewhere.zpl").exists()


def test_spool_writes_raw_bytes_and_png_previews(tmp_path: Path) -> None:
    config = zpl_printer(f"spool://{tmp_path / 'spool'}")
    print_labels(config, get("uid-3x1-203"), labels())
    files = sorted(path.suffix for path in (tmp_path / "spool").iterdir())
    assert files.count(".png") == len(UIDS)
    assert files.count(".prn") == len(UIDS) + 1  # the stored format, then one recall each
    assert query_status(config).ready


def test_usb_goes_through_python_escpos(monkeypatch: pytest.MonkeyPatch) -> None:
    # No USB device can be attached here: python-escpos's Usb class is the one stand-in.
    written: list[bytes] = []

    class FakeDevice:  # pyusb's device, as python-escpos opened it
        def write(self, endpoint: int, data: bytes, timeout: int) -> None:
            assert endpoint == 0x01
            written.append(data)

        def read(self, endpoint: int, size: int, timeout: int) -> bytes:
            assert endpoint == 0x82
            return b"\x12"

    class FakeUsb:
        in_ep, out_ep = 0x82, 0x01

        def __init__(self, vendor: int, product: int, timeout: int = 0) -> None:
            assert (vendor, product) == (0x04B8, 0x0202)
            self.timeout = timeout
            self.device = FakeDevice()

        def open(self) -> None: ...

        def close(self) -> None: ...

    import escpos.printer

    monkeypatch.setattr(escpos.printer, "Usb", FakeUsb)
    config = PrinterConfig("till", "escpos", "usb://04b8:0202", 203, "escpos-80mm")
    sent = print_labels(config, get("escpos-80mm"), labels()[:2])
    assert sum(map(len, written)) == sent


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://printer", "unknown connection"),
        ("tcp://", "names no host"),
        ("tcp://host:99999", "bad port"),
        ("serial://", "names no device"),
        ("serial:///dev/ttyUSB0?speed=9600", "unknown serial setting 'speed'"),
        ("serial:///dev/ttyUSB0?baudrate=abc", "bad serial setting baudrate='abc'"),
        ("serial:///dev/ttyUSB0?parity=Q", "bad serial setting parity='Q'"),
        ("serial:///dev/ttyUSB0?timeout=0", "bad serial setting timeout='0'"),
        ("serial:///dev/ttyUSB0?timeout=soon", "bad serial setting timeout='soon'"),
        ("tcp://host:0", "bad port"),
        ("cups://-Pother", "is not a queue name"),
        ("cups://", "names no queue"),
        ("usb://zebra", "use usb://VID:PID"),
        ("file://", "names no file"),
    ],
)
def test_bad_connection_urls(url: str, message: str) -> None:
    with pytest.raises(TransportError, match=message):
        check_url(url)


def test_a_serial_timeout_in_the_url_is_the_printers_own() -> None:
    """A write to a printer that stops reading fails after the URL's timeout, not the
    caller's (an hour here)."""
    master, slave = pty.openpty()  # nothing reads the master: its buffer fills and stalls
    failed: list[str] = []

    def write() -> None:
        url = f"serial://{os.ttyname(slave)}?timeout=0.2"
        with open_transport(url, timeout=3600) as link:
            try:
                link.write(b"^XA^XZ" * 200_000)
            except TransportError as exc:
                failed.append(str(exc))

    try:
        writer = threading.Thread(target=write, daemon=True)
        writer.start()
        writer.join(60)
        assert failed and "stopped taking data" in failed[0]
    finally:
        os.close(master)
        os.close(slave)


def test_a_run_is_confirmed_label_by_label_as_the_printer_counts_it_down() -> None:
    """Formats of several labels in flight (runs the printer serializes): what ~HS's formats
    in the buffer and labels remaining confirm, and the runner's books after each check."""
    driver = ZplDriver()
    flight = Flight()
    flight.add(list(range(1, 16)), [4, 6, 5])

    def status(waiting: int, remaining: int) -> PrinterStatus:
        # ~HS in the ZPL guide's layout: formats in the buffer, and labels remaining in batch.
        lines = [
            f"030,0,0,0203,{waiting:03d},0,0,0,000,0,0,0",
            f"001,0,0,0,0,2,6,0,{remaining:08d},1,000",
            "1234,0",
        ]
        return parse_hs("".join(f"\x02{line}\x03\r\n" for line in lines).encode())

    # The last format waits; the middle one has 3 of its 6 labels left: the first format,
    # and 2 of the middle one's (the third may be under the head).
    assert driver.confirmed(status(1, 3), flight.formats) == 6
    assert flight.take(6) == [1, 2, 3, 4, 5, 6] and flight.formats == [4, 5]
    # One left of the middle format: 2 more of it.
    assert driver.confirmed(status(1, 1), flight.formats) == 2
    assert flight.take(2) == [7, 8] and flight.formats == [2, 5]
    # The last format is printing, 4 left: the middle format done, none of the last yet.
    assert driver.confirmed(status(0, 4), flight.formats) == 2
    assert flight.take(2) == [9, 10] and flight.formats == [5]
    # Idle: everything.
    assert driver.confirmed(status(0, 0), flight.formats) == 5
    assert flight.take(5) == [11, 12, 13, 14, 15] and flight.formats == []


SECRETS = {
    "STATION_PIN": "4821",
    "STATION_APPROVER_PIN": "7305",
    "METRC_VENDOR_KEY": "vk-secret-in-env-1",
    "METRC_USER_KEY": "uk-secret-in-env-2",
    "STATION_DB": "postgresql://station:pw-in-url@127.0.0.1/station",
}


def test_helpers_get_an_environment_without_the_secrets(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``lpr`` (here a stand-in on the PATH that writes down what it was given) and
    PostgreSQL's tools never receive a PIN, a Metrc key or the database URL."""
    from station.settings import child_environment

    folder = tmp_path / "bin"
    folder.mkdir()
    lpr = folder / "lpr"
    lpr.write_text('#!/bin/sh\nenv > "$LPR_ENV_OUT"\ncat > /dev/null\n')
    lpr.chmod(0o700)
    monkeypatch.setenv("PATH", f"{folder}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("LPR_ENV_OUT", str(tmp_path / "env.txt"))
    for name, value in SECRETS.items():
        monkeypatch.setenv(name, value)
    config = PrinterConfig("office", "zpl", "cups://office", 203, "uid-3x1-203")
    label = LabelData(uid="1A4060300002EE1000000001", license_number="L",
                      facility_name="F", order_date="2026-11-20")  # fmt: skip
    print_labels(config, get("uid-3x1-203"), [label])
    given = (tmp_path / "env.txt").read_text()
    assert "LPR_ENV_OUT=" in given and "PATH=" in given
    for value in SECRETS.values():
        assert value not in given
    for_pg = child_environment({"PGPASSWORD": "meant-for-pg"})
    assert for_pg["PGPASSWORD"] == "meant-for-pg" and for_pg["PATH"] == os.environ["PATH"]
    assert not set(SECRETS) & set(for_pg)
