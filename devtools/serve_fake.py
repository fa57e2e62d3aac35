"""Run a fake Zebra in its own process (for the bench): prints its connection URL, then
serves until its standard input closes. ``python -m devtools.serve_fake tcp|serial [BAUD]``"""

from __future__ import annotations

import sys

from devtools.fakes.zebra import FakeZebra, SerialZebra


def main() -> None:
    kind = sys.argv[1]
    fake = SerialZebra(baud=int(sys.argv[2])) if kind == "serial" else FakeZebra()
    print(fake.url, flush=True)
    sys.stdin.read()
    print(len(fake.printed), len(fake.raw), flush=True)
    fake.close()


if __name__ == "__main__":
    main()
