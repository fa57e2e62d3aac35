"""A private PostgreSQL server for the test run: its own data folder and port on 127.0.0.1.

The tests own it, so they can restart it under a running station. It is built from the
server binaries of the machine's PostgreSQL packages (``.ci/run`` installs Debian's).
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import psycopg2

from devtools.ports import free_port

USER = "station"
TEMPLATE = "station_template"


def find_bindir() -> Path | None:
    """The folder holding ``initdb`` and ``pg_ctl``, newest version first; None if absent."""
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True)
    for found in (shutil.which("pg_config"),):
        if found:
            out = subprocess.run([found, "--bindir"], capture_output=True, text=True)
            candidates.append(out.stdout.strip())
    for folder in candidates:
        if folder and (Path(folder) / "initdb").exists() and (Path(folder) / "pg_ctl").exists():
            return Path(folder)
    return None


class PgServer:
    """initdb, start, restart and stop one throwaway cluster."""

    def __init__(self, root: Path, durable: bool = False) -> None:
        self.durable = durable
        bindir = find_bindir()
        if bindir is None:
            raise RuntimeError("no PostgreSQL server binaries (apt-get install postgresql)")
        self.bindir = bindir
        self.root = root
        self.data = root / "data"
        self.port = free_port()
        self._counter = 0
        # PostgreSQL refuses to run as root; as root the cluster belongs to the postgres user.
        self._as: list[str] = []
        if os.geteuid() == 0:
            owner = pwd.getpwnam("postgres")
            os.chown(root, owner.pw_uid, owner.pw_gid)
            self._as = ["runuser", "-u", "postgres", "--"]

    def _run(self, *args: str) -> None:
        done = subprocess.run([*self._as, *args], capture_output=True, text=True, timeout=120)
        if done.returncode:
            raise RuntimeError(f"{Path(args[0]).name} failed: {done.stderr.strip()}")

    def init(self) -> None:
        self._run(
            str(self.bindir / "initdb"),
            "-D",
            str(self.data),
            "-U",
            USER,
            "--auth=trust",
            "--encoding=UTF8",
            "--locale=C",
        )
        self.start()
        with contextlib.closing(self.connect("postgres")) as conn:
            conn.autocommit = True
            conn.cursor().execute(f"CREATE DATABASE {TEMPLATE}")

    def start(self) -> None:
        options = (
            f"-c listen_addresses=127.0.0.1 -c port={self.port} "
            f"-c unix_socket_directories={self.root} -c max_connections=200"
        )
        if not self.durable:
            # Durability is not under test; fsync off keeps each test's CREATE DATABASE quick.
            options += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        self._run(
            str(self.bindir / "pg_ctl"),
            "-D",
            str(self.data),
            "-o",
            options,
            "-l",
            str(self.root / "server.log"),
            "-w",
            "start",
        )

    def stop(self) -> None:
        self._run(str(self.bindir / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop")

    def restart(self) -> None:
        """Stop and start again: every open connection is cut."""
        self.stop()
        self.start()

    def url(self, database: str) -> str:
        return f"postgresql://{USER}@127.0.0.1:{self.port}/{database}"

    def connect(self, database: str) -> psycopg2.extensions.connection:
        return psycopg2.connect(host="127.0.0.1", port=self.port, user=USER, dbname=database)

    def new_database(self, template: str = TEMPLATE) -> str:
        """A fresh database copied from the migrated template (``template0``: an empty one);
        its URL."""
        self._counter += 1
        name = f"t{os.getpid()}_{self._counter}"
        with contextlib.closing(self.connect("postgres")) as conn:
            conn.autocommit = True
            conn.cursor().execute(f"CREATE DATABASE {name} TEMPLATE {template} STRATEGY FILE_COPY")
        return self.url(name)


@contextlib.contextmanager
def running(durable: bool = False) -> Iterator[PgServer]:
    """A new server for as long as the block runs; ``durable`` keeps PostgreSQL's default
    fsync on every commit (for benchmarks; the tests do without)."""
    # Its own folder under /tmp: pytest's folders are private to root, and the server may run
    # as the postgres user.
    root = Path(tempfile.mkdtemp(prefix="station-pg-"))
    server = PgServer(root, durable)
    try:
        server.init()
        yield server
    finally:
        with contextlib.suppress(RuntimeError, subprocess.SubprocessError):
            server.stop()
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    # `python -m devtools.pg_server`: exit 0 when a server can be started here.
    raise SystemExit(0 if find_bindir() else 1)
