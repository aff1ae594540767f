"""Fail fast instead of hanging: a block that must finish within a time limit.

A test of a linear algorithm gives it generous time; the quadratic algorithm it
replaced would take minutes or hours on the same input, so without a limit such
a test would hang the suite instead of failing it.
"""

from __future__ import annotations

import signal
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType


@contextmanager
def deadline(seconds: float) -> Iterator[None]:
    """Raise TimeoutError in the block once it has run for `seconds` (main thread only),
    and again every half second after that: code that swallows exceptions (pypdf does,
    around each form it draws) cannot outlast it."""

    def expired(signum: int, frame: FrameType | None) -> None:
        raise TimeoutError(f"took longer than {seconds:g} s: not linear any more?")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.setitimer(signal.ITIMER_REAL, seconds, 0.5)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
