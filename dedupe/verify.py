"""Stage 6a, verify: exact similarity of candidate pairs' shingle sets."""

from __future__ import annotations

from dataclasses import dataclass
from difflib import SequenceMatcher

import numpy as np


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


def verify(
    pairs: list[tuple[int, int]], shingle_sets: list[np.ndarray], threshold: float
) -> list[SegmentMatch]:
    """The candidate pairs whose Jaccard or containment reaches ``threshold``."""
    matches = []
    for a, b in pairs:
        jaccard, containment = overlap(shingle_sets[a], shingle_sets[b])
        if max(jaccard, containment) >= threshold:
            matches.append(SegmentMatch(a, b, jaccard, containment))
    return matches


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
    shingles over the weight of all of them (0 when both weigh nothing).
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
    matches = []
    for a, b in pairs:
        similarity = weighted_jaccard(sets[a], sets[b], weights)
        if similarity >= threshold:
            matches.append(SegmentMatch(a, b, similarity, overlap(sets[a], sets[b])[1]))
    return matches


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
