"""Stage 6b, align: turn matching segments of a document pair into passages.

Inside every verified segment pair, equal n-grams are paired up as anchors ``(i, j)``
(token positions in the two documents). Anchors are chained in order in both
documents, allowing gaps (edits) and small shifts of the diagonal (insertions,
deletions); chains that lie close together in both documents are merged, so a passage
with reordered sentences is one passage. Each passage is reported once, however many
windows it spans.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from ..arrays import covered, unique, unique_counts
from ..kernels import compiled
from .sequence import matching_blocks, opcodes

MIN_ANCHORS = 2
SPLIT_WORDS = 2000
"""Longest side that ``split_at_inserted_paragraphs`` compares word by word (the cost of
matching in order grows with the square of the length)."""


@dataclass(frozen=True)
class Span:
    """Tokens ``[start, end)`` of document ``doc``."""

    doc: int
    start: int
    end: int

    @property
    def words(self) -> int:
        return self.end - self.start


@dataclass(frozen=True)
class Alignment:
    """Two spans that hold the same text, in documents ``a.doc < b.doc``.

    ``support`` counts the matches behind it: anchors for a verbatim alignment, matching
    windows for a paraphrase run.
    """

    a: Span
    b: Span
    support: int = 1


MAX_REPEATS = 16
"""An n-gram found more often than this in a region of either document anchors
nothing there: it is a phrase a list repeats (``Copyright (C) ...`` on every line), and
pairing each of its places with each other would cost the square of its count."""


def anchors(
    ngrams_a: np.ndarray, ngrams_b: np.ndarray, regions: list[tuple[Span, Span]]
) -> tuple[np.ndarray, np.ndarray]:
    """Sorted, unique anchors ``(i[k], j[k])``: equal n-gram hashes at ``i`` in A and
    ``j`` in B, both inside one of the paired ``regions`` (overlapping regions are
    looked at as one), leaving out n-grams repeated more than ``MAX_REPEATS`` times in
    a region."""
    found = [np.empty(0, dtype=np.int64)]
    for region_a, region_b in _overlapping_joined(regions):
        a0, a1 = region_a.start, min(region_a.end, len(ngrams_a))
        b0, b1 = region_b.start, min(region_b.end, len(ngrams_b))
        if a1 <= a0 or b1 <= b0:
            continue
        in_a, in_b = ngrams_a[a0:a1], ngrams_b[b0:b1]
        order = np.argsort(in_b, kind="stable")
        ordered = in_b[order]
        low = np.searchsorted(ordered, in_a, side="left")
        count = np.searchsorted(ordered, in_a, side="right") - low
        values, repeats = unique_counts(in_a)
        in_a_repeats = repeats[np.searchsorted(values, in_a)]
        keep = (count > 0) & (count <= MAX_REPEATS) & (in_a_repeats <= MAX_REPEATS)
        count, low = count[keep], low[keep]
        i = np.repeat(np.flatnonzero(keep) + a0, count)
        step = np.arange(int(count.sum())) - np.repeat(np.cumsum(count) - count, count)
        j = order[np.repeat(low, count) + step] + b0
        found.append((i.astype(np.int64) << 32) | j.astype(np.int64))
    codes = unique(np.concatenate(found))
    return codes >> 32, codes & 0xFFFFFFFF


def _overlapping_joined(regions: list[tuple[Span, Span]]) -> list[tuple[Span, Span]]:
    """``regions`` with those overlapping in both documents joined into their bounding
    boxes (one sweep in order of start in A)."""
    joined: list[list[Span]] = []
    for region_a, region_b in sorted(regions, key=lambda r: (r[0].start, r[1].start)):
        if joined:
            last_a, last_b = joined[-1]
            if region_a.start < last_a.end and _overlap(region_b, last_b):
                joined[-1] = [_hull(last_a, region_a), _hull(last_b, region_b)]
                continue
        joined.append([region_a, region_b])
    return [(a, b) for a, b in joined]


def _overlap(x: Span, y: Span) -> bool:
    return x.start < y.end and y.start < x.end


def _hull(x: Span, y: Span) -> Span:
    return Span(x.doc, min(x.start, y.start), max(x.end, y.end))


def chain_labels(i: np.ndarray, j: np.ndarray, max_gap: int, max_shift: int) -> np.ndarray:
    """The chain of each anchor ``(i[k], j[k])`` (sorted by ``i``, then ``j``), chains
    numbered from 0: those that ended first, then the rest in order of their start.

    A chain takes an anchor at most ``max_gap`` tokens past its last one in both
    documents, with the diagonal ``j - i`` moved by at most ``max_shift``; when several
    anchors qualify, the one nearest the chain's diagonal wins, and longer chains
    choose first.
    """
    if not len(i):
        return np.empty(0, dtype=np.int64)
    return chaining_kernel()(i.astype(np.int64), j.astype(np.int64), max_gap, max_shift)


def chain_boxes(
    i: np.ndarray, j: np.ndarray, max_gap: int, max_shift: int
) -> list[tuple[int, int, int, int, int]]:
    """``(first i, first j, last i, last j, anchors)`` of each chain of the sorted anchors
    ``(i[k], j[k])`` (``chain_labels``), in chain order."""
    labels = chain_labels(i, j, max_gap, max_shift)
    if not len(labels):
        return []
    chains_count = int(labels.max()) + 1
    first = np.full(chains_count, len(labels), dtype=np.int64)
    np.minimum.at(first, labels, np.arange(len(labels)))
    last = np.zeros(chains_count, dtype=np.int64)
    np.maximum.at(last, labels, np.arange(len(labels)))
    counts = np.bincount(labels, minlength=chains_count)
    return list(
        zip(
            i[first].tolist(),
            j[first].tolist(),
            i[last].tolist(),
            j[last].tolist(),
            counts.tolist(),
            strict=True,
        )
    )


@lru_cache(maxsize=1)
def chaining_kernel():
    """The compiled loop behind ``chain_labels`` (numba; compiled on first use and
    cached on disk)."""

    @compiled
    def label(i, j, max_gap, max_shift):  # pragma: no cover (compiled)
        n = len(i)
        labels = np.empty(n, dtype=np.int64)
        last_i = np.empty(n, dtype=np.int64)
        last_j = np.empty(n, dtype=np.int64)
        length = np.empty(n, dtype=np.int64)
        active = np.empty(n, dtype=np.int64)  # chain ids, in order of their start
        ended = np.empty(n, dtype=np.int64)  # chain ids, in order of their end
        n_active, n_ended, n_chains = 0, 0, 0
        start = 0
        while start < n:
            stop = start
            while stop < n and i[stop] == i[start]:
                stop += 1
            row = i[start]
            kept = 0
            for k in range(n_active):
                c = active[k]
                if row - last_i[c] > max_gap:
                    ended[n_ended] = c
                    n_ended += 1
                else:
                    active[kept] = c
                    kept += 1
            n_active = kept
            # Offers (chain position, anchor) in that order, then stably sorted by
            # nearness to the chain's diagonal and the chain's length, longest first.
            cap = n_active * (stop - start)
            offer_chain = np.empty(cap, dtype=np.int64)
            offer_point = np.empty(cap, dtype=np.int64)
            offer_key = np.empty(cap, dtype=np.int64)
            m = 0
            for k in range(n_active):
                c = active[k]
                diagonal = last_j[c] - last_i[c]
                for p in range(start, stop):
                    shift = abs((j[p] - row) - diagonal)
                    if last_j[c] < j[p] <= last_j[c] + max_gap and shift <= max_shift:
                        offer_chain[m] = k
                        offer_point[m] = p
                        offer_key[m] = shift * (1 << 40) + ((1 << 40) - 1 - length[c])
                        m += 1
            order = np.argsort(offer_key[:m], kind="mergesort")
            chain_taken = np.zeros(n_active, dtype=np.bool_)
            point_taken = np.zeros(stop - start, dtype=np.bool_)
            for o in order:
                k, p = offer_chain[o], offer_point[o]
                if not chain_taken[k] and not point_taken[p - start]:
                    c = active[k]
                    labels[p] = c
                    last_i[c], last_j[c] = row, j[p]
                    length[c] += 1
                    chain_taken[k] = True
                    point_taken[p - start] = True
            for p in range(start, stop):
                if not point_taken[p - start]:
                    c = n_chains
                    n_chains += 1
                    labels[p] = c
                    last_i[c], last_j[c], length[c] = row, j[p], 1
                    active[n_active] = c
                    n_active += 1
            start = stop
        rank = np.empty(n_chains, dtype=np.int64)
        for k in range(n_ended):
            rank[ended[k]] = k
        for k in range(n_active):
            rank[active[k]] = n_ended + k
        for p in range(n):
            labels[p] = rank[labels[p]]
        return labels

    return label


def merge_close(boxes: list[Alignment], max_gap: int) -> list[Alignment]:
    """Merge alignments (of one document pair) whose spans are within ``max_gap`` tokens
    in both documents, until no two are: in order of start, each joins the first kept
    alignment close to it, and the pass is repeated while anything was joined."""
    if not boxes:
        return []
    fields = np.array(
        [(x.a.start, x.a.end, x.b.start, x.b.end, x.support) for x in boxes], dtype=np.int64
    )
    merged = merging_kernel()(fields, max_gap)
    doc_a, doc_b = boxes[0].a.doc, boxes[0].b.doc
    return [
        Alignment(Span(doc_a, a0, a1), Span(doc_b, b0, b1), support)
        for a0, a1, b0, b1, support in merged.tolist()
    ]


@lru_cache(maxsize=1)
def merging_kernel():
    """The compiled loop behind ``merge_close`` (numba; compiled on first use and cached
    on disk): rows ``(a start, a end, b start, b end, support)``."""

    @compiled
    def merge(fields, max_gap):  # pragma: no cover (compiled)
        boxes = fields[np.argsort(fields[:, 0] * (1 << 32) + fields[:, 2], kind="mergesort")]
        changed = True
        while changed:
            changed = False
            kept = np.empty_like(boxes)
            n = 0
            for k in range(len(boxes)):
                joined = False
                for r in range(n):
                    gap_a = max(boxes[k, 0], kept[r, 0]) - min(boxes[k, 1], kept[r, 1])
                    gap_b = max(boxes[k, 2], kept[r, 2]) - min(boxes[k, 3], kept[r, 3])
                    if gap_a <= max_gap and gap_b <= max_gap:
                        kept[r, 0] = min(kept[r, 0], boxes[k, 0])
                        kept[r, 1] = max(kept[r, 1], boxes[k, 1])
                        kept[r, 2] = min(kept[r, 2], boxes[k, 2])
                        kept[r, 3] = max(kept[r, 3], boxes[k, 3])
                        kept[r, 4] += boxes[k, 4]
                        changed = joined = True
                        break
                if not joined:
                    kept[n] = boxes[k]
                    n += 1
            kept = kept[:n]
            boxes = kept[np.argsort(kept[:, 0] * (1 << 32) + kept[:, 2], kind="mergesort")]
        return boxes

    return merge


def union(x: Alignment, y: Alignment) -> Alignment:
    """The smallest alignment holding both, with their support added."""
    return Alignment(
        Span(x.a.doc, min(x.a.start, y.a.start), max(x.a.end, y.a.end)),
        Span(x.b.doc, min(x.b.start, y.b.start), max(x.b.end, y.b.end)),
        x.support + y.support,
    )


def align(
    doc_a: int,
    doc_b: int,
    ngrams_a: np.ndarray,
    ngrams_b: np.ndarray,
    regions: list[tuple[Span, Span]],
    n: int,
    max_gap: int,
    max_shift: int,
) -> list[Alignment]:
    """Passages shared by documents ``doc_a`` and ``doc_b``, found inside ``regions``.

    ``ngrams_*`` are the documents' n-gram hashes (entry ``i`` covers tokens
    ``i .. i+n-1``); a chain of at least ``MIN_ANCHORS`` anchors becomes the token
    spans from its first anchor to the end of its last n-gram. A lone shared n-gram is
    a common phrase, not a passage.
    """
    i, j = anchors(ngrams_a, ngrams_b, regions)
    boxes = [
        Alignment(Span(doc_a, i0, i1 + n), Span(doc_b, j0, j1 + n), count)
        for i0, j0, i1, j1, count in chain_boxes(i, j, max_gap, max_shift)
        if count >= MIN_ANCHORS
    ]
    return merge_close(boxes, max_gap)


def split_at_inserted_paragraphs(
    alignment: Alignment,
    words_a: np.ndarray,
    words_b: np.ndarray,
    breaks_a: np.ndarray,
    breaks_b: np.ndarray,
) -> list[Alignment]:
    """The verbatim pieces of ``alignment`` when its sides differ only by whole paragraphs
    that one side has and the other lacks (a speaker label, a caption); otherwise
    ``[alignment]``. ``words_*`` hold each document's word hashes by token.

    ``breaks_*`` are the sorted token indices at which each document's paragraphs begin,
    plus its token count: every token lies in a paragraph, so ``[s, e)`` is a run of
    whole paragraphs exactly when both ``s`` and ``e`` are breaks.
    """
    a, b = alignment.a, alignment.b
    side_a, side_b = words_a[a.start : a.end], words_b[b.start : b.end]
    if np.array_equal(side_a, side_b) or max(len(side_a), len(side_b)) > SPLIT_WORDS:
        return [alignment]
    pieces: list[Alignment] = []
    for tag, i1, i2, j1, j2 in opcodes(matching_blocks(side_a, side_b), len(side_a), len(side_b)):
        if tag == "equal":
            pieces.append(
                Alignment(
                    Span(a.doc, a.start + i1, a.start + i2), Span(b.doc, b.start + j1, b.start + j2)
                )
            )
        elif not (
            (tag == "delete" and _are_breaks(breaks_a, a.start + i1, a.start + i2))
            or (tag == "insert" and _are_breaks(breaks_b, b.start + j1, b.start + j2))
        ):
            return [alignment]
    return pieces


def _are_breaks(breaks: np.ndarray, *tokens: int) -> bool:
    """Whether every one of ``tokens`` is in the sorted ``breaks``."""
    at = np.searchsorted(breaks, tokens)
    return bool(
        np.all(at < len(breaks)) and np.all(breaks[np.minimum(at, len(breaks) - 1)] == tokens)
    )


def covered_share(alignment: Alignment, others: list[Alignment]) -> float:
    """The larger of the shares of ``alignment``'s two sides covered by the same sides of
    ``others`` (alignments of the same two documents).
    """
    shares = [0.0]
    for side in ("a", "b"):
        span = getattr(alignment, side)
        theirs = [(getattr(other, side).start, getattr(other, side).end) for other in others]
        if span.words:
            shares.append(covered(theirs, span.start, span.end) / span.words)
    return max(shares)


def reordered_runs(boxes: list[Alignment], max_gap: int) -> list[list[int]]:
    """Groups of indices into ``boxes`` (alignments of one document pair) that are one
    passage with its pieces reordered: runs of at least two boxes that follow each other
    in the first document, at most ``max_gap`` tokens apart, whose second sides, taken
    in their own order, also follow each other at most ``max_gap`` apart, and come in
    another order. (Pieces in the same order were kept apart on purpose, e.g. around a
    paragraph only one copy has.)
    """
    order = sorted(range(len(boxes)), key=lambda k: (boxes[k].a.start, boxes[k].a.end))
    runs: list[list[int]] = []
    for k in order:
        if runs and boxes[k].a.start - max(boxes[j].a.end for j in runs[-1]) <= max_gap:
            runs[-1].append(k)
        else:
            runs.append([k])
    return [
        run
        for run in runs
        if len(run) > 1
        and _contiguous([boxes[k].b for k in run], max_gap)
        and sorted(run, key=lambda k: boxes[k].b.start) != run
    ]


def _contiguous(spans: list[Span], max_gap: int) -> bool:
    """True when ``spans`` cover one stretch of their document with no gap over
    ``max_gap`` tokens."""
    ordered = sorted(spans, key=lambda s: s.start)
    reach = ordered[0].end
    for span in ordered[1:]:
        if span.start - reach > max_gap:
            return False
        reach = max(reach, span.end)
    return True
