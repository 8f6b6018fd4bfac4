"""Stage 6a, verify: exact similarity of candidate pairs' shingle sets."""

from __future__ import annotations

from dataclasses import dataclass

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
