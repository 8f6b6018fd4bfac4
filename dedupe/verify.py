"""Stage 6a, verify: exact similarity of candidate pairs' shingle sets."""

from __future__ import annotations

from dataclasses import dataclass
from difflib import SequenceMatcher

import numpy as np
from scipy import sparse

from .arrays import positions_of, unique, unique_counts
from .shingle import SetTable


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


def _membership(sets: SetTable) -> tuple[sparse.csr_matrix, np.ndarray]:
    """A 0/1 matrix, one row per set and one column per distinct shingle, and the sorted
    shingles the columns stand for."""
    columns = unique(sets.values)
    indices = np.searchsorted(columns, sets.values)
    data = np.ones(len(indices))
    return sparse.csr_matrix(
        (data, indices, sets.offsets), shape=(len(sets), len(columns))
    ), columns


def involved(sets: SetTable, index: np.ndarray) -> tuple[SetTable, np.ndarray, np.ndarray]:
    """The sets that ``index`` (pairs of set numbers) refers to, ``index`` renumbered
    into them, and their numbers in ``sets``."""
    rows = unique(index.ravel())
    sizes = sets.sizes()[rows]
    values = sets.values[positions_of(sets.offsets[rows], sizes)]
    table = SetTable(values, np.concatenate([[0], np.cumsum(sizes)]))
    return table, np.searchsorted(rows, index), rows


def shared_weight(
    pairs: list[tuple[int, int]] | np.ndarray,
    sets: list[np.ndarray] | SetTable,
    weights: Weights | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For each pair of set indices, the total weight of the shingles both sets hold, and
    the total weights of the two sets (weight 1 per shingle when ``weights`` is None).

    Vectorised over the pairs with a sparse membership matrix of the sets they name,
    in chunks.
    """
    if not len(pairs):
        empty = np.empty(0)
        return empty, empty, empty
    table = sets if isinstance(sets, SetTable) else SetTable.of(sets)
    table, index, _ = involved(table, np.asarray(pairs, dtype=np.int64))
    matrix, columns = _membership(table)
    column_weight = np.ones(len(columns)) if weights is None else weights.of(columns)
    weighted = matrix.multiply(column_weight).tocsr()
    totals = np.asarray(weighted.sum(axis=1)).ravel()
    shared = np.concatenate(
        [
            np.asarray(matrix[chunk[:, 0]].multiply(weighted[chunk[:, 1]]).sum(axis=1)).ravel()
            for chunk in np.array_split(index, max(1, len(index) // PAIR_CHUNK))
        ]
    )
    return shared, totals[index[:, 0]], totals[index[:, 1]]


def verify(
    pairs: list[tuple[int, int]] | np.ndarray,
    shingle_sets: list[np.ndarray] | SetTable,
    threshold: float,
) -> list[SegmentMatch]:
    """The candidate pairs whose Jaccard or containment reaches ``threshold``."""
    shared, size_a, size_b = shared_weight(pairs, shingle_sets)
    with np.errstate(divide="ignore", invalid="ignore"):
        jaccard = np.nan_to_num(shared / (size_a + size_b - shared))
        containment = np.nan_to_num(shared / np.minimum(size_a, size_b))
    keep = np.flatnonzero(np.maximum(jaccard, containment) >= threshold)
    return [
        SegmentMatch(int(pairs[k][0]), int(pairs[k][1]), float(jaccard[k]), float(containment[k]))
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

    @classmethod
    def of_frequencies(cls, keys: np.ndarray, counts: np.ndarray, total: int) -> Weights:
        """The weights of sorted ``keys`` found in ``counts`` of ``total`` sets."""
        idf = np.log(total / np.maximum(counts, 1))
        return cls(keys, np.where(counts * 2 > total, 0.0, idf))

    @property
    def unseen(self) -> float:
        return float(self.values.max()) if len(self.values) else 0.0


def idf_weights(sets: list[np.ndarray]) -> Weights:
    """Rarity weight of every shingle over ``sets`` (unique arrays); see ``Weights``."""
    if not sets:
        return Weights(np.empty(0, dtype=np.uint32), np.empty(0))
    keys, counts = unique_counts(np.concatenate(sets))
    return Weights.of_frequencies(keys, counts, len(sets))


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
    pairs: list[tuple[int, int]] | np.ndarray,
    sets: list[np.ndarray] | SetTable,
    weights: Weights,
    threshold: float,
) -> list[SegmentMatch]:
    """The candidate pairs whose rarity-weighted Jaccard reaches ``threshold``.

    The ``jaccard`` field of each match holds the weighted value.
    """
    shared, weight_a, weight_b = shared_weight(pairs, sets, weights)
    with np.errstate(divide="ignore", invalid="ignore"):
        similarity = np.nan_to_num(shared / (weight_a + weight_b - shared))
    return [
        SegmentMatch(int(a), int(b), float(similarity[k]), overlap(sets[a], sets[b])[1])
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
