"""Executors (``dedupe.pipeline.executors``): where the parallel stages run. ``Local`` keeps its
worker processes for the whole run and a scratch folder the workers share; the Dask
executor is tested in ``test_cluster``."""

from __future__ import annotations

import multiprocessing
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from dedupe.pipeline.executors import Local


def _pid_after(item: int, delay: float) -> int:
    time.sleep(delay)
    return os.getpid()


def _scaled(item: int, factor: int, offset: int) -> int:
    return item * factor + offset


def test_local_executor_runs_in_as_many_processes_as_jobs():
    with Local(2) as local:
        pids = set(local.map(_pid_after, list(range(8)), 0.05))
    assert len(pids) == 2 and os.getpid() not in pids
    with Local(1) as local:
        assert set(local.map(_pid_after, list(range(3)), 0)) == {os.getpid()}


def test_map_keeps_the_order_of_items_and_passes_the_extra_arguments():
    with Local(2) as local:
        assert list(local.map(_scaled, list(range(20)), 3, 1)) == [3 * k + 1 for k in range(20)]
        assert list(local.map(_scaled, [], 3, 1)) == []
        assert list(local.map(_scaled, [5], 2, 0)) == [10]  # one item: in this process


def test_the_scratch_folder_is_made_once_and_removed_when_the_workers_stop():
    with Local(2) as local:
        folder = local.scratch()
        assert Path(folder).is_dir() and local.scratch() == folder
        Path(folder, "prepared").write_text("x")
    assert not Path(folder).exists()


def test_an_exception_kills_the_workers_and_still_removes_the_scratch_folder():
    with pytest.raises(RuntimeError), Local(2) as local:
        folder = local.scratch()
        list(local.map(_pid_after, list(range(4)), 0))
        raise RuntimeError("stop")
    assert not Path(folder).exists()
    assert multiprocessing.active_children() == []  # the workers are gone


_ORPHANING = """
import os, sys, time
from dedupe.pipeline.executors import Local

def pid(item):
    time.sleep(0.2)
    return os.getpid()

local = Local(2)
scratch = local.scratch()
open(os.path.join(scratch, "prepared"), "w").close()
print(scratch, *set(local.map(pid, [0, 1, 2, 3])), flush=True)
local.map(time.sleep, [600, 600])  # the workers are busy when this process is killed
time.sleep(600)
"""


def test_workers_end_and_remove_the_scratch_folder_when_the_main_process_is_killed():
    process = subprocess.Popen(
        [sys.executable, "-c", _ORPHANING], stdout=subprocess.PIPE, cwd=Path(__file__).parent.parent
    )
    scratch, *pids = process.stdout.readline().split()
    workers = [int(pid) for pid in pids]
    assert len(workers) == 2 and Path(scratch.decode(), "prepared").is_file()
    process.send_signal(signal.SIGKILL)
    process.wait()
    deadline = time.monotonic() + 10
    try:
        while any(_alive(pid) for pid in workers) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not any(_alive(pid) for pid in workers)
        assert not Path(scratch.decode()).exists()
    finally:
        for pid in filter(_alive, workers):
            os.kill(pid, signal.SIGKILL)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    with open(f"/proc/{pid}/stat") as stat:  # a zombie is dead, waiting for init to reap it
        return stat.read().split(")")[-1].split()[0] != "Z"
