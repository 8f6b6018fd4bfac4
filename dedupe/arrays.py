"""Array helpers the stages share.

``unique`` and ``unique_counts`` sort and compare neighbours: for the integer arrays
dedupe handles this is many times faster than ``np.unique`` (hash based in numpy 2.x).
"""

from __future__ import annotations

import numpy as np


def code_points(text: str) -> np.ndarray:
    """The code points of ``text``, one array element each (``uint8`` for an ASCII
    text, else ``uint32``; lone surrogates kept): a character offset is an index."""
    if text.isascii():
        return np.frombuffer(text.encode("ascii"), dtype=np.uint8)
    return np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)


def runs(ordered: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Where each run of equal neighbours in a sorted 1-d array starts, and its length."""
    if not len(ordered):
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64)
    starts = np.flatnonzero(np.concatenate([[True], ordered[1:] != ordered[:-1]]))
    return starts, np.diff(np.append(starts, len(ordered)))


def unique(values: np.ndarray) -> np.ndarray:
    """The sorted distinct elements of a 1-d array."""
    ordered = np.sort(values, kind="stable")
    return ordered[runs(ordered)[0]]


def unique_counts(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The sorted distinct elements of a 1-d array and how often each occurs."""
    ordered = np.sort(values, kind="stable")
    starts, lengths = runs(ordered)
    return ordered[starts], lengths


def positions_of(starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """The positions ``start .. start + length - 1`` of each run, concatenated."""
    ends = np.cumsum(lengths)
    return np.arange(ends[-1] if len(ends) else 0) + np.repeat(starts - ends + lengths, lengths)


def covered(intervals: list[tuple[int, int]], start: int, end: int) -> int:
    """How many of the positions ``[start, end)`` the union of the ``[low, high)``
    ``intervals`` covers."""
    total, reach = 0, start
    for low, high in sorted(intervals):
        low, high = max(low, reach), min(high, end)
        if high > low:
            total += high - low
            reach = high
    return total
