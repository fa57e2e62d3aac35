"""The garbage collector's pause around label building and audit checking: back on after,
whatever happened inside, and a pause inside another leaves it to the outer one."""

from __future__ import annotations

import gc

import pytest

from station import gc_pause


def test_the_collector_is_back_on_after_a_pause_even_after_an_error() -> None:
    assert gc.isenabled()
    with pytest.raises(ValueError), gc_pause.paused():
        assert not gc.isenabled()
        with gc_pause.paused():
            assert not gc.isenabled()
        assert not gc.isenabled(), "the inner pause ended the outer one's"
        raise ValueError("a label that does not fit")
    assert gc.isenabled()


def test_a_pause_leaves_a_collector_that_was_off_off() -> None:
    gc.disable()
    try:
        with gc_pause.paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()
