"""How the pipeline runs: stage times and peak memory, logged; the garbage collector
paused while a stage makes its many small objects."""

from __future__ import annotations

import gc
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


@contextmanager
def collector_paused() -> Iterator[None]:
    """Run the block with Python's cyclic garbage collector paused, as it was after.

    A scan makes millions of small objects that hold no reference cycles (spans,
    sides, passages); the collector's passes over them took a fifth of a scan of the
    Debian copyright files and freed nothing (peak memory the same)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
