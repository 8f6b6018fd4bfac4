"""Where the parallel stages run: worker processes on this machine (``Local``) or a
Dask cluster (``dedupe.pipeline.cluster``). Both map a function over a list of items and give
the results in the order of the items, so the report does not depend on where or in
what order the work was done.
"""

from __future__ import annotations

import multiprocessing
import os
import shutil
import signal
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from functools import partial
from typing import Protocol

from ..kernels import available_cores


class Executor(Protocol):
    """Runs ``fn(item, *args)`` for each item."""

    workers: int

    def map(self, fn: Callable, items: list, *args) -> Iterator:
        """The results of ``fn(item, *args)``, in the order of ``items``."""
        ...

    def scratch(self) -> str | None:
        """A folder that this process and every worker can write to, removed once the
        workers are stopped (whether the work ended or was interrupted, or this process
        was killed once workers ran); None when the workers run on other machines. Ask
        for it before the first ``map`` so that workers know it."""
        ...


def _apply(fn: Callable, args: tuple, item):
    return fn(item, *args)


_STOPS = {signal.SIGINT, signal.SIGTERM}


def _start_worker(scratch: str | None) -> None:
    """In a worker: leave Ctrl-C and SIGTERM to the main process, which stops the
    workers itself (a worker interrupted mid-task could block on its result pipe).
    Workers are forked with both signals blocked (``_signals_held``), so none reaches
    one before it ignores them. A worker whose main process ended without stopping it
    (killed outright, by SIGKILL or the out-of-memory killer) removes the ``scratch``
    folder and ends, instead of waiting forever to hand over a result nobody reads."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, _STOPS)
    parent = os.getppid()
    threading.Thread(target=_end_when_orphaned, args=(parent, scratch), daemon=True).start()


ORPHAN_CHECK_SECONDS = 0.5


def _end_when_orphaned(parent: int, scratch: str | None) -> None:
    """Once this process's parent is no longer ``parent`` (it has died), remove
    ``scratch`` and end this process."""
    while os.getppid() == parent:
        time.sleep(ORPHAN_CHECK_SECONDS)
    if scratch is not None:
        shutil.rmtree(scratch, ignore_errors=True)
    os._exit(1)


@contextmanager
def _signals_held():
    """Ctrl-C and SIGTERM held back while worker processes are forked: one arriving in
    the middle of a fork would run this process's handler in the new worker, or inside
    a fork hook that swallows its exception. Held signals arrive right after."""
    signal.pthread_sigmask(signal.SIG_BLOCK, _STOPS)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_UNBLOCK, _STOPS)


class Local:
    """``jobs`` worker processes (forked when first needed, so they start at once, and
    kept until ``close``); one job, or a single item, runs in this process. Leaving the
    ``with`` block on an exception (an interrupt included) kills the workers at once
    instead of waiting for their tasks."""

    def __init__(self, jobs: int | None = None):
        self.workers = jobs or available_cores()
        self._pool: ProcessPoolExecutor | None = None
        self._scratch: str | None = None

    def map(self, fn: Callable, items: list, *args) -> Iterator:
        if self.workers == 1 or len(items) < 2:
            return (fn(item, *args) for item in items)
        with _signals_held():  # with fork, every worker starts at the first submission
            if self._pool is None:
                self._pool = ProcessPoolExecutor(
                    self.workers,
                    mp_context=_context(),
                    initializer=_start_worker,
                    initargs=(self._scratch,),
                )
            return self._pool.map(partial(_apply, fn, args), items)

    def scratch(self) -> str:
        if self._scratch is None:
            self._scratch = tempfile.mkdtemp(prefix="dedupe-")
        return self._scratch

    def close(self) -> None:
        """Stop the worker processes once their tasks are done."""
        if self._pool is not None:
            self._pool.shutdown()
            self._pool = None
        self._remove_scratch()

    def _remove_scratch(self) -> None:
        if self._scratch is not None:
            shutil.rmtree(self._scratch, ignore_errors=True)
            self._scratch = None

    def kill(self) -> None:
        """Stop the worker processes now, dropping their tasks."""
        if self._pool is None:
            self._remove_scratch()
            return
        # ProcessPoolExecutor has no public way to stop busy workers before Python 3.14;
        # its workers are this process's children (also one being started right now).
        for process in multiprocessing.active_children():
            process.kill()
        self._pool.shutdown(wait=False, cancel_futures=True)
        for process in multiprocessing.active_children():
            process.kill()
            process.join()
        self._pool = None
        self._remove_scratch()

    def __enter__(self) -> Local:
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is None:
            self.close()
        else:
            self.kill()


def _context():
    """Fork where the platform has it (workers start at once), else the default."""
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("fork" if "fork" in methods else None)
