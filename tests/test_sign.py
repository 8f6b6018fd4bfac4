"""Stage 4, sign: MinHash signatures of shingle sets."""

from __future__ import annotations

import numpy as np
import pytest
from datasketch import LeanMinHash

from dedupe.text.sign import signatures


def _random_values(count: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    values = np.unique(rng.integers(0, 2**32, size=count * 2, dtype=np.uint64).astype(np.uint32))
    return rng.permutation(values)[:count]


def _pair_with_jaccard(shared: int, only: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Two sets with ``shared`` common values and ``only`` values each of their own."""
    pool = _random_values(shared + 2 * only, seed)
    common, a, b = pool[:shared], pool[shared : shared + only], pool[shared + only :]
    return np.sort(np.concatenate([common, a])), np.sort(np.concatenate([common, b]))


@pytest.mark.parametrize(
    ("shared", "only"),
    [(100, 0), (300, 100), (200, 200), (100, 300), (60, 540), (0, 300)],
)
def test_estimated_jaccard_is_close_to_the_exact_one(shared, only):
    a, b = _pair_with_jaccard(shared, only, seed=shared * 1000 + only)
    exact = len(np.intersect1d(a, b)) / len(np.union1d(a, b))
    assert exact == pytest.approx(shared / (shared + 2 * only))
    sig_a, sig_b = signatures([a, b], num_perm=128)
    assert abs(sig_a.jaccard(sig_b) - exact) <= 0.15


def test_identical_sets_estimate_one():
    a = _random_values(50, seed=1)
    sig_a, sig_b = signatures([np.sort(a), a.copy()], num_perm=64)
    assert sig_a.jaccard(sig_b) == 1.0


def test_one_lean_minhash_per_set_with_num_perm_values():
    sets = [_random_values(k, seed=k) for k in (5, 20, 80)]
    sigs = signatures(sets, num_perm=32)
    assert len(sigs) == 3
    assert all(isinstance(s, LeanMinHash) and len(s.hashvalues) == 32 for s in sigs)
    assert signatures([], num_perm=32) == []


def test_signatures_are_deterministic_across_calls():
    sets = [_random_values(40, seed=s) for s in range(4)]
    first = signatures(sets, num_perm=128)
    second = signatures([s.copy() for s in sets], num_perm=128)
    for x, y in zip(first, second, strict=True):
        assert np.array_equal(x.hashvalues, y.hashvalues)
        assert x.seed == y.seed


def test_signature_depends_on_the_set_not_its_order():
    values = _random_values(30, seed=9)
    sig_sorted, sig_shuffled = signatures([np.sort(values), values], num_perm=64)
    assert np.array_equal(sig_sorted.hashvalues, sig_shuffled.hashvalues)


def test_vectorised_signatures_equal_datasketch_minhash_values():
    from datasketch import MinHash

    from dedupe.text.sign import SEED, signature_matrix

    rng = np.random.default_rng(3)
    sets = [
        np.unique(rng.integers(0, 2**32, size, dtype=np.uint32)) for size in [1, 2, 50, 300, 7]
    ] + [np.empty(0, dtype=np.uint32)]
    matrix = signature_matrix(sets, 64)
    for row, values in zip(matrix, sets, strict=True):
        reference = MinHash(num_perm=64, seed=SEED, hashfunc=lambda v: v)
        reference.update_batch(values.tolist())
        assert row.tolist() == reference.hashvalues.tolist()


@pytest.mark.parametrize("seed", range(5))
def test_range_signatures_are_the_signatures_of_the_ranges_sets(seed):
    from dedupe.text.sign import range_signatures, signature_matrix

    rng = np.random.default_rng(seed)
    # Few distinct values, so ranges repeat values; ranges overlap, nest and are empty.
    values = rng.integers(0, 40 if seed % 2 else 2**32, 400, dtype=np.uint64).astype(np.uint32)
    starts = rng.integers(0, 400, 30)
    ranges = np.stack([starts, np.minimum(starts + rng.integers(0, 120, 30), 400)], axis=1)
    ranges[0] = (17, 17)
    expected = signature_matrix([np.unique(values[a:b]) for a, b in ranges], 128)
    assert (range_signatures(values, ranges, 128) == expected).all()
    assert (range_signatures(values, ranges, 128, columns=33) == expected[:, :33]).all()
    assert (expected[0] == np.iinfo(np.uint32).max).all()


@pytest.mark.parametrize("num_perm", [16, 17, 64, 128, 256])
def test_permutations_are_datasketchs(num_perm):
    from datasketch import MinHash

    from dedupe.text.sign import SCHEME, SEED, permutations

    a, b = MinHash(num_perm=num_perm, seed=SEED, scheme=SCHEME).permutations
    ours = permutations(num_perm)
    assert [x.dtype for x in ours] == [np.uint32, np.uint32]
    assert ours[0].tolist() == a.tolist() and ours[1].tolist() == b.tolist()


@pytest.mark.parametrize("num_perm", [16, 64, 128, 256])
def test_bands_and_rows_are_those_datasketch_chooses(num_perm):
    from datasketch import MinHashLSH

    from dedupe.text.sign import lsh_bands

    for threshold in np.round(np.arange(0.05, 1.0, 0.05), 2).tolist():
        try:
            lsh = MinHashLSH(threshold=threshold, num_perm=num_perm)
        except ValueError:  # datasketch refuses a single band; one band is still an index
            assert lsh_bands(threshold, num_perm)[0] == 1
            continue
        assert lsh_bands(threshold, num_perm) == (lsh.b, lsh.r), threshold
