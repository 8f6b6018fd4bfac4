"""Stage 6a, verify: exact similarity of candidate pairs' shingle sets."""

from __future__ import annotations

from dataclasses import dataclass
from difflib import SequenceMatcher

import numpy as np
from scipy import sparse


@dataclass(frozen=True)
class SegmentMatch:
    """Two segments (by index) and the exact Jaccard and containment of their shingles.

    ``containment`` is the share of the smaller set found in the larger one.
    """

    a: int
    b: int
    jaccard: float
    containment: float


def overlap(a: np.ndarray, b: np.ndarray) -> tuple[float, float]:
    """Jaccard and containment (of the smaller in the larger) of two sorted unique arrays."""
    if len(a) == 0 or len(b) == 0:
        return 0.0, 0.0
    shared = len(np.intersect1d(a, b, assume_unique=True))
    return shared / (len(a) + len(b) - shared), shared / min(len(a), len(b))


PAIR_CHUNK = 50_000


def _membership(sets: list[np.ndarray]) -> tuple[sparse.csr_matrix, np.ndarray]:
    """A 0/1 matrix, one row per set and one column per distinct shingle, and the sorted
    shingles the columns stand for."""
    columns = np.unique(np.concatenate(sets)) if sets else np.empty(0, dtype=np.uint32)
    lengths = np.array([len(s) for s in sets], dtype=np.int64)
    indptr = np.concatenate([[0], np.cumsum(lengths)])
    indices = np.searchsorted(columns, np.concatenate(sets)) if sets else np.empty(0)
    data = np.ones(len(indices))
    return sparse.csr_matrix((data, indices, indptr), shape=(len(sets), len(columns))), columns


def shared_weight(
    pairs: list[tuple[int, int]], sets: list[np.ndarray], weights: Weights | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For each pair of set indices, the total weight of the shingles both sets hold, and
    the total weights of the two sets (weight 1 per shingle when ``weights`` is None).

    Vectorised over the pairs with a sparse membership matrix, in chunks.
    """
    if not pairs:
        empty = np.empty(0)
        return empty, empty, empty
    matrix, columns = _membership(sets)
    column_weight = np.ones(len(columns)) if weights is None else weights.of(columns)
    weighted = matrix.multiply(column_weight).tocsr()
    totals = np.asarray(weighted.sum(axis=1)).ravel()
    index = np.asarray(pairs, dtype=np.int64)
    shared = np.concatenate(
        [
            np.asarray(matrix[chunk[:, 0]].multiply(weighted[chunk[:, 1]]).sum(axis=1)).ravel()
            for chunk in np.array_split(index, max(1, len(index) // PAIR_CHUNK))
        ]
    )
    return shared, totals[index[:, 0]], totals[index[:, 1]]


def verify(
    pairs: list[tuple[int, int]], shingle_sets: list[np.ndarray], threshold: float
) -> list[SegmentMatch]:
    """The candidate pairs whose Jaccard or containment reaches ``threshold``."""
    shared, size_a, size_b = shared_weight(pairs, shingle_sets)
    with np.errstate(divide="ignore", invalid="ignore"):
        jaccard = np.nan_to_num(shared / (size_a + size_b - shared))
        containment = np.nan_to_num(shared / np.minimum(size_a, size_b))
    keep = np.flatnonzero(np.maximum(jaccard, containment) >= threshold)
    return [
        SegmentMatch(pairs[k][0], pairs[k][1], float(jaccard[k]), float(containment[k]))
        for k in keep
    ]


@dataclass(frozen=True, eq=False)
class Weights:
    """Rarity weights of shingles, learnt from the collection being scanned.

    ``keys`` is sorted; ``values[k]`` is the inverse document frequency of ``keys[k]``
    over the segments, ``log(N / df)``, except that a shingle found in more than half
    the segments weighs nothing: it is the collection's common vocabulary.
    """

    keys: np.ndarray
    values: np.ndarray

    def of(self, shingles: np.ndarray) -> np.ndarray:
        """Weights of ``shingles`` (unknown shingles weigh as if seen once)."""
        if len(self.keys) == 0:
            return np.zeros(len(shingles))
        pos = np.searchsorted(self.keys, shingles)
        pos = np.minimum(pos, len(self.keys) - 1)
        found = self.keys[pos] == shingles
        return np.where(found, self.values[pos], self.unseen)

    @property
    def unseen(self) -> float:
        return float(self.values.max()) if len(self.values) else 0.0


def idf_weights(sets: list[np.ndarray]) -> Weights:
    """Rarity weight of every shingle over ``sets`` (unique arrays); see ``Weights``."""
    if not sets:
        return Weights(np.empty(0, dtype=np.uint32), np.empty(0))
    keys, counts = np.unique(np.concatenate(sets), return_counts=True)
    idf = np.log(len(sets) / counts)
    return Weights(keys, np.where(counts * 2 > len(sets), 0.0, idf))


def weighted_jaccard(a: np.ndarray, b: np.ndarray, weights: Weights) -> float:
    """Rarity-weighted Jaccard of two sorted unique arrays: the weight of the shared
    shingles over the weight of all of them (0 when both weigh nothing). The measure
    ``verify_weighted`` computes for many pairs at once.
    """
    union = np.union1d(a, b)
    total = weights.of(union).sum()
    if total <= 0:
        return 0.0
    return float(weights.of(np.intersect1d(a, b, assume_unique=True)).sum() / total)


def verify_weighted(
    pairs: list[tuple[int, int]], sets: list[np.ndarray], weights: Weights, threshold: float
) -> list[SegmentMatch]:
    """The candidate pairs whose rarity-weighted Jaccard reaches ``threshold``.

    The ``jaccard`` field of each match holds the weighted value.
    """
    shared, weight_a, weight_b = shared_weight(pairs, sets, weights)
    with np.errstate(divide="ignore", invalid="ignore"):
        similarity = np.nan_to_num(shared / (weight_a + weight_b - shared))
    return [
        SegmentMatch(a, b, float(similarity[k]), overlap(sets[a], sets[b])[1])
        for k in np.flatnonzero(similarity >= threshold)
        for a, b in [pairs[k]]
    ]


def ordered_similarity(keys_a: np.ndarray, keys_b: np.ndarray, weights: Weights) -> float:
    """Rarity-weighted share of content words that two passages have in the same order.

    ``keys_*`` are the passages' content keys in text order (function words left out).
    The weight of the keys matched in order (difflib's matching blocks) is divided by
    the mean weight of the two sides; 0 when the sides weigh nothing.
    """
    total = (weights.of(keys_a).sum() + weights.of(keys_b).sum()) / 2
    if total <= 0:
        return 0.0
    matcher = SequenceMatcher(None, keys_a.tolist(), keys_b.tolist(), False)
    matched = [keys_a[m.a : m.a + m.size] for m in matcher.get_matching_blocks() if m.size]
    if not matched:
        return 0.0
    return float(weights.of(np.concatenate(matched)).sum() / total)
