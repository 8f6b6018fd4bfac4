"""Where the parallel stages run: worker processes on this machine (``Local``) or a
Dask cluster (``dedupe.cluster``). Both map a function over a list of items and give
the results in the order of the items, so the report does not depend on where or in
what order the work was done.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from functools import partial
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
    """``jobs`` worker processes (forked when first needed, so they start at once, and
    kept until ``close``); one job, or a single item, runs in this process."""

    def __init__(self, jobs: int | None = None):
        self.workers = jobs or available_cores()
        self._pool: ProcessPoolExecutor | None = None

    def map(self, fn: Callable, items: list, *args) -> Iterator:
        if self.workers == 1 or len(items) < 2:
            return (fn(item, *args) for item in items)
        if self._pool is None:
            self._pool = ProcessPoolExecutor(self.workers, mp_context=_context())
        return self._pool.map(partial(_apply, fn, args), items)

    def close(self) -> None:
        """Stop the worker processes."""
        if self._pool is not None:
            self._pool.shutdown()
            self._pool = None

    def __enter__(self) -> Local:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _context():
    """Fork where the platform has it (workers start at once), else the default."""
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("fork" if "fork" in methods else None)
