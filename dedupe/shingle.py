"""Stage 3, shingle: word n-grams hashed with xxhash into 32-bit integers.

``ngram_hashes`` hashes every n-gram of a document once; a segment's shingle set is
the unique values over its token range, so overlapping windows cost no rehashing.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import xxhash

_MULTIPLIER = np.uint64(0x9E3779B97F4A7C15)


@lru_cache(maxsize=1 << 18)
def _word_hash(word: str) -> int:
    return xxhash.xxh3_64_intdigest(word.encode("utf-8"))


def word_hashes(words: list[str]) -> np.ndarray:
    """64-bit xxhash of each word, as a uint64 array."""
    return np.fromiter((_word_hash(w) for w in words), dtype=np.uint64, count=len(words))


def ngram_hashes(hashes: np.ndarray, n: int) -> np.ndarray:
    """32-bit hash of each run of ``n`` consecutive words (uint32, ``len - n + 1`` values).

    Entry ``i`` hashes words ``i .. i+n-1`` in order; equal n-grams give equal values
    wherever they occur.
    """
    count = len(hashes) - n + 1
    if count <= 0:
        return np.empty(0, dtype=np.uint32)
    combined = hashes[:count].copy()
    with np.errstate(over="ignore"):
        for k in range(1, n):
            combined = combined * _MULTIPLIER + hashes[k : k + count]
    return ((combined >> np.uint64(32)) ^ combined).astype(np.uint32)


def shingle_set(ngrams: np.ndarray, start: int, end: int, n: int) -> np.ndarray:
    """Sorted unique n-gram hashes of the tokens ``[start, end)`` (empty if fewer than n)."""
    return np.unique(ngrams[start : max(start, end - n + 1)])
