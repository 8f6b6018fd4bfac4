"""Stage timing: each stage logs its time and the peak memory so far, as benchmarks read; the
collector paused around a block."""

from __future__ import annotations

import re
import time

import numpy as np
import pytest

from dedupe.instrument import collector_paused, peak_rss, stage


def test_a_stage_logs_its_seconds_then_the_peak_memory():
    lines: list[str] = []
    with stage("sketch", lines.append):
        time.sleep(0.05)
    assert len(lines) == 2
    seconds = float(re.fullmatch(r"stage sketch: (\d+\.\d{3}) s", lines[0]).group(1))
    assert 0.05 <= seconds < 5
    megabytes = int(re.fullmatch(r"peak memory after sketch: (\d+) MB", lines[1]).group(1))
    assert megabytes == pytest.approx(peak_rss() >> 20, abs=1)


def test_a_failing_stage_logs_nothing():
    lines: list[str] = []
    with pytest.raises(RuntimeError), stage("align", lines.append):
        raise RuntimeError
    assert lines == []


def test_the_peak_grows_with_what_the_process_holds():
    before = peak_rss()
    held = np.ones(64 << 20, dtype=np.uint8)  # 64 MB, touched
    assert peak_rss() >= before
    assert peak_rss() >= held.nbytes


def test_the_collector_is_paused_in_the_block_and_left_as_it_was():
    import gc

    assert gc.isenabled()
    with collector_paused():
        assert not gc.isenabled()
        with collector_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()  # the inner block found it paused
    assert gc.isenabled()
    gc.disable()
    try:
        with collector_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()
