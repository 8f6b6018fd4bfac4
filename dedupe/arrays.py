"""Array helpers the stages share.

``unique`` and ``unique_counts`` sort and compare neighbours: for the integer arrays
dedupe handles this is many times faster than ``np.unique`` (hash based in numpy 2.x).
"""

from __future__ import annotations

import numpy as np


def _firsts(ordered: np.ndarray) -> np.ndarray:
    return np.concatenate([[True], ordered[1:] != ordered[:-1]]) if len(ordered) else ordered == 0


def unique(values: np.ndarray) -> np.ndarray:
    """The sorted distinct elements of a 1-d array."""
    ordered = np.sort(values, kind="stable")
    return ordered[_firsts(ordered)]


def unique_counts(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The sorted distinct elements of a 1-d array and how often each occurs."""
    ordered = np.sort(values, kind="stable")
    starts = np.flatnonzero(_firsts(ordered))
    return ordered[starts], np.diff(np.append(starts, len(ordered)))


def positions_of(starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """The positions ``start .. start + length - 1`` of each run, concatenated."""
    ends = np.cumsum(lengths)
    return np.arange(ends[-1] if len(ends) else 0) + np.repeat(starts - ends + lengths, lengths)
