"""A progress bar on stderr for long runs (click's), out of the way of the log lines."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import TextIO

import click


class ProgressBar:
    """``progress(what, done, total)`` for ``scan``: click's progress bar on ``stream``,
    one line redrawn in place, such as ``files  [########------------]  1234/8013  15%``;
    a new ``what`` (the next phase) starts a new line.

    Nothing is drawn unless ``enabled`` (not --quiet, and the stream a terminal), nor
    before the run has lasted ``delay`` seconds, so short runs print nothing extra; the
    bar is redrawn at most every ``INTERVAL`` seconds, and always at its end. ``end()``
    ends the bar's line (it stays, as last drawn); ``log`` does so before each message,
    and leaving the ``with`` block does so too.
    """

    INTERVAL = 0.1  # seconds between redraws of one bar, at least (its last state always)
    WIDTH = 30

    def __init__(
        self,
        stream: TextIO,
        enabled: bool = True,
        delay: float = 2.0,
        clock: Callable[[], float] = time.monotonic,
    ):
        self.stream, self.enabled, self.delay, self.clock = stream, enabled, delay, clock
        self.started = clock()
        self.bar = None  # click's bar on screen, None when none
        self.what = ""
        self.drawn_at = 0.0

    @classmethod
    def on_stderr(cls, quiet: bool) -> ProgressBar:
        """A bar on stderr, enabled unless ``quiet`` or stderr is not a terminal."""
        stream = sys.stderr
        return cls(stream, enabled=not quiet and _isatty(stream))

    def __call__(self, what: str, done: int, total: int) -> None:
        if not self.enabled:
            return
        now = self.clock()
        if now - self.started < self.delay:
            return
        if self.bar is None or what != self.what or total != self.bar.length:
            self.end()
            self.bar = click.progressbar(
                length=max(total, 1), label=what, file=self.stream, width=self.WIDTH,
                show_pos=True, show_percent=True, show_eta=False,
            )  # fmt: skip
            self.what, self.drawn_at = what, 0.0
        elif done < total and now - self.drawn_at < self.INTERVAL:
            return
        self.bar.pos = min(max(done, 0), self.bar.length)
        self.bar.render_progress()
        self.drawn_at = now

    def end(self) -> None:
        """End the bar's line, if one is on screen."""
        if self.bar is not None:
            self.bar.render_finish()
            self.bar = None

    def log(self, log: Callable[[str], None]) -> Callable[[str], None]:
        """``log``, ending the bar's line before each message."""

        def logged(message: str) -> None:
            self.end()
            log(message)

        return logged

    def __enter__(self) -> ProgressBar:
        return self

    def __exit__(self, *exc) -> None:
        self.end()


def _isatty(stream) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):  # no isatty, or closed
        return False
