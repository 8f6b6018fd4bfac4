"""Stage 5, candidates: segment pairs from different documents that share LSH buckets.

Banding follows datasketch's ``MinHashLSH``: the same ``(bands, rows)`` for a threshold
and the same bucket rule (two sketches share a bucket of band ``k`` when their values
``k * rows .. (k + 1) * rows - 1`` are equal). Each band's values are folded into one
64-bit key when signing (``text.sign.band_keys``); buckets are found here by sorting
the keys, vectorised over all sketches:
no Python call per sketch and band, and a band's keys can be bucketed on their own.
"""

from __future__ import annotations

import os

import numpy as np

from ..arrays import runs, unique
from ..text.sign import GOLDEN, mix64


def bucket_pairs(keys: np.ndarray, docs: np.ndarray, max_bucket: int | None = None) -> np.ndarray:
    """Pairs ``(i, j)``, ``i < j``, of positions in ``keys`` (one band) with equal keys
    and different ``docs``, as an ``(m, 2)`` int64 array in no particular order.

    A bucket holding more than ``max_bucket`` keys is passed over: so many segments
    colliding means words the whole collection shares, not reuse between two of them.
    """
    order = np.argsort(keys, kind="stable")
    starts, sizes = runs(keys[order])
    if max_bucket is not None:
        starts, sizes = starts[sizes <= max_bucket], sizes[sizes <= max_bucket]
    return _all_pairs(order, starts, sizes, docs)


def bucket_links(
    keys: np.ndarray, docs: np.ndarray, spread: int, max_bucket: int | None = None
) -> np.ndarray:
    """Pairs of positions in ``keys`` (one band) with equal keys and different ``docs``,
    linear in the bucket sizes: a bucket holding fewer than ``spread`` documents gives
    every pair of its members in different documents (as ``bucket_pairs``), a bucket
    holding more (a text that recurs across the collection) only links: each member to
    one member of the bucket chosen by a hash of its position (no document is favoured),
    or, when it shares that member's document, to the next member from another
    document, at most k-1 links for k members (``dedupe.match.families`` joins them into
    families). A bucket of more than ``max_bucket`` is passed over, as in
    ``bucket_pairs``."""
    order = np.lexsort((docs, keys))
    starts, sizes = runs(keys[order])
    if max_bucket is not None:
        starts, sizes = starts[sizes <= max_bucket], sizes[sizes <= max_bucket]
    ordered_docs = docs[order]
    new_doc = np.concatenate([[True], ordered_docs[1:] != ordered_docs[:-1]])
    new_doc[starts] = True
    distinct = np.add.reduceat(new_doc.astype(np.int64), starts) if len(starts) else sizes
    few = distinct < spread
    pairs = _all_pairs(order, starts[few], sizes[few], docs)
    crowded = np.repeat(~few, sizes)
    members = (
        np.repeat(starts, sizes) + np.arange(int(sizes.sum())) - np.repeat(_offsets(sizes), sizes)
    )
    return np.concatenate([pairs, _star_links(keys, docs, order[members[crowded]])])


def _star_links(keys: np.ndarray, docs: np.ndarray, positions: np.ndarray) -> np.ndarray:
    """Links within the buckets of ``positions``: from each member to its bucket's
    centre, the member of lowest hash, or, for members of the centre's document, to
    the member of lowest hash from another document."""
    if not len(positions):
        return np.empty((0, 2), dtype=np.int64)
    scramble = mix64(positions.astype(np.uint64) + GOLDEN)
    order = positions[np.lexsort((scramble, keys[positions]))]
    starts, sizes = runs(keys[order])
    position = np.arange(len(order))
    centre = np.repeat(starts, sizes)
    ordered_docs = docs[order]
    differs = ordered_docs != ordered_docs[centre]
    other = np.repeat(np.minimum.reduceat(np.where(differs, position, len(order)), starts), sizes)
    target = np.where(differs, centre, other)
    keep = (position != centre) & (differs | (position != other))
    return np.sort(np.stack([order[target[keep]], order[keep]], axis=1), axis=1).astype(np.int64)


def _all_pairs(order: np.ndarray, starts: np.ndarray, sizes: np.ndarray, docs: np.ndarray):
    """Every pair ``(i, j)``, ``i < j``, of the positions ``order[start:start + size]`` of
    each run, whose ``docs`` differ."""
    found = [np.empty((0, 2), dtype=np.int64)]
    for size in unique(sizes[sizes >= 2]):
        first, second = np.triu_indices(int(size), 1)
        base = starts[sizes == size][:, None]
        a, b = order[base + first].ravel(), order[base + second].ravel()
        low, high = np.minimum(a, b), np.maximum(a, b)
        keep = docs[low] != docs[high]
        found.append(np.stack([low[keep], high[keep]], axis=1).astype(np.int64))
    return np.concatenate(found)


def _offsets(sizes: np.ndarray) -> np.ndarray:
    return np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(np.int64)


def unique_pairs(pairs: list[np.ndarray]) -> np.ndarray:
    """The distinct rows of the ``(m, 2)`` pair arrays (values below 2**32), sorted."""
    joined = np.concatenate([np.empty((0, 2), dtype=np.int64), *pairs]).astype(np.int64)
    codes = unique((joined[:, 0] << 32) | joined[:, 1])
    return np.stack([codes >> 32, codes & 0xFFFFFFFF], axis=1)


def candidate_pairs(
    keys: np.ndarray, docs: np.ndarray, max_bucket: int | None = None
) -> np.ndarray:
    """Sorted distinct pairs ``(i, j)``, ``i < j``, of rows of ``keys`` (an ``(n, bands)``
    array from ``band_keys``) that share a bucket in some band and whose ``docs`` differ."""
    docs = np.asarray(docs)
    return unique_pairs([bucket_pairs(keys[:, k], docs, max_bucket) for k in range(keys.shape[1])])


class BandStore:
    """Band keys of many signatures, kept in one file per band in ``folder``, so that
    bucketing holds one band in memory at a time."""

    def __init__(self, folder: str):
        os.makedirs(folder, exist_ok=True)
        self.folder = folder
        self.bands = 0

    def _path(self, band: int) -> str:
        return os.path.join(self.folder, f"band-{band}.u64")

    def append(self, keys: np.ndarray) -> None:
        """Add the rows of an ``(n, bands)`` key array after those already stored."""
        self.bands = keys.shape[1]
        for band in range(self.bands):
            with open(self._path(band), "ab") as handle:
                np.ascontiguousarray(keys[:, band]).tofile(handle)

    def band(self, band: int) -> np.ndarray:
        """The keys of every stored row in ``band``."""
        return np.fromfile(self._path(band), dtype=np.uint64)
