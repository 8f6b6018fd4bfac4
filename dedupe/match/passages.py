"""Stage 6b, verify/align → passages: from the candidate segment pairs of a group of
documents to the passages they share (``Reuse``, not yet oriented).

A group's candidate pairs (``KnownPairs``: from a scan's LSH or from an index) are
verified if need be, then aligned: word n-gram anchors chained into ``verbatim`` and
``near`` passages, stemmed content words matched in order into ``paraphrase`` passages,
documents established as two renderings of one text filled between their passages
(``dedupe.match.fill``), and reordered pieces of one passage joined. ``align_group`` is one
such task, as a worker runs it.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from functools import reduce

import numpy as np

from ..arrays import covered
from ..instrument import Log, collector_paused, stage
from ..model import Reuse, Side, excerpt, locate
from ..parameters import CONTENT, VERBATIM, Parameters
from ..text.prepared import Prepared, PreparedStore, prepared_again
from ..text.segment import Segment
from ..text.shingle import SetTable, content_spans, range_sets, shingle_set, verbatim_spans
from .align import (
    Alignment,
    Span,
    align,
    covered_share,
    reordered_runs,
    split_at_inserted_paragraphs,
    union,
)
from .fill import crossing, established, fill
from .ordered import ordered_runs
from .verify import Weights, ordered_similarity, overlap, passing, passing_weighted


def family_sets(
    prepared: list[Prepared], segments: list[Segment], family: str, params: Parameters
) -> list[np.ndarray]:
    """Each segment's shingle set in ``family``: its word n-grams ("verbatim") or its
    content words ("content"), computed a document at a time."""
    by_doc: dict[int, list[int]] = defaultdict(list)
    for k, seg in enumerate(segments):
        by_doc[seg.doc].append(k)
    result: list[np.ndarray] = [np.empty(0, dtype=np.uint32)] * len(segments)
    for doc, members in by_doc.items():
        ranges = np.array([(segments[k].start, segments[k].end) for k in members], dtype=np.int64)
        if family == VERBATIM:
            ngrams = prepared[doc].ngrams
            table = range_sets(ngrams, verbatim_spans(ngrams, ranges, params.shingle_size))
        else:
            table = range_sets(*content_spans(prepared[doc].content, ranges))
        for position, k in enumerate(members):
            result[k] = table[position]
    return result


def matching_regions(
    prepared: list[Prepared], params: Parameters, candidates: KnownPairs, log: Log
) -> dict[tuple[int, int], list[tuple[Span, Span]]]:
    """For each document pair ``(a, b)``, ``a < b``, the token regions whose segments
    share word n-grams, widened by ``max_gap`` so alignment can bridge short
    paragraphs between them.
    """
    segments, pairs = verified_pairs(prepared, VERBATIM, params, candidates, log)
    regions: dict[tuple[int, int], list[tuple[Span, Span]]] = defaultdict(list)
    for i, j in pairs.tolist():
        a, b = segments[i], segments[j]
        regions[(a.doc, b.doc)].append((_widen(a, params.max_gap), _widen(b, params.max_gap)))
    return regions


def verified_pairs(
    prepared: list[Prepared], family: str, params: Parameters, candidates: KnownPairs, log: Log
) -> tuple[list[Segment], np.ndarray]:
    """The segments ``candidates`` name in ``family`` and the pairs of them that verify:
    word n-gram Jaccard or containment of at least ``candidate_threshold``, or
    rarity-weighted content-word Jaccard of at least ``paraphrase_window_threshold``
    (pairs that a scan verified already are taken as they are)."""
    segments, pairs = candidates.pairs(family, prepared)
    if not candidates.verified and len(pairs):
        sets = family_sets(prepared, segments, family, params)
        if family == VERBATIM:
            keep = passing(pairs, sets, params.candidate_threshold)
        else:
            threshold = params.paraphrase_window_threshold
            keep = passing_weighted(pairs, SetTable.of(sets), candidates.weights, threshold)
        log(f"{family}: {len(pairs)} candidate segment pairs, {int(keep.sum())} verified")
        pairs = pairs[keep]
    return segments, pairs


def _widen(seg: Segment, by: int) -> Span:
    return Span(seg.doc, max(0, seg.start - by), seg.end + by)


def _span(seg: Segment) -> Span:
    return Span(seg.doc, seg.start, seg.end)


def similarity(prepared: list[Prepared], alignment: Alignment, n: int) -> float:
    """Exact Jaccard similarity of the n-gram sets of an alignment's two spans."""
    a, b = alignment.a, alignment.b
    set_a = shingle_set(prepared[a.doc].ngrams, a.start, a.end, n)
    set_b = shingle_set(prepared[b.doc].ngrams, b.start, b.end, n)
    return overlap(set_a, set_b)[0]


