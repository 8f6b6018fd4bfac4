"""Stage 4, sign: MinHash signatures of shingle sets, vectorised over many sets at once.

The values are exactly those of datasketch's ``MinHash`` (scheme ``affine32``, seed
``SEED``) fed the same 32-bit shingle hashes: each hash is pre-mixed with the
MurmurHash3 finalizer, permuted with ``a * h + b mod 2**32``, and the minimum per
permutation is kept. Computing them with numpy over a whole batch of sets avoids a
Python-level loop per shingle; the signatures are returned as datasketch
``LeanMinHash`` objects for LSH.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from datasketch import LeanMinHash, MinHash

SEED = 1
SCHEME = "affine32"
BATCH_CELLS = 1 << 16  # shingles x permutations per numpy batch: small enough for the cache
_EMPTY = np.uint32(0xFFFFFFFF)


@lru_cache(maxsize=8)
def permutations(num_perm: int) -> tuple[np.ndarray, np.ndarray]:
    """The ``(a, b)`` permutation parameters datasketch uses for ``num_perm``."""
    a, b = MinHash(num_perm=num_perm, seed=SEED, scheme=SCHEME).permutations
    return a.astype(np.uint32), b.astype(np.uint32)


def _fmix32(values: np.ndarray) -> np.ndarray:
    """The MurmurHash3 32-bit finalizer, element-wise (wrapping arithmetic)."""
    values = values ^ (values >> np.uint32(16))
    values = values * np.uint32(0x85EBCA6B)
    values = values ^ (values >> np.uint32(13))
    values = values * np.uint32(0xC2B2AE35)
    return values ^ (values >> np.uint32(16))


def signature_matrix(sets: list[np.ndarray], num_perm: int) -> np.ndarray:
    """MinHash values of each set, one row per set (``uint32``, ``num_perm`` columns).

    An empty set gets the all-maximum row, as an empty datasketch ``MinHash`` has.
    """
    a, b = permutations(num_perm)
    result = np.full((len(sets), num_perm), _EMPTY, dtype=np.uint32)
    for rows in _batches([len(s) for s in sets], BATCH_CELLS // num_perm):
        chosen = [k for k in rows if len(sets[k])]
        if not chosen:
            continue
        values = _fmix32(np.concatenate([sets[k] for k in chosen]).astype(np.uint32))
        with np.errstate(over="ignore"):
            permuted = values[:, None] * a[None, :] + b[None, :]
        starts = np.cumsum([0] + [len(sets[k]) for k in chosen[:-1]])
        result[chosen] = np.minimum.reduceat(permuted, starts, axis=0)
    return result


def _batches(sizes: list[int], limit: int) -> list[list[int]]:
    """Consecutive runs of indices whose sizes add up to about ``limit`` (at least one)."""
    batches: list[list[int]] = [[]]
    total = 0
    for k, size in enumerate(sizes):
        if batches[-1] and total + size > limit:
            batches.append([])
            total = 0
        batches[-1].append(k)
        total += size
    return batches


def signatures(shingle_sets: list[np.ndarray], num_perm: int) -> list[LeanMinHash]:
    """One ``LeanMinHash`` per shingle set (the sets hold 32-bit shingle hashes)."""
    matrix = signature_matrix(shingle_sets, num_perm)
    return [LeanMinHash(seed=SEED, hashvalues=row, scheme=SCHEME) for row in matrix]


def nonempty_signatures(shingle_sets: list[np.ndarray], num_perm: int) -> list[LeanMinHash | None]:
    """``signatures`` of the non-empty sets, None in place of an empty one (whose
    all-maximum sketch would collide with every other empty set)."""
    return [
        sig if len(values) else None
        for values, sig in zip(shingle_sets, signatures(shingle_sets, num_perm), strict=True)
    ]
