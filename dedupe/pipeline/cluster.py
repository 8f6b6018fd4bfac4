"""Running the parallel stages on a Dask cluster (``dask.distributed``), an optional
extra: ``pip install 'dedupe-provenance[dask]'``.

``Dask`` is an executor (see ``dedupe.pipeline.executors``) on a ``distributed.Client``: the
same functions as on local worker processes, mapped over the same items, their results
given back in the order of the items, so the report is the same as a local run's.
``dask_executor`` opens one from a ``--dask`` value: ``local:N`` (a cluster of N worker
processes on this machine) or a scheduler's address (``tcp://host:8786``).
"""

from __future__ import annotations

import asyncio
import importlib.metadata
import logging
import os
import re
import tempfile
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from .. import __version__
from ..errors import ClusterUnavailable, InvalidParameter

DISTRIBUTION = "dedupe-provenance"
INSTALL_HINT = f"pip install '{DISTRIBUTION}[dask]'"
CONNECT_TIMEOUT = 10  # seconds to reach a scheduler
WORKER_TIMEOUT = 30  # seconds to wait for a scheduler's first worker
AHEAD = 4  # tasks submitted ahead of the result being read, per worker thread


class Dask:
    """An executor on a ``distributed.Client``. The shared arguments of a ``map`` are
    scattered to every worker once; at most ``AHEAD`` tasks per worker thread are
    submitted beyond the result being read, and every result is released once read, so
    memory on the cluster stays bounded however many items there are."""

    def __init__(self, client, scratch: str | None = None):
        self.client = client
        self.workers = max(1, sum(client.nthreads().values()))
        self._scratch = scratch

    def scratch(self) -> str | None:
        """The local cluster's folder; None for a scheduler's workers (elsewhere)."""
        return self._scratch

    def check_paths(self, paths: list[str]) -> None:
        """Refuse relative ``paths`` when a worker would read them from another folder
        (workers read the files at the paths given)."""
        relative = [p for p in paths if not os.path.isabs(p)]
        if not relative:
            return
        here = os.getcwd()
        for worker, folder in sorted(self.client.run(os.getcwd).items()):
            if folder != here:
                raise ClusterUnavailable(
                    f"{relative[0]} is a relative path, but the Dask worker {worker} runs in "
                    f"{folder}, not {here}: give absolute paths"
                )

    def map(self, fn: Callable, items: list, *args) -> Iterator:
        if not items:
            return iter(())
        shared = self.client.scatter(list(args), broadcast=True, hash=False) if args else []
        tasks = _Tasks(self.client, fn, items, shared, AHEAD * self.workers)
        tasks.submit()
        return tasks.results()


class _Tasks:
    """The tasks of one ``map``, submitted a window at a time."""

    def __init__(self, client, fn: Callable, items: list, shared: list, window: int):
        self.client, self.fn, self.items, self.shared = client, fn, items, shared
        self.window = window
        self.pending: deque = deque()
        self.submitted = 0

    def submit(self) -> None:
        """Fill the window again once half of it has been read."""
        if len(self.pending) > self.window // 2 or self.submitted == len(self.items):
            return
        batch = self.items[self.submitted : self.submitted + self.window - len(self.pending)]
        constants = [[future] * len(batch) for future in self.shared]
        self.pending.extend(self.client.map(self.fn, batch, *constants, pure=False))
        self.submitted += len(batch)

    def results(self) -> Iterator:
        try:
            while self.pending:
                future = self.pending.popleft()
                result = future.result()
                future.release()
                del future
                self.submit()
                yield result
        finally:
            for future in self.pending:
                future.cancel()
            self.pending.clear()
            self.shared = []


LOCAL = re.compile(r"local:(.*)")
ADDRESS = re.compile(r"[a-z][a-z0-9+.-]*://\S+|[^\s:/]+:\d+", re.I)  # scheme://..., host:port


def _distributed():
    """The ``distributed`` module, or ``ClusterUnavailable`` saying how to install it."""
    try:
        import distributed
    except ImportError:
        raise ClusterUnavailable(
            f"a Dask cluster needs dask.distributed, which is not installed: {INSTALL_HINT}"
        ) from None
    return distributed


def local_workers(spec: str) -> int | None:
    """N of ``local:N`` (``InvalidParameter`` unless a whole number >= 1), or None when
    ``spec`` is not ``local:...``; ``InvalidParameter`` when it is no scheduler address
    either."""
    match = LOCAL.fullmatch(spec.strip())
    if match is None:
        if not ADDRESS.fullmatch(spec.strip()):
            raise InvalidParameter(
                "dask_spec",
                f"{spec!r}: expected local:N (N worker processes on this machine) "
                "or a scheduler address such as tcp://host:8786",
            )
        return None
    count = match.group(1).strip()
    if not count.isdigit() or int(count) < 1:
        raise InvalidParameter(
            "dask_spec", f"{spec!r}: local:N needs a whole number N >= 1 of worker processes"
        )
    return int(count)


@contextmanager
def dask_executor(spec: str) -> Iterator[Dask]:
    """A ``Dask`` executor for ``spec``: ``local:N`` starts a cluster of N single-threaded
    worker processes on this machine (they inherit this environment) and stops it on
    exit; an address such as ``tcp://host:8786`` connects to that scheduler, waits for a
    worker and checks that every worker runs this version of dedupe, and disconnects on
    exit (the cluster keeps running)."""
    workers = local_workers(spec)
    distributed = _distributed()
    if workers is not None:
        with (
            tempfile.TemporaryDirectory(prefix="dedupe-") as scratch,
            distributed.LocalCluster(
                n_workers=workers,
                threads_per_worker=1,
                processes=True,
                dashboard_address=None,
                # no dashboard; its health and metrics routes on any free local port
                scheduler_kwargs={"dashboard_address": "127.0.0.1:0"},
                silence_logs=logging.ERROR,
            ) as cluster,
            distributed.Client(cluster) as client,
        ):
            yield Dask(client, scratch)
        return
    address = spec.strip()
    try:
        client = distributed.Client(address, timeout=CONNECT_TIMEOUT)
    except Exception as err:  # refused, timed out, or not an address distributed knows
        raise ClusterUnavailable(
            f"cannot connect to the Dask scheduler at {address}: {_first_line(err)}"
        ) from None
    with client:
        _check_workers(client, address)
        yield Dask(client)


def _check_workers(client, address: str) -> None:
    """Wait for a worker, then make sure every worker has this version of dedupe."""
    try:
        client.wait_for_workers(1, timeout=WORKER_TIMEOUT)
    except (OSError, TimeoutError, asyncio.TimeoutError):
        raise ClusterUnavailable(
            f"the Dask scheduler at {address} has no workers (waited {WORKER_TIMEOUT} s)"
        ) from None
    versions = client.run(importlib.metadata.version, DISTRIBUTION, on_error="return")
    for worker, version in sorted(versions.items()):
        if isinstance(version, Exception):
            raise ClusterUnavailable(
                f"dedupe is not installed on the Dask worker {worker}: install "
                f"{DISTRIBUTION}=={__version__} with the dask extra on every worker"
            )
        if version != __version__:
            raise ClusterUnavailable(
                f"the Dask worker {worker} has dedupe {version}, this machine {__version__}: "
                "install the same version on every worker"
            )


def _first_line(err: BaseException) -> str:
    lines = str(err).strip().splitlines()
    return lines[0] if lines else type(err).__name__