def is_verbatim(prepared: list[Prepared], alignment: Alignment) -> bool:
    """True when both spans hold the same normalised words in the same order."""
    a, b = alignment.a, alignment.b
    return np.array_equal(
        prepared[a.doc].hashes[a.start : a.end], prepared[b.doc].hashes[b.start : b.end]
    )


def reuses(prepared: list[Prepared], found: list[Found], candidates: KnownPairs) -> list[Reuse]:
    """The found alignments as ``Reuse`` records, located in their files; the verbatim
    and near ones lying in the segments of a boilerplate family (``candidates``'
    ``BOILERPLATE`` pairs) on both sides marked ``boilerplate``: the family's text. (A
    paraphrase beside it in the same segments is not that text.)"""
    families = _family_spans(prepared, candidates)
    return [
        Reuse(
            _side(prepared, alignment.a),
            _side(prepared, alignment.b),
            kind,
            sim,
            boilerplate=kind != "paraphrase" and _in_family(alignment, families),
        )
        for alignment, kind, sim in found
    ]


BOILERPLATE = "boilerplate"
"""The collisions key of the ``(representative, member)`` segment pairs of boilerplate
families, among the verbatim ones (``dedupe.match.families``), when what they align is
to be marked as found (a query's: see ``pipeline.scan.Sources.partial``)."""
IN_FAMILY = 0.5
"""Share of each side of a passage lying in a boilerplate family's segments for the
passage to be that family's text."""


def _family_spans(
    prepared: list[Prepared], candidates: KnownPairs
) -> dict[tuple[int, int], dict[int, list[tuple[int, int]]]]:
    """For each document pair ``(a, b)``, ``a < b``, the token ranges of the segments
    that its boilerplate family pairs hold, by document."""
    segments, pairs = candidates.pairs(BOILERPLATE, prepared)
    spans: dict[tuple[int, int], dict[int, list[tuple[int, int]]]] = defaultdict(
        lambda: defaultdict(list)
    )
    for i, j in pairs.tolist():
        a, b = segments[i], segments[j]
        for seg in (a, b):
            spans[(a.doc, b.doc)][seg.doc].append((seg.start, seg.end))
    return spans


def _in_family(alignment: Alignment, families: dict) -> bool:
    held = families.get((alignment.a.doc, alignment.b.doc))
    return held is not None and all(
        covered(held[span.doc], span.start, span.end) >= IN_FAMILY * span.words
        for span in (alignment.a, alignment.b)
    )


def _side(prepared: list[Prepared], span: Span) -> Side:
    doc, starts, ends = prepared[span.doc].doc, prepared[span.doc].starts, prepared[span.doc].ends
    start, end = int(starts[span.start]), int(ends[span.end - 1])
    # Punctuation joined to the first and last words belongs to the passage: an opening
    # quote or bracket, a closing one, a full stop (never reaching into another word).
    lo = int(ends[span.start - 1]) if span.start > 0 else 0
    hi = int(starts[span.end]) if span.end < len(starts) else len(doc.text)
    while start > lo and not doc.text[start - 1].isspace():
        start -= 1
    while end < hi and not doc.text[end].isspace():
        end += 1
    return Side(locate(doc, start, end), span.start, span.end, excerpt(doc.text[start:end]))


Found = tuple[Alignment, str, float]


def passages_of_pair(
    prepared: list[Prepared],
    a: int,
    b: int,
    regions: list[tuple[Span, Span]],
    params: Parameters,
) -> list[Found]:
    """Aligned passages of documents ``a`` and ``b`` with their kind and similarity,
    keeping those of at least ``min_words`` words and ``threshold`` similarity.
    """
    pa, pb = prepared[a], prepared[b]
    aligned = align(
        a, b, pa.ngrams, pb.ngrams, regions, params.shingle_size, params.max_gap, params.max_shift
    )
    result = []
    for whole in aligned:
        for alignment in split_at_inserted_paragraphs(
            whole, pa.hashes, pb.hashes, pa.breaks, pb.breaks
        ):
            if min(alignment.a.words, alignment.b.words) < params.min_words:
                continue
            sim = similarity(prepared, alignment, params.shingle_size)
            if sim >= params.threshold:
                kind = "verbatim" if is_verbatim(prepared, alignment) else "near"
                result.append((alignment, kind, sim))
    return result


