"""Array helpers: sort-based unique, counts and run positions."""

from __future__ import annotations

import numpy as np
import pytest

from dedupe.arrays import positions_of, unique, unique_counts


@pytest.mark.parametrize("size", [0, 1, 2, 1000])
def test_unique_and_counts_agree_with_numpy(size):
    values = np.random.default_rng(size).integers(0, 50, size).astype(np.uint64)
    assert unique(values).tolist() == np.unique(values).tolist()
    keys, counts = unique_counts(values)
    want_keys, want_counts = np.unique(values, return_counts=True)
    assert keys.tolist() == want_keys.tolist() and counts.tolist() == want_counts.tolist()


def test_positions_of_runs():
    starts, lengths = np.array([5, 0, 9]), np.array([3, 0, 2])
    assert positions_of(starts, lengths).tolist() == [5, 6, 7, 9, 10]
    assert positions_of(np.array([], dtype=int), np.array([], dtype=int)).tolist() == []
