"""Whether a Zebra may print Retail ID units as runs it serializes itself (``^SF`` on the
QR field, ``^PQ`` for the count): the ZPL guide documents ``^SF`` but not on a ``^BQ`` field
([I], retail-id.md), and a printer that ignored it would print one code on a whole run.
So runs are used only on a printer that passed this check: a short test run is printed,
every label's code scanned back, and all must be the codes asked for, each once. The result
is stored with the connection it was made on and audited; until it passes (or after it
fails) the printer gets one stored-format recall a label.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from printers import drivers
from printers.errors import PrinterError
from printers.label import LabelData
from printers.transports import open_transport
from station.db.models import Printer
from station.domain import retail_id
from station.domain.errors import StationError
from station.services.context import Context
from station.services.people import roles
from station.services.printing import printer_setup, templates
from station.services.printing.units import unit_template_name
from station.services.records import audit

# The Metrc SDK's sandbox tag (retail-id.md §2.2): never a production tag, so a test label
# scanned by mistake elsewhere names no real package.
TEST_TAG = "ABCDEF012345670000027190"
# Enough labels that the run steps a digit several times; few enough to scan in a minute.
DEFAULT_LABELS = 6
MAX_LABELS = 50


@dataclass(frozen=True)
class RunCheck:
    printer: str
    passed: bool
    expected: int
    problem: str | None = None


def send_test_run(ctx: Context, name: str, count: int = DEFAULT_LABELS) -> list[str]:
    """Print ``count`` test unit labels on ``name`` as one run the printer serializes; the
    codes they must carry, in order."""
    roles.require_supervisor(ctx, "verifying a printer's runs")
    if not 2 <= count <= MAX_LABELS:
        raise StationError(f"a test run is 2 to {MAX_LABELS} labels, not {count}")
    printer = printer_setup.get_printer(ctx, name)
    driver = drivers.get(printer.driver)
    if not driver.serializes:
        raise StationError(
            f"{name} is {printer.driver}: only printers that serialize fields (Zebra, zpl) "
            "print Retail ID runs"
        )
    template = templates.load(ctx.folders, unit_template_name(ctx, name))
    indexes = list(range(1, count + 1))
    urls = list(retail_id.urls(TEST_TAG, indexes))
    base = LabelData(
        uid=TEST_TAG,
        license_number="TEST RUN",
        facility_name="Run check - not a product label",
        order_date=ctx.today().isoformat(),
    )
    labels = base.units(zip(urls, map(str, indexes), strict=True))
    try:
        batch = driver.serial_batch(template, labels)
        data = batch.setup + batch.formats(0, len(labels))[0]
        with open_transport(ctx.folders.printer_url(printer.connection)) as link:
            link.write(data)
    except PrinterError as exc:
        raise StationError(str(exc)) from None
    return urls


def record(ctx: Context, name: str, expected: Sequence[str], scanned: Sequence[str]) -> RunCheck:
    """Judge what was scanned back against ``expected``, store the verdict on the printer and
    audit it. It passes only when every label read back as a code asked for and no two
    labels carried the same code."""
    problem = _problem(expected, scanned)
    printer = printer_setup.get_printer(ctx, name)
    passed = problem is None
    with ctx.db.atomic():
        Printer.update(
            runs_verified_at=ctx.now() if passed else None,
            runs_verified_connection=printer.connection if passed else None,
        ).where(Printer.name == name).execute()
        audit.record(
            ctx,
            "printer.verify_runs",
            f"{name} {'passed' if passed else 'failed'} the Retail ID run check "
            f"({len(expected)} labels)" + (f": {problem}" if problem else ""),
            {"name": name, "passed": passed, "labels": len(expected), "problem": problem},
        )
    return RunCheck(name, passed, len(expected), problem)


def runs_verified(ctx: Context, name: str, connection: str) -> bool:
    """Whether ``name`` passed the check on ``connection`` (the one a job prints to)."""
    row: Printer | None = Printer.get_or_none(Printer.name == name)
    return (
        row is not None
        and row.runs_verified_at is not None
        and row.runs_verified_connection == connection
    )


def _problem(expected: Sequence[str], scanned: Sequence[str]) -> str | None:
    read: list[str] = []
    for number, text in enumerate(scanned, start=1):
        try:
            read.append(retail_id.decode(text).url)
        except StationError:
            return f"scan {number} is not a Retail ID code"
    if len(read) < len(expected):
        return f"{len(read)} of {len(expected)} labels were scanned"
    if len(set(read)) < len(read):
        return "two labels carry the same code: the printer does not step ^SF on a QR field"
    wanted = set(expected)
    strays = [url for url in read if url not in wanted]
    if strays or len(read) != len(expected):
        return "a label carries a code the run did not ask for"
    return None
