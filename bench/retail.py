"""Retail ID unit label figures: unit labels generated per second on the stored-format path
(from a package's tag and unit numbers to ZPL recall bytes), bytes per unit label on the
wire, and a 500-unit job to a fake serial Zebra held to 9600 baud."""

from __future__ import annotations

import datetime as dt
import json
import tempfile
import time
from pathlib import Path

from bench.jobs import _fake, _stop
from bench.stock import received_roll
from bench.table import Table
from printers.catalog import get
from printers.label import LabelData
from printers.render import zpl
from station import gc_pause
from station.db.connection import open_database
from station.db.models import Printer, RetailIssuance, Tag
from station.domain import retail_id
from station.domain.states import IssuanceState
from station.services import printing
from station.services.context import Context
from station.services.printing import JobRunner, printer_setup
from station.services.tags import assignment, assignment_details

UNITS = 100_000
JOB_UNITS = 500
TAG = "1A4060300032964000000001"


def _generate(
    template_name: str, units: int = UNITS, serialized: bool = False
) -> tuple[float, zpl.StoredBatch, bytes]:
    """Units 1..``units`` of one package: their URLs, labels and stored-format recalls, one
    a label or (``serialized``) as the runs the printer serializes, which is what a job
    sends (the template loaded first: once a job)."""
    template = get(template_name)
    base = {
        "uid": TAG,
        "license_number": "C11-0000001-LIC",
        "facility_name": "Green Leaf Farms",
        "order_date": "2026-11-20",
        "type": "package",
        "item": "Gummies 10pk Watermelon",
    }
    start = time.perf_counter()
    indexes = range(1, units + 1)
    # As a job's runner builds them: the labels and the batch (its recalls too, when sent one
    # a label) with the garbage collector paused; runs are cut later, a chunk at a time.
    with gc_pause.paused():
        labels = LabelData(**base).units(
            zip(retail_id.urls(TAG, indexes), map(str, indexes), strict=True)
        )
        batch = zpl.render_batch(template, labels)
        recalls = b"" if serialized else b"".join(batch.recalls)
    sent = batch.serialized(0, units)[0] if serialized else recalls
    return units / (time.perf_counter() - start), batch, sent


def _package_with_codes(ctx: Context, units: int) -> str:
    """A package tagged here with ``units`` codes recorded as Metrc would have issued them."""
    received_roll(ctx, 10)
    made = assignment_details.package_details(dt.date(2026, 11, 27), "Gummies 10pk", "1", "Each")
    [uid] = assignment.assign_next(ctx, made, 1).uids
    tag_id = Tag.get(Tag.uid == uid).id
    RetailIssuance.create(
        tag=tag_id,
        facility=1,
        quantity=units,
        state=IssuanceState.ISSUED,
        ranges=json.dumps([[1, units]]),
        units=units,
        created_at=dt.datetime(2026, 11, 27),
        created_by="bench",
    )
    return uid


def _as_run_checked(ctx: Context, name: str, url: str) -> None:
    """``name`` as after a passed ``printer verify-runs`` (the fake Zebra steps ^SF, as the
    tests' scan-back of its labels shows): its units go as runs."""
    Printer.update(runs_verified_at=ctx.now(), runs_verified_connection=url).where(
        Printer.name == name
    ).execute()


def _job(ctx: Context, uid: str, printer: str, first: int, last: int) -> float:
    job = printing.create_unit_job(ctx, uid, printer, first_last=(first, last))
    start = time.perf_counter()
    outcome = JobRunner(ctx, job.id).run()
    assert outcome.state == "done", outcome
    return time.perf_counter() - start


def run() -> Table:
    table = Table("Retail ID unit labels (retail-1x1-203, stored format)")
    _generate("retail-1x1-203", 1000)  # the font's measures, as a running station has them
    rate, batch, recalls = _generate("retail-1x1-203")
    table.add(
        f"unit labels generated, {UNITS:,} units, stored format and one recall a label: labels/s",
        f"{rate:,.0f}",
        ">= 100,000",
    )
    table.add("... bytes a label", f"{len(recalls) / UNITS:.1f} (format {len(batch.format)} once)")
    # Not the stored-format path (a run goes as a whole format), so no target of its own;
    # shown because it is what run-checked printers get.
    rate, batch, runs = _generate("retail-1x1-203", serialized=True)
    table.add(
        "... as runs the printer serializes (^SF, ^PQ), as run-checked printers get them: labels/s",
        f"{rate:,.0f}",
    )
    table.add(
        "... bytes a label",
        f"{len(runs) / UNITS:.2f} ({runs.count(b'^XA'):,} formats)",
        "<= 70",
    )
    with tempfile.TemporaryDirectory() as folder:
        ctx = Context(open_database(f"sqlite:///{Path(folder) / 'retail.db'}"), operator="bench")
        uid = _package_with_codes(ctx, 3 * JOB_UNITS)

        tcp, url = _fake("tcp")
        printer_setup.add_printer(ctx, "unchecked", "zpl", url)
        _job(ctx, uid, "unchecked", 1, JOB_UNITS)
        printed, received = _stop(tcp)
        table.add(
            f"{JOB_UNITS}-unit job over TCP, a printer not run-checked (one recall a label): "
            "bytes per unit label",
            f"{received / JOB_UNITS:.1f} ({printed} printed)",
        )
        tcp, url = _fake("tcp")
        printer_setup.add_printer(ctx, "shelf", "zpl", url)
        _as_run_checked(ctx, "shelf", url)
        _job(ctx, uid, "shelf", JOB_UNITS + 1, 2 * JOB_UNITS)
        printed, received = _stop(tcp)
        table.add(
            f"{JOB_UNITS}-unit job over TCP, run-checked printer: bytes per unit label on the wire",
            f"{received / JOB_UNITS:.1f} (format and ~HS included; {printed} printed)",
            "<= 70",
        )
        serial, url = _fake("serial", "9600")
        printer_setup.add_printer(ctx, "bench", "zpl", url)
        _as_run_checked(ctx, "bench", url)
        wall = _job(ctx, uid, "bench", 2 * JOB_UNITS + 1, 3 * JOB_UNITS)
        printed, received = _stop(serial)
        table.add(
            f"{JOB_UNITS}-unit job, serial at 9600 baud, run-checked printer: labels/s",
            f"{JOB_UNITS / wall:.1f} ({printed} printed, {received / JOB_UNITS:.1f} B a label, "
            f"{wall:.1f} s)",
            ">= 15",
        )
    return table
