"""In-order matching of two sequences: the same blocks and edit script as difflib."""

from __future__ import annotations

from difflib import SequenceMatcher

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from dedupe.match.sequence import matching_blocks, opcodes

SEQUENCE = st.lists(st.integers(0, 6), max_size=60)


def _difflib(a: list[int], b: list[int]) -> SequenceMatcher:
    return SequenceMatcher(None, a, b, autojunk=False)


@settings(max_examples=400, deadline=None)
@given(SEQUENCE, SEQUENCE)
def test_matching_blocks_are_difflibs(a, b):
    expected = [tuple(m) for m in _difflib(a, b).get_matching_blocks()][:-1]
    assert matching_blocks(np.array(a, dtype=np.int64), np.array(b, dtype=np.int64)) == expected


@settings(max_examples=200, deadline=None)
@given(SEQUENCE, SEQUENCE)
def test_opcodes_are_difflibs(a, b):
    blocks = matching_blocks(np.array(a, dtype=np.int64), np.array(b, dtype=np.int64))
    assert opcodes(blocks, len(a), len(b)) == _difflib(a, b).get_opcodes()


def test_long_sequences_with_repeats_match_as_difflib():
    rng = np.random.default_rng(3)
    a = rng.integers(0, 50, 3000)
    b = np.concatenate([a[500:1500], rng.integers(0, 50, 200), a[:400], a[2000:]])
    expected = [tuple(m) for m in _difflib(a.tolist(), b.tolist()).get_matching_blocks()][:-1]
    assert matching_blocks(a, b) == expected
