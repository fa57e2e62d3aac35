"""RFID reads: which values are Metrc UIDs, deduplication, and the files handheld apps export
(read through the station's own reader of them, from real files)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from printers.transports.serial import PYSERIAL_SCHEMES
from station.devices.rfid.sources import SERIAL_SCHEMES, Note, ReaderError, kind_of, reads
from station.domain import reads as reads_module
from station.domain.errors import StationError
from station.domain.reads import NOT_METRC, Read, ReadSet, classify

UID = "1A4060300002EE1000000001"


@pytest.mark.parametrize(
    ("raw", "uid", "reason"),
    [
        (UID, UID, ""),
        (UID.lower(), UID, ""),
        (f"  {UID}\r", UID, ""),
        ("1A4060300002eE1000000001", None, f"{NOT_METRC}: mixed-case hex, which no reader sends"),
        ("1A4060300002EO1000000001", None, f"{NOT_METRC}: not hex"),
        ("E2801160600002084C5A1234ABCDEF01", None,
         f"{NOT_METRC}: a 128-bit EPC (a Metrc UID is 96 bits)"),
        ("", None, f"{NOT_METRC}: an empty read"),
        ("A" * 125, None, f"{NOT_METRC}: not an EPC (125 characters)"),
        ("1A40\x1b[2J", None, f"{NOT_METRC}: not an EPC (8 characters)"),
        ("\uff11A4060300002EE1000000001", None, f"{NOT_METRC}: not an EPC (24 characters)"),
    ],
)  # fmt: skip
def test_which_reads_are_metrc_uids(raw: str, uid: str | None, reason: str) -> None:
    kind = classify(raw)
    assert (kind.uid, kind.reason) == (uid, reason)


def test_a_value_no_terminal_may_get_is_kept_escaped() -> None:
    kind = classify("1A40\x1b[2J")
    assert "\x1b" not in kind.epc and kind.epc.startswith("1A40")


def test_a_learned_pair_is_taken_before_the_hex() -> None:
    epc = "E2801160600002084C5A1234"
    assert classify(epc).uid == epc  # 96 bits of hex: most likely its own UID
    assert classify(epc.lower(), {epc: UID}).uid == UID


@given(st.text(max_size=40))
def test_no_read_becomes_a_uid_it_does_not_spell(raw: str) -> None:
    """Whatever is read, a UID taken from it is the read itself in upper case, 24 hex."""
    kind = classify(raw)
    if kind.uid is not None:
        assert kind.uid == raw.strip().upper() and len(kind.uid) == 24
        assert raw.strip() in (kind.uid, kind.uid.lower())


def test_reads_of_one_tag_count_once() -> None:
    found = ReadSet()
    assert found.add(Read(UID, 10.0, "a", antenna=1, rssi=-60.0))
    assert not found.add(Read(UID.lower(), 12.0, "a", antenna=2, rssi=-50.0, seen=3))
    assert not found.add(Read(UID, 9.0, "a", antenna=3, rssi=-70.0))
    [(key, seen)] = found.by_epc.items()
    assert key == UID and found.reads == 3
    assert (seen.seen, seen.first_at, seen.last_at, seen.antenna, seen.rssi) == (
        5,
        9.0,
        12.0,
        2,
        -50.0,
    )


def test_a_reading_holds_a_bounded_number_of_tags(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(reads_module, "MAX_DISTINCT", 3)
    found = ReadSet()
    for n in range(3):
        found.add(Read(f"{n:024d}", 0.0, "a"))
    found.add(Read(f"{0:024d}", 0.0, "a"))  # one already held is fine
    with pytest.raises(StationError, match="more than 3 different EPCs in one reading"):
        found.add(Read(f"{9:024d}", 0.0, "a"))


def every_read(path: Path) -> list[Read]:
    return [event for event in reads(str(path)) if not isinstance(event, Note)]


def test_a_handheld_export_is_read_by_its_header(tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    path.write_text(
        "\ufeffTimestamp;Antenna ID;Tag EPC;Peak RSSI;Count\n"
        f"2026-12-01;2;{UID};-61.5;4\n"
        "\n"
        f"2026-12-01;x;{UID.lower()};nan;99999999999\n"
    )
    first, second = every_read(path)
    assert (first.raw, first.antenna, first.rssi, first.seen) == (UID, 2, -61.5, 4)
    # Cells no reader writes are dropped, the read is kept.
    assert (second.raw, second.antenna, second.rssi, second.seen) == (UID.lower(), None, None, 1)


def test_one_epc_a_line_with_or_without_a_header(tmp_path: Path) -> None:
    path = tmp_path / "reads.txt"
    path.write_text(f"EPC\r\n{UID}\r\n\r\nnot an epc\r\n")
    assert [r.raw for r in every_read(path)] == [UID, "not an epc"]
    path.write_text(f"{UID}\n")
    assert [r.raw for r in every_read(path)] == [UID]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("Time,RSSI\n1,2\n", "reads.csv: no EPC column in the header (Time, RSSI); name one EPC"),
        ("Time,EPC\n1\n", "reads.csv line 2: no EPC in this row; nothing was read"),
        ("EPC\n" + "x" * 5000 + "\n", "line 2 is over 4,096 characters; is this an export?"),
    ],
)
def test_files_that_are_no_export(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "reads.csv"
    path.write_text(content)
    with pytest.raises(ReaderError) as refused:
        every_read(path)
    assert str(refused.value) == message


def test_a_folder_or_a_missing_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ReaderError, match="is not a file"):
        every_read(tmp_path)
    pipe = tmp_path / "pipe"
    os.mkfifo(pipe)
    with pytest.raises(ReaderError, match="is not a file"):  # opening it would wait
        every_read(pipe)
    with pytest.raises(ReaderError, match="No such file"):
        every_read(tmp_path / "none.csv")


@pytest.mark.parametrize(
    ("source", "kind"),
    [
        ("-", "stdin"),
        ("llrp://10.0.0.20", "llrp"),
        ("LLRP://10.0.0.20:5084", "llrp"),
        ("serial:///dev/ttyUSB0?baudrate=115200", "serial"),
        ("socket://127.0.0.1:7000", "serial"),
        ("loop://", "serial"),
        ("reads.csv", "file"),
        ("C:\\exports\\reads.csv", "file"),
    ],
)
def test_what_a_source_names(source: str, kind: str) -> None:
    assert kind_of(source) == kind


def test_readers_take_the_serial_printers_schemes() -> None:
    assert ("serial", *PYSERIAL_SCHEMES) == SERIAL_SCHEMES


def test_an_unknown_scheme_is_refused() -> None:
    with pytest.raises(ReaderError, match="'http://reader/' is no reader the station knows"):
        kind_of("http://reader/")
