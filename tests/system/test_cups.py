"""The CUPS path against a real CUPS server with a raw queue (``.ci/run`` installs and starts
CUPS; elsewhere these tests need ``cups`` and ``cups-bsd`` and a running ``cupsd``)."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator

import pytest

from devtools.fakes.zebra import FakeZebra
from printers.catalog import get
from printers.device import PrinterConfig, print_labels, query_status
from printers.errors import TransportError
from printers.label import LabelData


def _cups_running() -> bool:
    if not shutil.which("lpadmin") or not shutil.which("lpr"):
        return False
    return subprocess.run(
        ["lpstat", "-r"], capture_output=True, text=True, check=False
    ).stdout.startswith("scheduler is running")


if not _cups_running():
    if os.environ.get("CI"):
        raise RuntimeError("CI must provide a running CUPS server (see .ci/run)")
    pytest.skip("no running CUPS server here", allow_module_level=True)


@pytest.fixture
def queue() -> Iterator[tuple[str, FakeZebra]]:
    """A raw CUPS queue whose device is a fake Zebra on 127.0.0.1."""
    name = f"tagstation_test_{os.getpid()}"
    with FakeZebra() as zebra:
        subprocess.run(
            ["lpadmin", "-p", name, "-E", "-v", f"socket://127.0.0.1:{zebra.port}", "-m", "raw"],
            check=True,
            capture_output=True,
        )
        try:
            yield name, zebra
        finally:
            subprocess.run(["lpadmin", "-x", name], check=False, capture_output=True)


def test_labels_go_through_a_raw_cups_queue_unchanged(queue: tuple[str, FakeZebra]) -> None:
    name, zebra = queue
    labels = [
        LabelData(
            uid=f"1A4060300002EE10{n:08d}",
            license_number="C11-0000001-LIC",
            facility_name="Café Ñandú",
            order_date="2026-11-20",
        )
        for n in (1, 2, 3)
    ]
    config = PrinterConfig("office", "zpl", f"cups://{name}", 203, "uid-3x1-203")
    sent = print_labels(config, get("uid-3x1-203"), labels)
    zebra.wait_for(sent, timeout=30)
    assert len(zebra.raw) == sent
    assert zebra.uids() == [label.uid for label in labels]
    assert "Café Ñandú".encode() in zebra.raw  # UTF-8 under ^CI28, not zebra's cp437
    status = query_status(config)
    assert not status.ready and "cannot report" in status.summary()


def test_a_job_the_spooler_refuses_is_an_error() -> None:
    config = PrinterConfig("office", "zpl", "cups://no_such_queue_here", 203, "uid-3x1-203")
    labels = [
        LabelData(
            uid="1A4060300002EE1000000001",
            license_number="L",
            facility_name="F",
            order_date="2026-11-20",
        )
    ]
    with pytest.raises(TransportError, match="CUPS refused the job for no_such_queue_here"):
        print_labels(config, get("uid-3x1-203"), labels)
