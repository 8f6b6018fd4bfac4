"""Content words shared in the same order: chaining across function words, snapping to
sentences, and the compiled loops equal to the plain ones they replaced."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from dedupe.match.align import (
    MIN_ANCHORS,
    Alignment,
    Span,
    chain_boxes,
    merge_close,
)
from dedupe.match.ordered import ordered_matches, ordered_runs, snap
from dedupe.match.sequence import matching_blocks

from .test_align import _box, _spans


def test_ordered_matches_chains_content_words_in_order_across_function_words():
    # 0 marks a function word; content keys 1..5 appear in the same order on both sides.
    keys_a = np.array([1, 0, 2, 0, 3, 0, 4, 0, 5], dtype=np.int64)
    keys_b = np.array([9, 1, 0, 2, 3, 0, 4, 5], dtype=np.int64)
    region = _box(0, 9, 0, 8)
    (found,) = ordered_matches(region, keys_a, keys_b, max_gap=5)
    assert _spans([found]) == [(0, 9, 1, 8)]
    assert found.support == 5


def test_ordered_matches_needs_two_words_in_order():
    keys_a = np.array([1, 0, 2, 0, 3], dtype=np.int64)
    keys_b = np.array([3, 0, 7, 0, 8], dtype=np.int64)  # one shared word only
    assert ordered_matches(_box(0, 5, 0, 5), keys_a, keys_b, max_gap=5) == []


def test_snap_widens_a_span_to_whole_sentences():
    bounds = np.array([0, 10, 20, 30])
    assert snap(Span(2, 12, 25), bounds) == Span(2, 10, 30)
    assert snap(Span(2, 10, 20), bounds) == Span(2, 10, 20)
    assert snap(Span(2, 0, 1), bounds) == Span(2, 0, 10)


def plain_ordered_matches(region, keys_a, keys_b, max_gap):
    a, b = region.a, region.b
    pos_a = a.start + np.flatnonzero(keys_a[a.start : a.end])
    pos_b = b.start + np.flatnonzero(keys_b[b.start : b.end])
    blocks = matching_blocks(keys_a[pos_a], keys_b[pos_b])
    if not blocks:
        return []
    i = np.concatenate([pos_a[start : start + size] for start, _, size in blocks])
    j = np.concatenate([pos_b[start : start + size] for _, start, size in blocks])
    boxes = [
        Alignment(Span(a.doc, i0, i1 + 1), Span(b.doc, j0, j1 + 1), count)
        for i0, j0, i1, j1, count in chain_boxes(i, j, max_gap, max_gap)
        if count >= MIN_ANCHORS
    ]
    return merge_close(boxes, max_gap)


def plain_ordered_runs(windows, keys_a, keys_b, bounds_a, bounds_b, max_gap):
    snapped = [
        Alignment(snap(m.a, bounds_a), snap(m.b, bounds_b), m.support)
        for region in merge_close(windows, max_gap)
        for m in plain_ordered_matches(region, keys_a, keys_b, max_gap)
    ]
    return merge_close(snapped, max_gap)


@st.composite
def keyed_pair(draw):
    """Content keys of two documents (0: a function word; few distinct keys, so that
    runs in the same order are common), their sentence starts and some windows."""
    sizes = draw(st.tuples(st.integers(1, 60), st.integers(1, 60)))
    keys = [
        np.array(draw(st.lists(st.integers(0, 6), min_size=n, max_size=n)), dtype=np.uint32)
        for n in sizes
    ]
    bounds = [
        np.array(sorted({0, n} | set(draw(st.lists(st.integers(0, n), max_size=8))))) for n in sizes
    ]
    windows = []
    for _ in range(draw(st.integers(1, 5))):
        a0, a1 = sorted(draw(st.tuples(st.integers(0, sizes[0]), st.integers(0, sizes[0]))))
        b0, b1 = sorted(draw(st.tuples(st.integers(0, sizes[1]), st.integers(0, sizes[1]))))
        windows.append(Alignment(Span(0, a0, a1), Span(1, b0, b1)))
    return keys, bounds, windows, draw(st.integers(1, 6))


@settings(max_examples=300, deadline=None)
@given(keyed_pair())
def test_the_compiled_ordered_matches_and_runs_equal_the_plain_loops(case):
    (keys_a, keys_b), (bounds_a, bounds_b), windows, max_gap = case
    for region in windows:
        assert ordered_matches(region, keys_a, keys_b, max_gap) == plain_ordered_matches(
            region, keys_a, keys_b, max_gap
        )
    assert ordered_runs(windows, keys_a, keys_b, bounds_a, bounds_b, max_gap) == (
        plain_ordered_runs(windows, keys_a, keys_b, bounds_a, bounds_b, max_gap)
    )
