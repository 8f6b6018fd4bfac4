"""Stage 4, sign: MinHash signatures of shingle sets, vectorised over many sets at once.

The values are exactly those of datasketch's ``MinHash`` (scheme ``affine32``, seed
``SEED``) fed the same 32-bit shingle hashes: each hash is pre-mixed with the
MurmurHash3 finalizer, permuted with ``a * h + b mod 2**32``, and the minimum per
permutation is kept. A compiled loop computes them for many token ranges of a hash
array at once (``range_signatures``); ``signatures`` returns datasketch
``LeanMinHash`` objects where datasketch's own types are used. ``band_keys`` folds each
band of a signature into one 64-bit LSH bucket key, with the ``(bands, rows)`` that
``MinHashLSH`` chooses (``lsh_bands``).

The permutations and the band choice are computed here as datasketch computes them
(tests check both against it), and datasketch is imported only by ``signatures``:
importing it imports scipy, 0.4 s of the 1.5 s that a scan of the sample corpus takes.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from ..kernels import compiled

SEED = 1
SCHEME = "affine32"
_EMPTY = np.uint32(0xFFFFFFFF)


@lru_cache(maxsize=8)
def permutations(num_perm: int) -> tuple[np.ndarray, np.ndarray]:
    """The ``(a, b)`` permutation parameters of datasketch's ``MinHash`` for ``num_perm``
    (seed ``SEED``, scheme ``affine32``): ``a`` odd, both drawn from numpy's
    ``RandomState(SEED)``."""
    generator = np.random.RandomState(SEED)
    a = generator.randint(0, 1 << 31, num_perm, dtype=np.uint32) * np.uint32(2) + np.uint32(1)
    b = generator.randint(0, 1 << 32, num_perm, dtype=np.uint32)
    return a, b


def _finalized(values: np.ndarray, shifts: tuple, multipliers: tuple) -> np.ndarray:
    """``values`` through a hash finalizer, element-wise in their unsigned type (wrapping
    arithmetic): xor-shift by ``shifts[k]`` then multiply by ``multipliers[k]``, and a
    last xor-shift."""
    for shift, multiplier in zip(shifts, multipliers, strict=False):
        values = (values ^ (values >> shift)) * multiplier
    return values ^ (values >> shifts[-1])


def _fmix32(values: np.ndarray) -> np.ndarray:
    """The MurmurHash3 32-bit finalizer."""
    return _finalized(values, _FMIX32_SHIFTS, _FMIX32_MULTIPLIERS)


_FMIX32_SHIFTS = (np.uint32(16), np.uint32(13), np.uint32(16))
_FMIX32_MULTIPLIERS = (np.uint32(0x85EBCA6B), np.uint32(0xC2B2AE35))


def signature_matrix(sets: list[np.ndarray], num_perm: int) -> np.ndarray:
    """MinHash values of each set, one row per set (``uint32``, ``num_perm`` columns).

    An empty set gets the all-maximum row, as an empty datasketch ``MinHash`` has.
    """
    lengths = np.array([len(s) for s in sets], dtype=np.int64)
    ends = np.cumsum(lengths)
    ranges = np.stack([ends - lengths, ends], axis=1)
    values = np.concatenate(sets) if sets else np.empty(0, dtype=np.uint32)
    return range_signatures(values, ranges, num_perm)


def range_signatures(
    values: np.ndarray, ranges: np.ndarray, num_perm: int, columns: int | None = None
) -> np.ndarray:
    """MinHash values of the set of ``values[start:stop]`` for each ``(start, stop)`` row
    of ``ranges``: the first ``columns`` (default all) columns of ``signature_matrix``
    of those sets, computed without building them (a minimum ignores repeats, so each
    range is the minimum over its positions). An empty range gets the all-maximum row.
    """
    a, b = permutations(num_perm)
    a, b = a[:columns], b[:columns]
    result = np.full((len(ranges), len(a)), _EMPTY, dtype=np.uint32)
    if len(ranges):
        mixed = _fmix32(values.astype(np.uint32))
        _minima_kernel()(mixed, ranges[:, 0].copy(), ranges[:, 1].copy(), a, b, result)
    return result


@lru_cache(maxsize=1)
def _minima_kernel():
    """The compiled loop behind ``range_signatures`` (numba; compiled on first use and
    cached on disk): for each range ``[starts[k], stops[k])`` of pre-mixed ``values``,
    the minimum of ``a * value + b mod 2**32`` per permutation, into row ``k`` of
    ``out``. No temporary arrays, and the permutation loop vectorises: about ten times
    faster than the same with numpy."""

    @compiled
    def minima(values, starts, stops, a, b, out):  # pragma: no cover (compiled)
        row = np.empty(len(a), dtype=np.uint32)
        for k in range(len(starts)):
            row[:] = out[k]
            for position in range(starts[k], stops[k]):
                value = values[position]
                for p in range(len(a)):
                    row[p] = min(row[p], np.uint32((a[p] * value + b[p]) & 0xFFFFFFFF))
            out[k] = row

    return minima


def signatures(shingle_sets: list[np.ndarray], num_perm: int) -> list:
    """One datasketch ``LeanMinHash`` per shingle set (the sets hold 32-bit shingle
    hashes)."""
    from datasketch import LeanMinHash  # imports scipy: only where used (module docstring)

    matrix = signature_matrix(shingle_sets, num_perm)
    return [LeanMinHash(seed=SEED, hashvalues=row, scheme=SCHEME) for row in matrix]


GOLDEN = np.uint64(0x9E3779B97F4A7C15)


@lru_cache(maxsize=64)
def lsh_bands(threshold: float, num_perm: int) -> tuple[int, int]:
    """The ``(bands, rows)`` that datasketch's ``MinHashLSH`` chooses for ``threshold`` and
    ``num_perm`` (equal weights): the first, bands ascending then rows, to minimise the
    probability of a false positive below ``threshold`` plus that of a false negative
    above it. The integrands are polynomials of degree ``bands * rows <= num_perm``, so
    Gauss-Legendre quadrature with ``num_perm // 2 + 1`` nodes integrates them exactly."""
    nodes, weights = np.polynomial.legendre.leggauss(num_perm // 2 + 1)
    below = threshold * (nodes + 1) / 2  # the nodes mapped onto [0, threshold]
    above = threshold + (1 - threshold) * (nodes + 1) / 2  # and onto [threshold, 1]
    best, chosen = np.inf, (0, 0)
    for bands in range(1, num_perm + 1):
        rows = np.arange(1, num_perm // bands + 1, dtype=np.float64)[:, None]
        false_positive = (1 - (1 - below**rows) ** bands) @ weights * threshold / 2
        false_negative = (1 - above**rows) ** bands @ weights * (1 - threshold) / 2
        error = false_positive + false_negative
        k = int(np.argmin(error))
        if error[k] < best:
            best, chosen = error[k], (bands, k + 1)
    return chosen


def mix64(values: np.ndarray) -> np.ndarray:
    """The SplitMix64 finalizer of uint64 ``values``."""
    return _finalized(values, _MIX64_SHIFTS, _MIX64_MULTIPLIERS)


_MIX64_SHIFTS = (np.uint64(30), np.uint64(27), np.uint64(31))
_MIX64_MULTIPLIERS = (np.uint64(0xBF58476D1CE4E5B9), np.uint64(0x94D049BB133111EB))


def band_keys(signatures: np.ndarray, bands: int, rows: int) -> np.ndarray:
    """The bucket key of each signature (a row of uint32 MinHash values) in each band:
    an ``(n, bands)`` uint64 array. Equal band values give equal keys; different ones
    collide with probability about 2**-64.
    """
    values = signatures[:, : bands * rows].astype(np.uint64).reshape(len(signatures), bands, rows)
    keys = np.zeros((len(signatures), bands), dtype=np.uint64)
    with np.errstate(over="ignore"):
        for row in range(rows):
            keys = mix64(keys * GOLDEN + values[:, :, row] + np.uint64(row + 1))
    return keys
