"""The pipeline: read → normalise/segment → shingle → sign → candidates → verify/align →
provenance. ``scan`` runs it over files and folders and returns a ``ScanResult``.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from functools import reduce
from typing import Protocol

import numpy as np

from .align import (
    Alignment,
    Span,
    align,
    covered_share,
    merge_close,
    ordered_matches,
    reordered_runs,
    snap,
    split_at_inserted_paragraphs,
    union,
)
from .candidates import candidate_pairs
from .errors import DedupeError
from .normalise import Tokens, tokenise
from .provenance import Facts, Passage, Reuse, Side, document_date, excerpt, locate, orient
from .read import Document, Skipped, read_paths
from .segment import Segment, paragraphs, segment, sentence_bounds
from .shingle import content_hashes, content_set, ngram_hashes, shingle_set, word_hashes
from .sign import nonempty_signatures
from .verify import (
    Weights,
    idf_weights,
    ordered_similarity,
    overlap,
    verify,
    verify_weighted,
)

Log = Callable[[str], None]


@dataclass(frozen=True)
class Parameters:
    """Everything that decides what ``scan`` reports. Echoed in every report."""

    threshold: float = 0.5
    num_perm: int = 128
    shingle_size: int = 3
    min_words: int = 10
    window_words: int = 50
    candidate_threshold: float = 0.3
    max_gap: int = 20
    max_shift: int = 10
    paraphrase: bool = True
    paraphrase_similarity: str = (
        "idf-weighted share of stemmed content words matched in order (difflib blocks)"
    )
    paraphrase_threshold: float = 0.35
    paraphrase_window_threshold: float = 0.2
    paraphrase_candidate_threshold: float = 0.15
    paraphrase_min_matches: int = 8
    paraphrase_max_bucket: int | None = 20

    def lsh_threshold(self, family: str) -> float:
        """The LSH Jaccard threshold of a shingle family ("verbatim" or "content")."""
        if family == "verbatim":
            return self.candidate_threshold
        return self.paraphrase_candidate_threshold

    def check(self) -> None:
        """Raise ``DedupeError`` for values the pipeline cannot work with."""
        if not 0.0 < self.threshold <= 1.0:
            raise DedupeError(f"--threshold must be in (0, 1], got {self.threshold}")
        if not 0.0 < self.candidate_threshold <= 1.0:
            raise DedupeError(
                f"candidate threshold must be in (0, 1], got {self.candidate_threshold}"
            )
        if self.num_perm < 16:
            raise DedupeError(f"--num-perm must be at least 16, got {self.num_perm}")
        if self.shingle_size < 1:
            raise DedupeError(f"--shingle-size must be at least 1, got {self.shingle_size}")
        if self.min_words < self.shingle_size:
            raise DedupeError("--min-words must be at least --shingle-size")
        if self.window_words < 2 * self.shingle_size:
            raise DedupeError("window_words must be at least twice --shingle-size")


@dataclass(frozen=True)
class DocumentInfo:
    """A scanned document as reports describe it."""

    path: str
    date: date | None
    words: int
    lines: int
    encoding: str


@dataclass
class ScanResult:
    """What ``scan`` found: documents, reused passages, and the files it skipped."""

    parameters: Parameters
    documents: list[DocumentInfo]
    passages: list[Passage]
    skipped: list[Skipped] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Prepared:
    """One document after normalising, segmenting and shingling (both families)."""

    doc: Document
    tokens: Tokens
    ngrams: np.ndarray
    content: np.ndarray
    segments: list[Segment]
    breaks: frozenset[int]
    sentences: np.ndarray


def prepare(index: int, doc: Document, params: Parameters) -> Prepared:
    """Tokenise, segment and shingle one document."""
    tokens = tokenise(doc.text)
    hashes = word_hashes(tokens.words)
    return Prepared(
        doc,
        tokens,
        ngram_hashes(hashes, params.shingle_size),
        content_hashes(tokens.words),
        segment(index, doc.text, tokens, params.window_words),
        frozenset(tokens.index_at(start) for start, _ in paragraphs(doc.text)) | {len(tokens)},
        np.array(sentence_bounds(doc.text, tokens), dtype=np.int64),
    )


VERBATIM, CONTENT = "verbatim", "content"


class Candidates(Protocol):
    """Where candidate segment pairs and rarity weights come from: LSH over the scanned
    segments (``InMemory``) or a persistent index (``dedupe.index``).
    """

    def pairs(
        self, family: str, segments: list[Segment], sets: list[np.ndarray]
    ) -> list[tuple[int, int]]:
        """Sorted pairs ``(i, j)``, ``i < j``, of indices into ``segments`` from different
        documents whose ``family`` sketches ("verbatim" or "content") collide."""
        ...

    def weights(self, sets: list[np.ndarray]) -> Weights:
        """Rarity weights of content shingles for the collection."""
        ...


@dataclass(frozen=True)
class InMemory:
    """Candidates from ``MinHashLSH`` over the segments being scanned."""

    params: Parameters

    def pairs(
        self, family: str, segments: list[Segment], sets: list[np.ndarray]
    ) -> list[tuple[int, int]]:
        threshold = self.params.lsh_threshold(family)
        cap = self.params.paraphrase_max_bucket if family == CONTENT else None
        return similar_segments(segments, sets, threshold, self.params.num_perm, cap)

    def weights(self, sets: list[np.ndarray]) -> Weights:
        return idf_weights(sets)


def family_sets(
    prepared: list[Prepared], segments: list[Segment], family: str, params: Parameters
) -> list[np.ndarray]:
    """Each segment's shingle set in ``family``: its word n-grams ("verbatim") or its
    content words ("content")."""
    if family == VERBATIM:
        n = params.shingle_size
        return [shingle_set(prepared[s.doc].ngrams, s.start, s.end, n) for s in segments]
    return [content_set(prepared[s.doc].content, s.start, s.end) for s in segments]


def similar_segments(
    segments: list[Segment],
    sets: list[np.ndarray],
    threshold: float,
    num_perm: int,
    max_bucket: int | None = None,
) -> list[tuple[int, int]]:
    """Pairs of segments from different documents whose sets' MinHashes share an LSH
    bucket at Jaccard ``threshold`` (of at most ``max_bucket`` members); segments with
    an empty set are left out.
    """
    signed = [(k, sig) for k, sig in enumerate(nonempty_signatures(sets, num_perm)) if sig]
    kept = [k for k, _ in signed]
    docs = [segments[k].doc for k in kept]
    pairs = candidate_pairs([sig for _, sig in signed], docs, threshold, num_perm, max_bucket)
    return [(kept[i], kept[j]) for i, j in pairs]


def matching_regions(
    prepared: list[Prepared],
    segments: list[Segment],
    params: Parameters,
    candidates: Candidates,
    log: Log,
) -> dict[tuple[int, int], list[tuple[Span, Span]]]:
    """For each document pair ``(a, b)``, ``a < b``, the token regions whose segments
    share word n-grams, widened by ``max_gap`` so alignment can bridge short
    paragraphs between them.
    """
    sets = family_sets(prepared, segments, VERBATIM, params)
    pairs = candidates.pairs(VERBATIM, segments, sets)
    matches = verify(pairs, sets, params.candidate_threshold)
    log(f"word n-grams: {len(pairs)} candidate segment pairs, {len(matches)} verified")
    regions: dict[tuple[int, int], list[tuple[Span, Span]]] = defaultdict(list)
    for match in matches:
        a, b = segments[match.a], segments[match.b]
        regions[(a.doc, b.doc)].append((_widen(a, params.max_gap), _widen(b, params.max_gap)))
    return regions


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
    return (
        prepared[a.doc].tokens.words[a.start : a.end]
        == (prepared[b.doc].tokens.words[b.start : b.end])
    )


def reuses(prepared: list[Prepared], found: list[Found]) -> list[Reuse]:
    """The found alignments as ``Reuse`` records, located in their files."""
    return [
        Reuse(_side(prepared, alignment.a), _side(prepared, alignment.b), kind, sim)
        for alignment, kind, sim in found
    ]


def _side(prepared: list[Prepared], span: Span) -> Side:
    doc, tokens = prepared[span.doc].doc, prepared[span.doc].tokens
    start, end = int(tokens.starts[span.start]), int(tokens.ends[span.end - 1])
    return Side(locate(doc, start, end), span.start, span.end, excerpt(doc.text[start:end]))


def facts(prepared: list[Prepared]) -> dict[str, Facts]:
    """What orientation needs to know of each prepared document, by path."""
    return {
        p.doc.path: Facts(len(p.tokens), document_date(p.doc.text), p.doc.mtime) for p in prepared
    }


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
            whole, pa.tokens.words, pb.tokens.words, pa.breaks, pb.breaks
        ):
            if min(alignment.a.words, alignment.b.words) < params.min_words:
                continue
            sim = similarity(prepared, alignment, params.shingle_size)
            if sim >= params.threshold:
                kind = "verbatim" if is_verbatim(prepared, alignment) else "near"
                result.append((alignment, kind, sim))
    return result


def verbatim_passages(
    prepared: list[Prepared],
    segments: list[Segment],
    params: Parameters,
    candidates: Candidates,
    log: Log,
) -> list[Found]:
    """Verbatim and near passages: shared word n-grams, aligned."""
    regions = matching_regions(prepared, segments, params, candidates, log)
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
    segments: list[Segment],
    params: Parameters,
    candidates: Candidates,
    taken: list[Found],
    log: Log,
) -> list[Found]:
    """Re-translated and reworded passages: stemmed content words shared in order.

    Segment pairs whose content-word sets collide in LSH are verified by rarity-weighted
    Jaccard (weights from the scanned collection, so words every document uses count
    for nothing); verified pairs close together in both documents form regions. Inside a
    region the content words of both sides are aligned in order and chained (see
    ``align.ordered_matches``): real reuse is a run of matches in the same order, topical
    likeness only scattered hits. Chains of at least ``paraphrase_min_matches`` words,
    widened to whole sentences, with ``paraphrase_threshold`` ordered similarity, are
    reported, unless mostly covered by a verbatim or near passage of the same pair.
    """
    sets = family_sets(prepared, segments, CONTENT, params)
    weights = candidates.weights(sets)
    pairs = candidates.pairs(CONTENT, segments, sets)
    matches = verify_weighted(pairs, sets, weights, params.paraphrase_window_threshold)
    log(f"content words: {len(pairs)} candidate segment pairs, {len(matches)} verified")
    windows: dict[tuple[int, int], list[Alignment]] = defaultdict(list)
    for m in matches:
        a, b = segments[m.a], segments[m.b]
        windows[(a.doc, b.doc)].append(Alignment(_span(a), _span(b)))
    verbatim: dict[tuple[int, int], list[Alignment]] = defaultdict(list)
    for alignment, _, _ in taken:
        verbatim[(alignment.a.doc, alignment.b.doc)].append(alignment)

    found = []
    for (a, b), pair_windows in sorted(windows.items()):
        pa, pb = prepared[a], prepared[b]
        snapped = [
            Alignment(snap(m.a, pa.sentences), snap(m.b, pb.sentences), m.support)
            for region in merge_close(pair_windows, params.max_gap)
            for m in ordered_matches(region, pa.content, pb.content, params.max_gap)
        ]
        for passage in merge_close(snapped, params.max_gap):
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


def signed_segments(prepared: list[Prepared], params: Parameters) -> list[Segment]:
    """The segments long enough to sign: at least ``min_words`` words."""
    return [s for p in prepared for s in p.segments if s.words >= params.min_words]


def find_reuses(
    prepared: list[Prepared], params: Parameters, candidates: Candidates, log: Log
) -> list[Reuse]:
    """Verbatim, near and (unless disabled) paraphrase passages between the prepared
    documents, not yet oriented."""
    segments = signed_segments(prepared, params)
    log(f"{len(segments)} segments")
    with stage("verbatim", log):
        found = verbatim_passages(prepared, segments, params, candidates, log)
    if params.paraphrase:
        with stage("paraphrase", log):
            found += paraphrase_passages(prepared, segments, params, candidates, found, log)
    return reuses(prepared, join_reordered(prepared, found, params))


def join_reordered(prepared: list[Prepared], found: list[Found], params: Parameters) -> list[Found]:
    """``found`` with the pieces of each reordered passage joined into one (see
    ``align.reordered_runs``; pieces may be up to ``2 * max_gap`` tokens apart, room for
    a sentence that was not matched). A joined passage is ``near`` with its word n-gram
    similarity, or ``paraphrase`` with its pieces' similarity weighted by their words
    when a piece is a paraphrase."""
    by_pair: dict[tuple[int, int], list[Found]] = defaultdict(list)
    for item in found:
        by_pair[(item[0].a.doc, item[0].b.doc)].append(item)
    result = []
    for _, items in sorted(by_pair.items()):
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


@contextmanager
def stage(name: str, log: Log) -> Iterator[None]:
    """Log ``stage NAME: SECONDS s`` when the block is done."""
    started = time.perf_counter()
    yield
    log(f"stage {name}: {time.perf_counter() - started:.3f} s")


def find_passages(
    prepared: list[Prepared], params: Parameters, candidates: Candidates, log: Log
) -> list[Passage]:
    """``find_reuses``, oriented source → copy, in report order."""
    found = find_reuses(prepared, params, candidates, log)
    with stage("provenance", log):
        passages = orient(found, facts(prepared))
    log(f"{len(passages)} reused passages")
    return passages


def describe(doc: Document, words: int) -> DocumentInfo:
    """How reports describe a document."""
    lines = doc.text.count("\n") + (not doc.text.endswith("\n"))
    return DocumentInfo(doc.path, document_date(doc.text), words, lines, doc.encoding)


def scan(paths: list[str], params: Parameters, log: Log = lambda _: None) -> ScanResult:
    """Find the passages reused across the files under ``paths`` and orient them."""
    params.check()
    with stage("read", log):
        collection = read_paths(paths)
    log(f"read {len(collection.documents)} documents, skipped {len(collection.skipped)}")
    with stage("prepare", log):
        prepared = [prepare(k, doc, params) for k, doc in enumerate(collection.documents)]
    passages = find_passages(prepared, params, InMemory(params), log)
    documents = [describe(p.doc, len(p.tokens)) for p in prepared]
    return ScanResult(params, documents, passages, collection.skipped, collection.notes)
