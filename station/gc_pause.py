"""The cyclic garbage collector paused around a burst of allocation that makes no cycles:
checking a span of audit events, building a job's labels. Each makes hundreds of thousands
of objects at once, and the collector's full passes over them, and over everything else
alive, took from a tenth to a third of the time."""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator


@contextlib.contextmanager
def paused() -> Iterator[None]:
    """The collector off inside (as it was again after: a pause inside a pause leaves it to
    the outer one)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