def verbatim_passages(
    prepared: list[Prepared], params: Parameters, candidates: KnownPairs, log: Log
) -> list[Found]:
    """Verbatim and near passages: shared word n-grams, aligned."""
    regions = matching_regions(prepared, params, candidates, log)
    return [
        found
        for (a, b), pair_regions in sorted(regions.items())
        for found in passages_of_pair(prepared, a, b, pair_regions, params)
    ]


def _content_keys(prepared: Prepared, span: Span) -> np.ndarray:
    keys = prepared.content[span.start : span.end]
    return keys[keys != 0]


def paraphrase_passages(
    prepared: list[Prepared],
    params: Parameters,
    candidates: KnownPairs,
    taken: list[Found],
    log: Log,
) -> list[Found]:
    """Re-translated and reworded passages: stemmed content words shared in order.

    Segment pairs whose content-word sets collide in LSH are verified by rarity-weighted
    Jaccard (weights from the scanned collection, so words every document uses count
    for nothing); verified pairs close together in both documents form regions. Inside a
    region the content words of both sides are aligned in order and chained (see
    ``ordered.ordered_runs``): real reuse is a run of matches in the same order, topical
    likeness only scattered hits. Chains of at least ``paraphrase_min_matches`` words,
    widened to whole sentences, with ``paraphrase_threshold`` ordered similarity, are
    reported, unless mostly covered by a verbatim or near passage of the same pair.
    """
    segments, pairs = verified_pairs(prepared, CONTENT, params, candidates, log)
    weights = candidates.weights
    windows: dict[tuple[int, int], list[Alignment]] = defaultdict(list)
    for i, j in pairs.tolist():
        a, b = segments[i], segments[j]
        windows[(a.doc, b.doc)].append(Alignment(_span(a), _span(b)))
    verbatim: dict[tuple[int, int], list[Alignment]] = defaultdict(list)
    for alignment, _, _ in taken:
        verbatim[(alignment.a.doc, alignment.b.doc)].append(alignment)

    found = []
    for (a, b), pair_windows in sorted(windows.items()):
        pa, pb = prepared[a], prepared[b]
        runs = ordered_runs(
            pair_windows, pa.content, pb.content, pa.sentences, pb.sentences, params.max_gap
        )
        for passage in runs:
            if (
                passage.support < params.paraphrase_min_matches
                or min(passage.a.words, passage.b.words) < params.min_words
                or covered_share(passage, verbatim[(a, b)]) >= 0.5
            ):
                continue
            sim = ordered_similarity(
                _content_keys(pa, passage.a), _content_keys(pb, passage.b), weights
            )
            if sim >= params.paraphrase_threshold:
                found.append((passage, "paraphrase", sim))
    return found


def find_reuses(
    prepared: list[Prepared], params: Parameters, candidates: KnownPairs, log: Log
) -> list[Reuse]:
    """Verbatim, near and (unless disabled) paraphrase passages between the prepared
    documents, not yet oriented."""
    with stage("verbatim", log):
        found = verbatim_passages(prepared, params, candidates, log)
    filled = []
    if params.paraphrase:
        with stage("paraphrase", log):
            found += paraphrase_passages(prepared, params, candidates, found, log)
        with stage("fill", log):
            found, filled = filled_passages(prepared, params, candidates.weights, found)
    return reuses(prepared, join_reordered(prepared, found, params), candidates) + filled


def filled_passages(
    prepared: list[Prepared], params: Parameters, weights: Weights, found: list[Found]
) -> tuple[list[Found], list[Reuse]]:
    """The text between the in-order passages of each document pair established as two
    renderings of one text, aligned sentence by sentence and joined with the paraphrase
    passages it touches (``dedupe.match.fill``); and ``found`` without the passages so joined
    and without the paraphrases crossing the alignment (``fill.crossing``)."""
    kept, filled = [], []
    for (a, b), items in by_pair(found):
        chain = established(items, params)
        runs, joined = fill(prepared[a], prepared[b], [items[k] for k in chain], weights, params)
        taken = {chain[k] for k in joined} | crossing(items, chain, runs)
        kept += [item for k, item in enumerate(items) if k not in taken]
        for run in runs:
            note = (
                f"filled between {run.anchors} passages in order: {run.matches} sentence "
                f"matches joined with {run.passages} passages"
            )
            sides = _side(prepared, run.alignment.a), _side(prepared, run.alignment.b)
            filled.append(Reuse(*sides, "paraphrase", run.similarity, note))
    return kept, filled


