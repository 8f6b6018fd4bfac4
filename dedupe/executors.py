"""Where the parallel stages run: worker processes on this machine (``Local``) or a
Dask cluster (``dedupe.cluster``). Both map a function over a list of items and give
the results in the order of the items, so the report does not depend on where or in
what order the work was done.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from functools import partial
from multiprocessing import get_context
from typing import Protocol


class Executor(Protocol):
    """Runs ``fn(item, *args)`` for each item."""

    workers: int

    def map(self, fn: Callable, items: list, *args) -> Iterator:
        """The results of ``fn(item, *args)``, in the order of ``items``."""
        ...


def available_cores() -> int:
    """The cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def _apply(fn: Callable, args: tuple, item):
    return fn(item, *args)


class Local:
    """``jobs`` worker processes (forked, so they start at once); one job, or a single
    item, runs in this process."""

    def __init__(self, jobs: int | None = None):
        self.workers = jobs or available_cores()

    def map(self, fn: Callable, items: list, *args) -> Iterator:
        if self.workers == 1 or len(items) < 2:
            yield from (fn(item, *args) for item in items)
            return
        workers = min(self.workers, len(items))
        with ProcessPoolExecutor(workers, mp_context=get_context("fork")) as pool:
            yield from pool.map(partial(_apply, fn, args), items)
