"""Assignments per second with 1, 2 and 4 station processes sharing one database, on SQLite
and on PostgreSQL (a private server started here, as the tests do, but with PostgreSQL's
default fsync on every commit, as SQLite's file is synced on every commit too).

Each process makes single-tag assignments from one shared pool of received tags. The
processes start, connect and then wait, so the figure covers assigning only.
"""

from __future__ import annotations

import contextlib
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

from bench.stock import received_roll
from bench.table import Table
from devtools.pg_server import PgServer, find_bindir, running
from station.db.connection import open_database
from station.db.models import database_proxy
from station.services.context import Context
from station.services.tags.assignment import assign_next
from station.services.tags.assignment_details import PackageDetails

PER_PROCESS = 400
PROCESSES = (1, 2, 4)


def _stock(url: str, tags: int) -> None:
    ctx = Context(open_database(url), operator="bench")
    received_roll(ctx, tags)
    ctx.db.close()
    database_proxy.initialize(None)


def _rate(url: str, processes: int) -> float:
    """Assignments per second over all ``processes``."""
    workers = [
        subprocess.Popen(
            [sys.executable, "-m", "bench.stations", url, str(PER_PROCESS)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(processes)
    ]
    for worker in workers:
        assert worker.stdout is not None
        assert worker.stdout.readline().strip() == "ready"
    started = time.perf_counter()
    for worker in workers:
        assert worker.stdin is not None
        worker.stdin.write("go\n")
        worker.stdin.flush()
    for worker in workers:
        worker.communicate(timeout=600)
        assert worker.returncode == 0
    return processes * PER_PROCESS / (time.perf_counter() - started)


@contextlib.contextmanager
def _databases() -> Iterator[Iterator[tuple[str, str]]]:
    """(backend, URL of a new database) pairs, one per run."""
    with tempfile.TemporaryDirectory() as folder, contextlib.ExitStack() as stack:
        server: PgServer | None = None
        if find_bindir() is not None:
            server = stack.enter_context(running(durable=True))

        def urls() -> Iterator[tuple[str, str]]:
            for n in PROCESSES:
                yield "sqlite", f"sqlite:///{Path(folder) / f'assign-{n}.db'}"
            if server is not None:
                open_database(server.url("station_template")).close()
                database_proxy.initialize(None)
                for _ in PROCESSES:
                    yield "postgresql", server.new_database()

        yield urls()


def run() -> Table:
    table = Table(f"several stations: single-tag assignments, {PER_PROCESS} per process")
    with _databases() as urls:
        for index, (backend, url) in enumerate(urls):
            processes = PROCESSES[index % len(PROCESSES)]
            _stock(url, PER_PROCESS * processes + 100)
            rate = _rate(url, processes)
            table.add(f"{backend}, {processes} process(es)", f"{rate:,.0f} assignments/s")
    if find_bindir() is None:
        table.add("postgresql", "not measured: PostgreSQL is not installed")
    return table


def _work(url: str, count: int) -> None:
    ctx = Context(open_database(url), operator="bench")
    details = PackageDetails("Flower", Decimal(1), "Grams", None, ctx.today())
    print("ready", flush=True)
    sys.stdin.readline()
    for _ in range(count):
        assign_next(ctx, details, 1)


if __name__ == "__main__":
    _work(sys.argv[1], int(sys.argv[2]))