def by_pair(found: list[Found]) -> list[tuple[tuple[int, int], list[Found]]]:
    """``found`` grouped by document pair ``(a, b)``, pairs in order, each group in the
    order found."""
    groups: dict[tuple[int, int], list[Found]] = defaultdict(list)
    for item in found:
        groups[(item[0].a.doc, item[0].b.doc)].append(item)
    return sorted(groups.items())


def join_reordered(prepared: list[Prepared], found: list[Found], params: Parameters) -> list[Found]:
    """``found`` with the pieces of each reordered passage joined into one (see
    ``align.reordered_runs``; pieces may be up to ``2 * max_gap`` tokens apart, room for
    a sentence that was not matched). A joined passage is ``near`` with its word n-gram
    similarity, or ``paraphrase`` with its pieces' similarity weighted by their words
    when a piece is a paraphrase."""
    result = []
    for _, items in by_pair(found):
        joined: set[int] = set()
        for run in reordered_runs([item[0] for item in items], 2 * params.max_gap):
            joined.update(run)
            result.append(_joined(prepared, [items[k] for k in run], params))
        result += [item for k, item in enumerate(items) if k not in joined]
    return result


def _joined(prepared: list[Prepared], pieces: list[Found], params: Parameters) -> Found:
    alignment = reduce(union, [piece for piece, _, _ in pieces])
    if any(kind == "paraphrase" for _, kind, _ in pieces):
        words = sum(piece.a.words for piece, _, _ in pieces)
        sim = sum(piece.a.words * s for piece, _, s in pieces) / words
        return alignment, "paraphrase", sim
    return alignment, "near", similarity(prepared, alignment, params.shingle_size)


SegmentKey = tuple[str, int, int]
"""A segment named by its document's path and its token range ``[start, end)``."""


@dataclass(frozen=True)
class KnownPairs:
    """Candidate segment pairs found beforehand, by a scan's LSH or in a persistent index
    (``dedupe.store.index``): ``collisions[family]`` holds pairs of segment keys whose
    ``family`` sketches ("verbatim" or "content") collide; ``doc_keys[k]`` is the path
    under which prepared document ``k`` appears in them. ``weights`` are the rarity
    weights of content shingles, learnt from the whole collection. ``verified``: the
    pairs passed the same checks already (a scan verifies them before alignment)."""

    doc_keys: list[str]
    collisions: dict[str, list[tuple[SegmentKey, SegmentKey]]]
    weights: Weights
    verified: bool = False

    def pairs(self, family: str, prepared: list[Prepared]) -> tuple[list[Segment], np.ndarray]:
        """The segments that ``family``'s collisions name in different prepared
        documents, in document order, and the sorted distinct pairs ``(i, j)``, ``i < j``,
        of indices into them that collide."""
        number = {path: k for k, path in enumerate(self.doc_keys)}
        found = set()
        for a, b in self.collisions.get(family, ()):
            doc_a, doc_b = number.get(a[0]), number.get(b[0])
            if doc_a is not None and doc_b is not None and doc_a != doc_b:
                found.add(((doc_a, a[1], a[2]), (doc_b, b[1], b[2])))
        keys = sorted({key for pair in found for key in pair})
        index = {key: k for k, key in enumerate(keys)}
        pairs = sorted({tuple(sorted((index[a], index[b]))) for a, b in found})
        segments = [
            Segment(doc, start, end, int(p.starts[start]), int(p.ends[end - 1]))
            for doc, start, end in keys
            for p in (prepared[doc],)
        ]
        return segments, np.array(pairs, dtype=np.int64).reshape(-1, 2)


@dataclass(frozen=True)
class AlignmentTask:
    """Documents to align with each other, and the candidate segment pairs between
    them by shingle family."""

    files: list[tuple[str, str]]
    collisions: dict[str, list[tuple[SegmentKey, SegmentKey]]]
    verified: bool = False


CHANGED = "changed during the scan; left out"


def align_group(
    group: AlignmentTask,
    weights: Weights,
    params: Parameters,
    store: PreparedStore | None = None,
    changed: str = CHANGED,
) -> tuple[list[Reuse], list]:
    """The passages the group's candidate pairs lead to, and notes ``PATH: changed``
    on files that changed since they were signed (documents are taken from ``store``
    if given, else read again)."""
    with collector_paused():  # in a worker that was not forked from a paused scan
        prepared, notes = prepared_again(group.files, params, changed, store=store)
        doc_keys = [p.doc.path for p in prepared]
        candidates = KnownPairs(doc_keys, group.collisions, weights, group.verified)
        return find_reuses(prepared, params, candidates, lambda _: None), notes
