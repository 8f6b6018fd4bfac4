"""Stage 6b, align (paraphrase): runs of content words shared in the same order by the
two sides of a region, the evidence of a re-translation or rewording. Compiled: one call
per document pair (``ordered_runs``), built on the matching blocks of
``dedupe.match.sequence`` and the chaining and merging loops of ``dedupe.match.align``."""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from ..kernels import compiled
from .align import MIN_ANCHORS, Alignment, Span, chaining_kernel, merging_kernel
from .sequence import blocks_kernel


def ordered_matches(
    region: Alignment, keys_a: np.ndarray, keys_b: np.ndarray, max_gap: int
) -> list[Alignment]:
    """Passages inside ``region`` where the two sides share content words in the same order.

    ``keys_*`` hold a content key per token (0 for function words). The content words
    of both sides are aligned in order (longest matching blocks, see
    ``dedupe.match.sequence``); the matched words are chained as anchors, allowing
    ``max_gap`` tokens between anchors and as much shift of the diagonal, so reworded
    clauses and inserted words are bridged while scattered topical hits stay apart;
    chains of at least ``MIN_ANCHORS`` words close together are merged. Each
    alignment's ``support`` is its number of matched words.
    """
    a, b = region.a, region.b
    found = _ordering_kernels()[0](
        keys_a, keys_b, a.start, a.end, b.start, b.end, max_gap, MIN_ANCHORS
    )
    return _alignments(found, a.doc, b.doc)


def ordered_runs(
    windows: list[Alignment],
    keys_a: np.ndarray,
    keys_b: np.ndarray,
    sentences_a: np.ndarray,
    sentences_b: np.ndarray,
    max_gap: int,
) -> list[Alignment]:
    """The runs of content words in the same order in a document pair: ``windows``
    (matching segment pairs) merged into regions (``merge_close``), ``ordered_matches``
    in each, widened to whole sentences (``snap``; ``sentences_*`` as there) and merged
    again. One compiled call for the whole pair."""
    if not windows:
        return []
    fields = np.array(
        [(x.a.start, x.a.end, x.b.start, x.b.end, x.support) for x in windows], dtype=np.int64
    )
    found = _ordering_kernels()[1](
        keys_a, keys_b, sentences_a, sentences_b, fields, max_gap, MIN_ANCHORS
    )
    return _alignments(found, windows[0].a.doc, windows[0].b.doc)


def _alignments(rows: np.ndarray, doc_a: int, doc_b: int) -> list[Alignment]:
    """Rows ``(a start, a end, b start, b end, support)`` as alignments."""
    return [
        Alignment(Span(doc_a, a0, a1), Span(doc_b, b0, b1), support)
        for a0, a1, b0, b1, support in rows.tolist()
    ]


# The compiled loops that the loops below call, bound by ``_ordering_kernels``.
_blocks = _label = _merge = _snap = _region = None


@lru_cache(maxsize=1)
def _ordering_kernels():
    """The compiled ``(region, pair)`` loops behind ``ordered_matches`` (one region) and
    ``ordered_runs`` (a document pair).

    numba finds a compiled function in its disk cache only if the compiled functions it
    calls are module globals: a closure's cells pickle differently in every process, so
    a closure would be compiled again by every run. The loops are therefore module-level
    functions, and the compiled loops they call are bound to their global names here,
    before they are compiled."""
    callees = {
        "_blocks": blocks_kernel(),
        "_label": chaining_kernel(),
        "_merge": merging_kernel(),
        "_snap": compiled(_snap_loop),
    }
    globals().update(callees)
    region = compiled(_region_loop)
    globals()["_region"] = region
    return region, compiled(_pair_loop)


def _region_loop(keys_a, keys_b, a0, a1, b0, b1, max_gap, min_anchors):  # pragma: no cover
    empty = np.empty((0, 5), dtype=np.int64)
    pos_a = a0 + np.flatnonzero(keys_a[a0:a1])
    pos_b = b0 + np.flatnonzero(keys_b[b0:b1])
    if len(pos_a) == 0 or len(pos_b) == 0:
        return empty
    found = _blocks(keys_a[pos_a].astype(np.int64), keys_b[pos_b].astype(np.int64))
    if len(found) == 0:
        return empty
    i = np.empty(found[:, 2].sum(), dtype=np.int64)
    j = np.empty_like(i)
    k = 0
    for r in range(len(found)):
        start_a, start_b, size = found[r, 0], found[r, 1], found[r, 2]
        i[k : k + size] = pos_a[start_a : start_a + size]
        j[k : k + size] = pos_b[start_b : start_b + size]
        k += size
    labels = _label(i, j, max_gap, max_gap)
    chains = labels.max() + 1
    first = np.full(chains, len(labels), dtype=np.int64)
    last = np.zeros(chains, dtype=np.int64)
    counts = np.zeros(chains, dtype=np.int64)
    for p in range(len(labels)):
        c = labels[p]
        first[c] = min(first[c], p)
        last[c] = max(last[c], p)
        counts[c] += 1
    boxes = np.empty((chains, 5), dtype=np.int64)
    n = 0
    for c in range(chains):
        if counts[c] >= min_anchors:
            boxes[n, 0], boxes[n, 1] = i[first[c]], i[last[c]] + 1
            boxes[n, 2], boxes[n, 3] = j[first[c]], j[last[c]] + 1
            boxes[n, 4] = counts[c]
            n += 1
    if n == 0:
        return empty
    return _merge(boxes[:n], max_gap)


def _pair_loop(
    keys_a, keys_b, bounds_a, bounds_b, windows, max_gap, min_anchors
):  # pragma: no cover
    regions = _merge(windows, max_gap)
    runs = np.empty((0, 5), dtype=np.int64)
    for r in range(len(regions)):
        a0, a1, b0, b1 = regions[r, 0], regions[r, 1], regions[r, 2], regions[r, 3]
        found = _region(keys_a, keys_b, a0, a1, b0, b1, max_gap, min_anchors)
        snapped = np.empty_like(found)
        for m in range(len(found)):
            snapped[m, 0], snapped[m, 1] = _snap(bounds_a, found[m, 0], found[m, 1])
            snapped[m, 2], snapped[m, 3] = _snap(bounds_b, found[m, 2], found[m, 3])
            snapped[m, 4] = found[m, 4]
        runs = np.concatenate((runs, snapped))
    if len(runs) == 0:
        return runs
    return _merge(runs, max_gap)


def _snap_loop(bounds, start, end):
    """``(start, end)`` widened to whole sentences (see ``snap``)."""
    return (
        bounds[np.searchsorted(bounds, start, side="right") - 1],
        bounds[np.searchsorted(bounds, end, side="left")],
    )


def snap(span: Span, bounds: np.ndarray) -> Span:
    """``span`` widened to whole sentences; ``bounds`` are the sorted token indices where
    sentences start, ending with the document's token count.
    """
    start, end = _snap_loop(bounds, span.start, span.end)
    return Span(span.doc, int(start), int(end))
