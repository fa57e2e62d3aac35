"""Metrc's answers bounded in a real child process: a compressed answer that expands past
the station's limit is refused in one line, with the child's memory held under a limit."""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import threading
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from tests.helpers.station import Station


class _Bomb(BaseHTTPRequestHandler):
    """Answers every request with a small gzip body that expands to ``expanded`` bytes."""

    body = b""

    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(self.body)))
        self.end_headers()
        try:
            self.wfile.write(self.body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the station stopped reading: what this test wants

    def log_message(self, *args: object) -> None:
        pass


def _gzip_of_zeros(size: int) -> bytes:
    packer = zlib.compressobj(1, zlib.DEFLATED, 31)  # 31: a gzip wrapper
    piece = b"0" * 2**20
    return b"".join(packer.compress(piece) for _ in range(size // 2**20)) + packer.flush()


def test_an_answer_that_expands_past_the_limit_is_refused_with_flat_memory(
    received: Station, tmp_path: Path
) -> None:
    """2 MB of gzip expanding to 2 GiB: the station stops reading at the documented size and
    says so in one line, in a process held to 1.5 GiB of address space (reading it whole
    took 4.2 GB before)."""
    _Bomb.body = _gzip_of_zeros(2 * 2**30)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Bomb)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        env = {
            **os.environ,
            "METRC_URL": f"http://127.0.0.1:{server.server_address[1]}",
            "METRC_VENDOR_KEY": "vendor",
            "METRC_USER_KEY": "user",
        }

        def limited() -> None:
            resource.setrlimit(resource.RLIMIT_AS, (3 * 2**29, 3 * 2**29))

        done = subprocess.run(
            [sys.executable, "-m", "station", "--db", received.url, "retailid", "allotment"],
            env=env, capture_output=True, text=True, timeout=300, preexec_fn=limited,
        )  # fmt: skip
    finally:
        server.shutdown()
        server.server_close()
    assert done.returncode == 1, done.stderr
    assert done.stderr == (
        "error: Metrc's answer to GET /retailid/v2/allotment is larger than 16 MiB, the most "
        "the station reads; nothing was taken from it\n"
    )
