"""Stage 5, candidates: LSH pairs of segments from different documents."""

from __future__ import annotations

import numpy as np
from datasketch import MinHashLSH

from dedupe.match.candidates import BandStore, bucket_pairs, candidate_pairs
from dedupe.text.sign import band_keys, lsh_bands, signature_matrix, signatures

NUM_PERM = 128


def _values(count: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return np.unique(rng.integers(0, 2**32, size=count, dtype=np.uint64).astype(np.uint32))


def _edited(values: np.ndarray, changed: int, seed: int) -> np.ndarray:
    """``values`` with ``changed`` of them replaced by fresh ones."""
    rng = np.random.default_rng(seed)
    keep = rng.permutation(values)[changed:]
    return np.unique(np.concatenate([keep, _values(changed, seed + 1000)]))


def _pairs(sets: list[np.ndarray], docs: list[int], threshold: float = 0.3):
    bands, rows = lsh_bands(threshold, NUM_PERM)
    keys = band_keys(signature_matrix(sets, NUM_PERM), bands, rows)
    return [tuple(p) for p in candidate_pairs(keys, np.array(docs)).tolist()]


def test_near_identical_segments_of_different_documents_are_paired():
    base = _values(120, seed=1)
    near = _edited(base, 10, seed=2)
    other = _values(120, seed=3)
    # Segments 0 and 2 are near copies; 1 and 3 are unrelated to everything.
    assert _pairs([base, other, near, _values(80, seed=4)], [0, 0, 1, 1]) == [(0, 2)]


def test_segments_of_the_same_document_are_never_paired():
    base = _values(100, seed=5)
    sets = [base, base.copy(), _edited(base, 3, seed=6)]
    assert _pairs(sets, [4, 4, 4]) == []
    # The same sets spread over two documents: only the cross-document pairs.
    assert _pairs(sets, [4, 4, 9]) == [(0, 2), (1, 2)]


def test_unrelated_random_sets_are_not_paired():
    sets = [_values(100, seed=s) for s in range(20)]
    assert _pairs(sets, list(range(20))) == []


def test_pairs_are_sorted_with_the_smaller_index_first():
    base = _values(100, seed=11)
    sets = [_values(50, seed=12), base, _values(50, seed=13), base.copy(), base.copy()]
    result = _pairs(sets, [0, 1, 2, 3, 4])
    assert result == [(1, 3), (1, 4), (3, 4)]


def test_threshold_tunes_what_is_paired():
    base = _values(200, seed=21)
    # Jaccard of base with a copy that keeps 60 of 200 values: 60 / 340, about 0.18.
    far = _edited(base, 140, seed=22)
    exact = len(np.intersect1d(base, far)) / len(np.union1d(base, far))
    assert 0.15 < exact < 0.2
    assert _pairs([base, far], [0, 1], threshold=0.9) == []
    assert _pairs([base, far], [0, 1], threshold=0.1) == [(0, 1)]


def _datasketch_pairs(sets: list[np.ndarray], threshold: float) -> set[tuple[int, int]]:
    """Pairs sharing a bucket of datasketch's own ``MinHashLSH``."""
    lsh = MinHashLSH(threshold=threshold, num_perm=NUM_PERM)
    for k, sig in enumerate(signatures(sets, NUM_PERM)):
        lsh.insert(k, sig)
    pairs = set()
    for table in lsh.hashtables:
        for bucket in table.keys():  # noqa: SIM118 (a datasketch storage, not a dict)
            members = sorted(table.get(bucket))
            pairs.update((a, b) for i, a in enumerate(members) for b in members[i + 1 :])
    return pairs


def test_buckets_are_those_of_datasketch_minhashlsh():
    rng = np.random.default_rng(7)
    # Families of edited copies at many similarities, plus unrelated sets.
    sets = []
    for family in range(12):
        base = _values(int(rng.integers(20, 150)), seed=100 + family)
        sets.append(base)
        for copy in range(4):
            sets.append(
                _edited(base, int(rng.integers(0, len(base))), seed=1000 + 10 * family + copy)
            )
    for threshold in (0.15, 0.3, 0.5, 0.8):
        expected = _datasketch_pairs(sets, threshold)
        assert expected, "the sets must collide somewhere for the comparison to mean anything"
        assert set(_pairs(sets, list(range(len(sets))), threshold)) == expected


def test_crowded_buckets_are_passed_over():
    keys = np.array([5, 5, 5, 9, 9, 1], dtype=np.uint64)
    docs = np.array([0, 1, 2, 3, 4, 5])
    assert sorted(map(tuple, bucket_pairs(keys, docs).tolist())) == [(0, 1), (0, 2), (1, 2), (3, 4)]
    assert sorted(map(tuple, bucket_pairs(keys, docs, max_bucket=2).tolist())) == [(3, 4)]


def test_band_store_gives_back_each_band_in_row_order(tmp_path):
    store = BandStore(str(tmp_path / "bands"))
    first = np.arange(12, dtype=np.uint64).reshape(4, 3)
    second = np.arange(100, 106, dtype=np.uint64).reshape(2, 3)
    store.append(first)
    store.append(second)
    assert store.bands == 3
    for band in range(3):
        assert store.band(band).tolist() == np.concatenate([first, second])[:, band].tolist()
