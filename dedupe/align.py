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
from difflib import SequenceMatcher
from itertools import groupby

import numpy as np

from .arrays import unique, unique_counts

MIN_ANCHORS = 2
SPLIT_WORDS = 2000
"""Longest side that ``split_at_inserted_paragraphs`` compares word by word (difflib's
cost grows with the square of the length)."""


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
) -> list[tuple[int, int]]:
    """Sorted, unique ``(i, j)`` with equal n-gram hashes at ``i`` in A and ``j`` in B,
    both inside one of the paired ``regions`` (overlapping regions are looked at as
    one), leaving out n-grams repeated more than ``MAX_REPEATS`` times in a region."""
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
    return list(zip((codes >> 32).tolist(), (codes & 0xFFFFFFFF).tolist(), strict=True))


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


def chains(points: list[tuple[int, int]], max_gap: int, max_shift: int) -> list[list[tuple]]:
    """Group sorted anchors into chains increasing in both coordinates.

    A chain takes an anchor at most ``max_gap`` tokens past its last one in both
    documents, with the diagonal ``j - i`` moved by at most ``max_shift``; when several
    anchors qualify, the one nearest the chain's diagonal wins, and longer chains
    choose first.
    """
    active: list[list[tuple[int, int]]] = []
    done: list[list[tuple[int, int]]] = []
    for i, group in groupby(points, key=lambda p: p[0]):
        js = [j for _, j in group]
        done.extend(c for c in active if i - c[-1][0] > max_gap)
        active = [c for c in active if i - c[-1][0] <= max_gap]
        offers = sorted(
            (abs((j - i) - (c[-1][1] - c[-1][0])), -len(c), n, j)
            for n, c in enumerate(active)
            for j in js
            if c[-1][1] < j <= c[-1][1] + max_gap
            and abs((j - i) - (c[-1][1] - c[-1][0])) <= max_shift
        )
        taken_chains: set[int] = set()
        taken_js: set[int] = set()
        for _, _, n, j in offers:
            if n not in taken_chains and j not in taken_js:
                active[n].append((i, j))
                taken_chains.add(n)
                taken_js.add(j)
        active.extend([(i, j)] for j in js if j not in taken_js)
    return done + active


def _gap(start1: int, end1: int, start2: int, end2: int) -> int:
    return max(start1, start2) - min(end1, end2)


def merge_close(boxes: list[Alignment], max_gap: int) -> list[Alignment]:
    """Merge alignments whose spans are within ``max_gap`` tokens in both documents."""
    merged = sorted(boxes, key=lambda x: (x.a.start, x.b.start))
    changed = True
    while changed:
        changed = False
        result: list[Alignment] = []
        for box in merged:
            for k, other in enumerate(result):
                if (
                    _gap(box.a.start, box.a.end, other.a.start, other.a.end) <= max_gap
                    and _gap(box.b.start, box.b.end, other.b.start, other.b.end) <= max_gap
                ):
                    result[k] = union(other, box)
                    changed = True
                    break
            else:
                result.append(box)
        merged = sorted(result, key=lambda x: (x.a.start, x.b.start))
    return merged


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
    boxes = [
        Alignment(
            Span(doc_a, chain[0][0], chain[-1][0] + n),
            Span(doc_b, chain[0][1], chain[-1][1] + n),
            len(chain),
        )
        for chain in chains(anchors(ngrams_a, ngrams_b, regions), max_gap, max_shift)
        if len(chain) >= MIN_ANCHORS
    ]
    return merge_close(boxes, max_gap)


def split_at_inserted_paragraphs(
    alignment: Alignment,
    words_a: np.ndarray,
    words_b: np.ndarray,
    breaks_a: frozenset[int],
    breaks_b: frozenset[int],
) -> list[Alignment]:
    """The verbatim pieces of ``alignment`` when its sides differ only by whole paragraphs
    that one side has and the other lacks (a speaker label, a caption); otherwise
    ``[alignment]``. ``words_*`` hold each document's word hashes by token.

    ``breaks_*`` are the token indices at which each document's paragraphs begin, plus
    its token count: every token lies in a paragraph, so ``[s, e)`` is a run of whole
    paragraphs exactly when both ``s`` and ``e`` are breaks.
    """
    a, b = alignment.a, alignment.b
    side_a, side_b = words_a[a.start : a.end].tolist(), words_b[b.start : b.end].tolist()
    if side_a == side_b or max(len(side_a), len(side_b)) > SPLIT_WORDS:
        return [alignment]
    matcher = SequenceMatcher(None, side_a, side_b, False)
    pieces: list[Alignment] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            pieces.append(
                Alignment(
                    Span(a.doc, a.start + i1, a.start + i2), Span(b.doc, b.start + j1, b.start + j2)
                )
            )
        elif not (
            (tag == "delete" and {a.start + i1, a.start + i2} <= breaks_a)
            or (tag == "insert" and {b.start + j1, b.start + j2} <= breaks_b)
        ):
            return [alignment]
    return pieces


def ordered_matches(
    region: Alignment, keys_a: np.ndarray, keys_b: np.ndarray, max_gap: int
) -> list[Alignment]:
    """Passages inside ``region`` where the two sides share content words in the same order.

    ``keys_*`` hold a content key per token (0 for function words). The content words
    of both sides are aligned in order (difflib's longest matching blocks); the
    matched words are chained as anchors, allowing ``max_gap`` tokens between anchors
    and as much shift of the diagonal, so reworded clauses and inserted words are
    bridged while scattered topical hits stay apart. Each alignment's ``support`` is
    its number of matched words.
    """
    a, b = region.a, region.b
    pos_a = a.start + np.flatnonzero(keys_a[a.start : a.end])
    pos_b = b.start + np.flatnonzero(keys_b[b.start : b.end])
    matcher = SequenceMatcher(None, keys_a[pos_a].tolist(), keys_b[pos_b].tolist(), False)
    points = [
        (int(pos_a[block.a + k]), int(pos_b[block.b + k]))
        for block in matcher.get_matching_blocks()
        for k in range(block.size)
    ]
    boxes = [
        Alignment(
            Span(a.doc, chain[0][0], chain[-1][0] + 1),
            Span(b.doc, chain[0][1], chain[-1][1] + 1),
            len(chain),
        )
        for chain in chains(points, max_gap, max_gap)
        if len(chain) >= MIN_ANCHORS
    ]
    return merge_close(boxes, max_gap)


def snap(span: Span, bounds: np.ndarray) -> Span:
    """``span`` widened to whole sentences; ``bounds`` are the sorted token indices where
    sentences start, ending with the document's token count.
    """
    start = bounds[np.searchsorted(bounds, span.start, side="right") - 1]
    end = bounds[np.searchsorted(bounds, span.end, side="left")]
    return Span(span.doc, int(start), int(end))


def covered_share(alignment: Alignment, others: list[Alignment]) -> float:
    """The larger of the shares of ``alignment``'s two sides covered by the same sides of
    ``others`` (alignments of the same two documents).
    """
    shares = []
    for side in ("a", "b"):
        span = getattr(alignment, side)
        covered = np.zeros(span.words, dtype=bool)
        for other in others:
            theirs = getattr(other, side)
            covered[max(0, theirs.start - span.start) : max(0, theirs.end - span.start)] = True
        shares.append(float(covered.mean()) if span.words else 0.0)
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
