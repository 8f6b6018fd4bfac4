"""Stage 6a, verify: exact similarity of candidate pairs' shingle sets."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import cached_property, lru_cache

import numpy as np

from ..arrays import runs, unique, unique_counts
from ..kernels import available_cores, compiled
from ..text.shingle import SetTable
from .sequence import matching_blocks


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


@dataclass(frozen=True, eq=False)
class WeightedSets:
    """Sets ready for fast weighted intersections: each shingle replaced by its rank
    among the distinct shingles (so a dense array can mark a set), the weight of each
    rank, and each set's total weight. Build once, verify many pairs against it."""

    ranks: np.ndarray
    offsets: np.ndarray
    rank_weights: np.ndarray
    totals: np.ndarray

    @classmethod
    def of(cls, sets: list[np.ndarray] | SetTable, weights: Weights) -> WeightedSets:
        """``sets`` with ``weights``."""
        table = sets if isinstance(sets, SetTable) else SetTable.of(sets)
        keys = weights.keys
        ranks = np.searchsorted(keys, table.values)
        known = len(keys) and np.array_equal(keys[np.minimum(ranks, len(keys) - 1)], table.values)
        if not known:  # shingles the weights have not seen
            keys = unique(table.values)
            ranks = np.searchsorted(keys, table.values)
        ranks = ranks.astype(np.int32)
        rank_weights = weights.of(keys)
        running = np.concatenate([[0.0], np.cumsum(rank_weights[ranks])])
        offsets = table.offsets.astype(np.int64)
        return cls(ranks, offsets, rank_weights, running[offsets[1:]] - running[offsets[:-1]])

    def __len__(self) -> int:
        return len(self.offsets) - 1

    def __getitem__(self, k: int) -> np.ndarray:
        """Set ``k`` as sorted ranks (intersections and sizes are those of the set)."""
        return self.ranks[self.offsets[k] : self.offsets[k + 1]]

    def shared(self, pairs: np.ndarray) -> np.ndarray:
        """The weight of the shingles each pair of set numbers has in common (computed
        in threads, one per core, by the compiled ``_marking_kernel``)."""
        order = np.argsort(pairs[:, 0], kind="stable")
        a, b = pairs[order, 0], pairs[order, 1]
        starts = np.append(runs(a)[0], len(a))  # pairs of one first set are one run
        threads = min(available_cores(), max(1, len(a) // MIN_PAIRS_PER_THREAD))
        even = np.searchsorted(starts, np.linspace(0, len(a), threads + 1))
        cuts = unique(np.concatenate([[0], even, [len(starts) - 1]]).clip(0, len(starts) - 1))
        found = np.empty(len(a))
        kernel = _marking_kernel()

        def work(first_run: int, stop_run: int) -> None:
            start, stop = starts[first_run], starts[stop_run]
            found[start:stop] = kernel(
                self.ranks, self.offsets, self.rank_weights, a, b, starts[first_run : stop_run + 1]
            )

        with ThreadPoolExecutor(threads) as pool:
            list(pool.map(work, cuts[:-1], cuts[1:]))
        result = np.empty(len(pairs))
        result[order] = found
        return result


MIN_PAIRS_PER_THREAD = 100_000


@lru_cache(maxsize=1)
def _marking_kernel():
    """The compiled loop behind ``WeightedSets.shared`` (numba; compiled on first use
    and cached on disk). For each run of pairs sharing a first set, that set's ranks
    are marked with their weights in a dense array and every second set sums its marks:
    no branches, and the marks stay in cache."""

    @compiled
    def shared(ranks, offsets, rank_weights, a, b, runs):  # pragma: no cover (compiled)
        result = np.zeros(runs[-1] - runs[0])
        mark = np.zeros(len(rank_weights))
        for run in range(len(runs) - 1):
            first = a[runs[run]]
            for i in range(offsets[first], offsets[first + 1]):
                mark[ranks[i]] = rank_weights[ranks[i]]
            for k in range(runs[run], runs[run + 1]):
                total = 0.0
                for j in range(offsets[b[k]], offsets[b[k] + 1]):
                    total += mark[ranks[j]]
                result[k - runs[0]] = total
            for i in range(offsets[first], offsets[first + 1]):
                mark[ranks[i]] = 0.0
        return result

    return shared


def shared_weight(
    pairs: list[tuple[int, int]] | np.ndarray,
    sets: list[np.ndarray] | SetTable | WeightedSets,
    weights: Weights,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For each pair of set indices, the total weight of the shingles both sets hold, and
    the total weights of the two sets (``WeightedSets`` carry their own weights).
    """
    index = np.asarray(pairs, dtype=np.int64).reshape(-1, 2)
    if not len(index):
        empty = np.empty(0)
        return empty, empty, empty
    weighted = sets if isinstance(sets, WeightedSets) else WeightedSets.of(sets, weights)
    return weighted.shared(index), weighted.totals[index[:, 0]], weighted.totals[index[:, 1]]


@lru_cache(maxsize=1)
def _merging_kernel():
    """The compiled loop behind ``shared_counts`` (numba; compiled on first use and
    cached on disk): how many values each pair's two sorted sets have in common, by
    merging them."""

    @compiled
    def shared(values, offsets, pairs):  # pragma: no cover (compiled)
        result = np.zeros(len(pairs), dtype=np.int64)
        for k in range(len(pairs)):
            i, end_i = offsets[pairs[k, 0]], offsets[pairs[k, 0] + 1]
            j, end_j = offsets[pairs[k, 1]], offsets[pairs[k, 1] + 1]
            count = 0
            while i < end_i and j < end_j:
                if values[i] == values[j]:
                    count += 1
                    i += 1
                    j += 1
                elif values[i] < values[j]:
                    i += 1
                else:
                    j += 1
            result[k] = count
        return result

    return shared


def shared_counts(pairs: np.ndarray, sets: SetTable) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For each pair of set indices, how many shingles both sets hold, and the sizes
    of the two sets. Needs no table over all distinct shingles, so it suits word
    n-grams, of which a large collection has hundreds of millions."""
    sizes = sets.sizes()
    offsets = sets.offsets.astype(np.int64)
    shared = _merging_kernel()(sets.values.astype(np.uint32), offsets, pairs)
    return shared.astype(np.float64), sizes[pairs[:, 0]], sizes[pairs[:, 1]]


def verify(
    pairs: list[tuple[int, int]] | np.ndarray,
    shingle_sets: list[np.ndarray] | SetTable,
    threshold: float,
) -> list[SegmentMatch]:
    """The candidate pairs whose Jaccard or containment reaches ``threshold``."""
    jaccard, containment = _similarities(pairs, shingle_sets)
    keep = np.flatnonzero(np.maximum(jaccard, containment) >= threshold)
    return [
        SegmentMatch(int(pairs[k][0]), int(pairs[k][1]), float(jaccard[k]), float(containment[k]))
        for k in keep
    ]


def passing(
    pairs: np.ndarray, shingle_sets: list[np.ndarray] | SetTable, threshold: float
) -> np.ndarray:
    """Which candidate pairs (an ``(m, 2)`` array) ``verify`` keeps, as a boolean mask."""
    jaccard, containment = _similarities(pairs, shingle_sets)
    return np.maximum(jaccard, containment) >= threshold


def _similarities(
    pairs: list[tuple[int, int]] | np.ndarray, shingle_sets: list[np.ndarray] | SetTable
) -> tuple[np.ndarray, np.ndarray]:
    """Exact Jaccard and containment of each pair of sets."""
    index = np.asarray(pairs, dtype=np.int64).reshape(-1, 2)
    table = shingle_sets if isinstance(shingle_sets, SetTable) else SetTable.of(shingle_sets)
    shared, size_a, size_b = shared_counts(index, table)
    with np.errstate(divide="ignore", invalid="ignore"):
        jaccard = np.nan_to_num(shared / (size_a + size_b - shared))
        containment = np.nan_to_num(shared / np.minimum(size_a, size_b))
    return jaccard, containment


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

    @cached_property
    def unseen(self) -> float:
        return float(self.values.max()) if len(self.values) else 0.0


def idf_weights(sets: list[np.ndarray] | SetTable) -> Weights:
    """Rarity weight of every shingle over ``sets`` (unique arrays); see ``Weights``."""
    table = sets if isinstance(sets, SetTable) else SetTable.of(sets)
    keys, counts = unique_counts(table.values)
    return Weights.of_frequencies(keys, counts, len(table))


def weighted_similarity(
    pairs: np.ndarray, sets: list[np.ndarray] | SetTable | WeightedSets, weights: Weights
) -> np.ndarray:
    """Rarity-weighted Jaccard of each pair of sets: the weight of the shingles both
    hold over the weight of all their shingles (0 when they weigh nothing)."""
    shared, weight_a, weight_b = shared_weight(pairs, sets, weights)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.nan_to_num(shared / (weight_a + weight_b - shared))


def verify_weighted(
    pairs: list[tuple[int, int]] | np.ndarray,
    sets: list[np.ndarray] | SetTable | WeightedSets,
    weights: Weights,
    threshold: float,
) -> list[SegmentMatch]:
    """The candidate pairs whose rarity-weighted Jaccard reaches ``threshold``.

    The ``jaccard`` field of each match holds the weighted value.
    """
    similarity = weighted_similarity(
        np.asarray(pairs, dtype=np.int64).reshape(-1, 2), sets, weights
    )
    return [
        SegmentMatch(int(a), int(b), float(similarity[k]), overlap(sets[a], sets[b])[1])
        for k in np.flatnonzero(similarity >= threshold)
        for a, b in [pairs[k]]
    ]


def passing_weighted(
    pairs: np.ndarray, sets: SetTable | WeightedSets, weights: Weights, threshold: float
) -> np.ndarray:
    """Which candidate pairs ``verify_weighted`` keeps, as a boolean mask."""
    return weighted_similarity(pairs, sets, weights) >= threshold


def ordered_similarity(keys_a: np.ndarray, keys_b: np.ndarray, weights: Weights) -> float:
    """Rarity-weighted share of content words that two passages have in the same order.

    ``keys_*`` are the passages' content keys in text order (function words left out).
    The weight of the keys matched in order (``sequence.matching_blocks``) is divided by
    the mean weight of the two sides; 0 when the sides weigh nothing.
    """
    total = (weights.of(keys_a).sum() + weights.of(keys_b).sum()) / 2
    if total <= 0:
        return 0.0
    matched = [keys_a[i : i + size] for i, _, size in matching_blocks(keys_a, keys_b)]
    if not matched:
        return 0.0
    return float(weights.of(np.concatenate(matched)).sum() / total)
