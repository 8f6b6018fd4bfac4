"""Stage 6a, verify: exact Jaccard and containment of candidate pairs."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from dedupe.match.verify import (
    SegmentMatch,
    idf_weights,
    ordered_similarity,
    overlap,
    verify,
    verify_weighted,
    weighted_similarity,
)


def _a(*values: int) -> np.ndarray:
    return np.array(sorted(values), dtype=np.uint32)


@pytest.mark.parametrize(
    ("a", "b", "jaccard", "containment"),
    [
        (_a(1, 2, 3), _a(1, 2, 3), 1.0, 1.0),
        (_a(1, 2, 3), _a(2, 3, 4), 2 / 4, 2 / 3),
        (_a(1, 2), _a(1, 2, 3, 4), 2 / 4, 1.0),
        (_a(1, 2, 3, 4, 5, 6, 7, 8, 9, 10), _a(10, 11), 1 / 11, 1 / 2),
        (_a(1, 2, 3), _a(4, 5, 6), 0.0, 0.0),
        (_a(), _a(1, 2), 0.0, 0.0),
        (_a(), _a(), 0.0, 0.0),
    ],
)
def test_overlap_exact_values(a, b, jaccard, containment):
    assert overlap(a, b) == pytest.approx((jaccard, containment))
    assert overlap(b, a) == pytest.approx((jaccard, containment))


@given(
    a=st.sets(st.integers(0, 50), max_size=30),
    b=st.sets(st.integers(0, 50), max_size=30),
)
def test_overlap_agrees_with_python_sets(a, b):
    jaccard, containment = overlap(_a(*a), _a(*b))
    if a and b:
        assert jaccard == pytest.approx(len(a & b) / len(a | b))
        assert containment == pytest.approx(len(a & b) / min(len(a), len(b)))
    else:
        assert (jaccard, containment) == (0.0, 0.0)
    assert 0.0 <= jaccard <= containment <= 1.0


SETS = [
    _a(1, 2, 3, 4),  # 0
    _a(1, 2, 3, 5),  # 1: Jaccard 3/5 with 0, containment 3/4
    _a(1, 2),  # 2: inside 0 (containment 1), Jaccard 2/4 with 0
    _a(7, 8, 9),  # 3: nothing shared
]


def test_verify_keeps_pairs_reaching_the_threshold_on_either_measure():
    pairs = [(0, 1), (0, 2), (0, 3)]
    assert verify(pairs, SETS, threshold=0.6) == [
        SegmentMatch(0, 1, pytest.approx(0.6), pytest.approx(0.75)),
        SegmentMatch(0, 2, pytest.approx(0.5), pytest.approx(1.0)),
    ]


def test_verify_threshold_is_inclusive_and_drops_below_it():
    # Pair (0, 1): Jaccard 0.6, containment 0.75.
    assert [(m.a, m.b) for m in verify([(0, 1)], SETS, threshold=0.75)] == [(0, 1)]
    assert verify([(0, 1)], SETS, threshold=0.76) == []
    # Pair (0, 2) is kept on containment alone, however high the threshold.
    assert [(m.a, m.b) for m in verify([(0, 2)], SETS, threshold=1.0)] == [(0, 2)]
    assert verify([(0, 3)], SETS, threshold=0.01) == []


def test_verify_keeps_the_order_of_the_candidates():
    pairs = [(1, 2), (0, 2), (0, 1)]
    assert [(m.a, m.b) for m in verify(pairs, SETS, threshold=0.1)] == pairs


# --- rarity weights (the paraphrase family) -----------------------------------------


def test_idf_weights_zero_for_shingles_in_more_than_half_the_sets():
    sets = [_a(1, 2, 3), _a(1, 2), _a(1, 4), _a(5)]
    weights = idf_weights(sets)
    assert weights.keys.tolist() == [1, 2, 3, 4, 5]
    # 1 is in 3 of 4 sets: common vocabulary. 2 is in exactly half: log(4 / 2).
    assert weights.values.tolist() == pytest.approx(
        [0.0, math.log(2), math.log(4), math.log(4), math.log(4)]
    )
    assert weights.of(_a(1, 3, 99)).tolist() == pytest.approx([0.0, math.log(4), math.log(4)])
    assert weights.unseen == pytest.approx(math.log(4))


def _weighted(a: np.ndarray, b: np.ndarray, weights) -> float:
    return float(weighted_similarity(np.array([(0, 1)]), [a, b], weights)[0])


def test_weighted_similarity_counts_rare_shingles_more():
    sets = [_a(1, 2, 3), _a(1, 2), _a(1, 4), _a(5)]
    weights = idf_weights(sets)
    log2, log4 = math.log(2), math.log(4)
    # Sharing 1 (weight 0) and 2 (log 2) out of {1, 2, 3, 4}.
    expected = log2 / (log2 + log4 + log4)
    assert _weighted(_a(1, 2, 3), _a(1, 2, 4), weights) == pytest.approx(expected)
    # Sharing only the common shingle counts for nothing.
    assert _weighted(_a(1, 3), _a(1, 4), weights) == 0.0
    # Only weightless shingles on both sides: 0, not a division by zero.
    assert _weighted(_a(1), _a(1), weights) == 0.0
    assert _weighted(_a(3, 4), _a(3, 4), weights) == pytest.approx(1.0)


def test_verify_weighted_keeps_pairs_reaching_the_threshold():
    sets = [_a(1, 2, 3), _a(1, 2, 4), _a(3, 4), _a(3, 4)]
    weights = idf_weights(sets + [_a(9)] * 4)
    # Over 8 sets: 1 and 2 weigh log(8 / 2), 3 and 4 weigh log(8 / 3). Pair (0, 1)
    # shares 1 and 2 of 1..4: 2 log 4 / (2 log 4 + 2 log 8/3), about 0.59.
    log4, log83 = math.log(4), math.log(8 / 3)
    assert _weighted(sets[0], sets[1], weights) == pytest.approx(log4 / (log4 + log83))
    found = verify_weighted([(0, 1), (2, 3)], sets, weights, threshold=0.6)
    assert [(m.a, m.b) for m in found] == [(2, 3)]
    assert found[0].jaccard == pytest.approx(1.0)
    assert found[0].containment == 1.0


def test_ordered_similarity_rewards_the_same_order():
    keys = np.array([11, 12, 13, 14, 15, 16], dtype=np.uint32)
    weights = idf_weights([_a(k) for k in range(11, 17)] + [_a(99)] * 6)
    assert ordered_similarity(keys, keys, weights) == pytest.approx(1.0)
    shuffled = keys[[5, 4, 3, 2, 1, 0]]
    # Reversed: only one word can be matched in order.
    assert ordered_similarity(keys, shuffled, weights) == pytest.approx(1 / 6)
    half = keys[:3]
    assert ordered_similarity(keys, half, weights) == pytest.approx(3 / 4.5)
    empty = np.array([], dtype=np.uint32)
    assert ordered_similarity(empty, empty, weights) == 0.0


def test_weights_learnt_from_nothing_weigh_nothing():
    weights = idf_weights([])
    assert weights.of(_a(1, 2)).tolist() == [0.0, 0.0]
    assert _weighted(_a(1, 2), _a(2, 3), weights) == 0.0
