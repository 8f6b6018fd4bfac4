"""The progress bar on stderr: drawn on a terminal only, after a couple of seconds, in
place, and its line ended before anything else is written."""

from __future__ import annotations

import io
import re
import sys

import pytest

from dedupe.cli.progress import ProgressBar
from dedupe.parameters import Parameters
from dedupe.pipeline.scan import scan

from .strategies import prose


class FakeTTY(io.StringIO):
    def isatty(self) -> bool:
        return True


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


def _bar(clock: Clock, stream: io.StringIO | None = None, **kwargs) -> ProgressBar:
    return ProgressBar(stream if stream is not None else FakeTTY(), clock=clock, **kwargs)


def drawn(stream: io.StringIO) -> list[str]:
    """The states drawn on ``stream``, in order, without the terminal's control codes."""
    text = re.sub(r"\x1b\[\?25[lh]", "", stream.getvalue())
    return [part for part in re.split(r"\r", text) if part]


def test_the_line_shows_what_count_bar_and_percent(clock):
    bar = _bar(clock)
    clock.now += 3
    bar("files", 1234, 8013)
    (line,) = drawn(bar.stream)
    assert re.fullmatch(r"files  \[#{4}-{26}\]  1234/8013\s+15%", line), line


def test_nothing_is_drawn_in_the_first_two_seconds(clock):
    bar = _bar(clock)
    for done in range(10):
        clock.now += 0.19
        bar("files", done, 10)
    assert bar.stream.getvalue() == ""
    bar.end()
    assert bar.stream.getvalue() == ""  # nothing to end either


def test_after_two_seconds_the_bar_is_redrawn_in_place(clock):
    bar = _bar(clock)
    clock.now += 2.0
    bar("files", 3, 10)
    clock.now += 0.5
    bar("files", 7, 10)
    lines = drawn(bar.stream)
    assert [re.search(r"\d+/10", line).group() for line in lines] == ["3/10", "7/10"]
    assert "\n" not in bar.stream.getvalue()


def test_redraws_are_at_most_ten_a_second_but_the_last_state_always_shows(clock):
    bar = _bar(clock)
    clock.now += 3
    for done in range(1, 101):
        clock.now += 0.001
        bar("files", done, 100)
    assert [re.search(r"\d+/100", line).group() for line in drawn(bar.stream)] == [
        "1/100",
        "100/100",
    ]
    bar("files", 100, 100)  # the same line again is not redrawn
    assert len(drawn(bar.stream)) == 2


def test_log_lines_start_on_a_line_of_their_own(clock):
    stream = FakeTTY()
    bar = _bar(clock, stream)
    log = bar.log(lambda message: stream.write(message + "\n"))
    log("stage early: 0.100 s")  # before any bar: no blank line
    clock.now += 3
    bar("files", 5, 10)
    log("stage sketch: 3.000 s")
    bar("candidate groups", 1, 4)
    bar.end()
    bar.end()  # ending twice writes nothing more
    lines = re.sub(r"\x1b\[\?25[lh]", "", stream.getvalue()).split("\n")
    assert lines[0] == "stage early: 0.100 s"
    assert lines[1].startswith("\rfiles  [") and lines[1].endswith("5/10   50%")
    assert lines[2] == "stage sketch: 3.000 s"
    assert lines[3].startswith("\rcandidate groups  [") and lines[4] == ""
    # The log lines benchmarks parse are whole lines.
    assert "stage sketch: 3.000 s" in stream.getvalue().splitlines()


def test_leaving_the_with_block_ends_the_line_even_on_an_error(clock):
    bar = _bar(clock)
    with pytest.raises(RuntimeError), bar:
        clock.now += 3
        bar("files", 1, 3)
        raise RuntimeError
    assert bar.stream.getvalue().endswith("\n")
    assert drawn(bar.stream)[-1].startswith("files  [")


def test_a_disabled_bar_writes_nothing(clock):
    bar = _bar(clock, enabled=False)
    clock.now += 60
    bar("files", 1, 2)
    bar.log(lambda _: None)("stage x: 1 s")
    bar.end()
    assert bar.stream.getvalue() == ""


@pytest.mark.parametrize(
    ("stream", "quiet", "enabled"),
    [
        (FakeTTY(), False, True),
        (FakeTTY(), True, False),  # --quiet
        (io.StringIO(), False, False),  # not a terminal: a file, a pipe, CliRunner
    ],
)
def test_the_stderr_bar_needs_a_terminal_and_no_quiet(monkeypatch, stream, quiet, enabled):
    monkeypatch.setattr(sys, "stderr", stream)
    bar = ProgressBar.on_stderr(quiet)
    assert bar.stream is stream
    assert bar.enabled is enabled


class Closed(io.StringIO):
    def isatty(self) -> bool:
        raise ValueError("I/O operation on closed file")


@pytest.mark.parametrize("stream", [Closed(), None])  # closed, or none at all (pythonw)
def test_a_closed_or_missing_stderr_is_not_a_terminal(monkeypatch, stream):
    monkeypatch.setattr(sys, "stderr", stream)
    assert ProgressBar.on_stderr(False).enabled is False


def test_scan_reports_files_then_candidate_groups(tmp_path):
    shared = prose(5, sentences=5)
    for k in range(4):
        (tmp_path / f"d{k}.txt").write_text(f"{prose(k)}\n\n{shared}\n\n{prose(k + 10)}\n")
    calls: list[tuple[str, int, int]] = []
    scan([str(tmp_path)], Parameters(), progress=lambda *call: calls.append(call))
    stages = [what for what, _, _ in calls]
    assert stages == sorted(stages, key=["files", "candidate groups"].index)
    for what in ("files", "candidate groups"):
        mine = [(done, total) for w, done, total in calls if w == what]
        assert mine, what
        assert [done for done, _ in mine] == sorted(done for done, _ in mine)
        assert mine[-1][0] == mine[-1][1]
    assert calls[[w for w, _, _ in calls].index("candidate groups") - 1] == ("files", 4, 4)
