"""A progress bar on stderr for long runs, out of the way of the log lines."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import TextIO


class ProgressBar:
    """``progress(what, done, total)`` for ``scan``: one line on ``stream``, redrawn in
    place with a carriage return, such as ``files  1234/8013 [====>     ]  15%``.

    Nothing is drawn unless ``enabled`` (not --quiet, and the stream a terminal), nor
    before the run has lasted ``delay`` seconds, so short runs print nothing extra.
    ``end()`` ends the bar's line (it stays, as last drawn); ``log`` does so before each
    message, and leaving the ``with`` block does so too.
    """

    WIDTH = 30
    INTERVAL = 0.1  # seconds between redraws of one bar, at least (its last state always)

    def __init__(
        self,
        stream: TextIO,
        enabled: bool = True,
        delay: float = 2.0,
        clock: Callable[[], float] = time.monotonic,
    ):
        self.stream, self.enabled, self.delay, self.clock = stream, enabled, delay, clock
        self.started = clock()
        self.shown = ""  # the line on screen, "" when none
        self.drawn_at = 0.0

    @classmethod
    def on_stderr(cls, quiet: bool) -> ProgressBar:
        """A bar on stderr, enabled unless ``quiet`` or stderr is not a terminal."""
        stream = sys.stderr
        return cls(stream, enabled=not quiet and _isatty(stream))

    @classmethod
    def line(cls, what: str, done: int, total: int) -> str:
        """The bar's text, such as ``files  1234/8013 [====>     ]  15%``."""
        share = min(max(done / total, 0.0), 1.0) if total > 0 else 1.0
        filled = int(share * cls.WIDTH)
        bar = ("=" * filled + ">").ljust(cls.WIDTH)[: cls.WIDTH]
        return f"{what}  {done:>{len(str(total))}}/{total} [{bar}] {share:4.0%}"

    def __call__(self, what: str, done: int, total: int) -> None:
        if not self.enabled:
            return
        now = self.clock()
        if now - self.started < self.delay:
            return
        line = self.line(what, done, total)
        same_bar = self.shown.startswith(f"{what}  ")
        if line == self.shown or (
            same_bar and done < total and now - self.drawn_at < self.INTERVAL
        ):
            return
        pad = " " * max(0, len(self.shown) - len(line))
        self.stream.write(f"\r{line}{pad}")
        self.stream.flush()
        self.shown, self.drawn_at = line, now

    def end(self) -> None:
        """End the bar's line, if one is on screen."""
        if self.shown:
            self.stream.write("\n")
            self.stream.flush()
            self.shown = ""

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
