"""Instrumentation of the pipeline: stage times and peak memory, logged."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

Log = Callable[[str], None]


@contextmanager
def stage(name: str, log: Log) -> Iterator[None]:
    """Log ``stage NAME: SECONDS s`` when the block is done, and the peak memory of this
    process so far."""
    started = time.perf_counter()
    yield
    log(f"stage {name}: {time.perf_counter() - started:.3f} s")
    log(f"peak memory after {name}: {peak_rss() >> 20} MB")


def peak_rss() -> int:
    """The largest resident set this process has had, in bytes (0 where unknown)."""
    try:
        import resource
    except ImportError:  # not Unix
        return 0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak if sys.platform == "darwin" else peak * 1024
