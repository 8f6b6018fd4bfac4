"""Compiled inner loops: the same results as the plain function, compiled once per
process, and the cores the process may use."""

from __future__ import annotations

import os
import subprocess
import sys

import numpy as np

from dedupe.kernels import available_cores, compiled, source_stamp


def running_sum(values):
    total = 0
    out = np.empty_like(values)
    for k in range(len(values)):
        total += values[k]
        out[k] = total
    return out


def test_a_compiled_loop_gives_what_the_plain_one_gives():
    values = np.arange(1, 1000, dtype=np.int64)
    fast = compiled(running_sum)
    assert np.array_equal(fast(values), running_sum(values))
    assert np.array_equal(fast(values), np.cumsum(values))


def test_the_cores_are_those_this_process_may_run_on():
    expected = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None
    assert available_cores() >= 1
    if expected is not None:
        assert available_cores() == expected


WARM = "from dedupe.parameters import Parameters; from dedupe.pipeline.scan import load_kernels; load_kernels(Parameters())"  # noqa: E501


def _cache_files(folder):
    return {p: p.stat().st_mtime_ns for p in folder.rglob("*") if p.is_file()}


def test_a_second_process_loads_every_compiled_loop_from_the_disk_cache(tmp_path):
    env = {**os.environ, "NUMBA_CACHE_DIR": str(tmp_path)}
    subprocess.run([sys.executable, "-c", WARM], env=env, check=True)
    first = _cache_files(tmp_path)
    subprocess.run([sys.executable, "-c", WARM], env=env, check=True)
    assert first and _cache_files(tmp_path) == first
    assert {path.relative_to(tmp_path).parts[0] for path in first} == {source_stamp()}
