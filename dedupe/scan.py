"""The pipeline: read → normalise/segment → shingle → sign → candidates → verify/align →
provenance. ``scan`` runs it over files and folders and returns a ``ScanResult``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

import numpy as np

from .align import Alignment, Span, align, split_at_inserted_paragraphs
from .candidates import candidate_pairs
from .errors import DedupeError
from .normalise import Tokens, tokenise
from .provenance import Location, Passage, clusters, direction, document_date, excerpt, locate
from .read import Document, Skipped, read_paths
from .segment import Segment, paragraphs, segment
from .shingle import ngram_hashes, shingle_set, word_hashes
from .sign import signatures
from .verify import overlap, verify

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
    """One document after normalising and shingling."""

    doc: Document
    tokens: Tokens
    ngrams: np.ndarray
    segments: list[Segment]
    breaks: frozenset[int]


def prepare(index: int, doc: Document, params: Parameters) -> Prepared:
    """Tokenise, hash the n-grams of and segment one document."""
    tokens = tokenise(doc.text)
    ngrams = ngram_hashes(word_hashes(tokens.words), params.shingle_size)
    breaks = frozenset(tokens.index_at(start) for start, _ in paragraphs(doc.text))
    return Prepared(
        doc,
        tokens,
        ngrams,
        segment(index, doc.text, tokens, params.window_words),
        breaks | {len(tokens)},
    )


def matching_regions(
    prepared: list[Prepared], params: Parameters, log: Log
) -> dict[tuple[int, int], list[tuple[Span, Span]]]:
    """For each document pair ``(a, b)``, ``a < b``, the token regions whose segments
    were verified similar, widened by ``max_gap`` so alignment can bridge short
    paragraphs between them.
    """
    n = params.shingle_size
    segments = [s for p in prepared for s in p.segments if s.words >= params.min_words]
    sets = [shingle_set(prepared[s.doc].ngrams, s.start, s.end, n) for s in segments]
    sigs = signatures(sets, params.num_perm)
    log(f"signed {len(sigs)} segments")
    pairs = candidate_pairs(
        sigs, [s.doc for s in segments], params.candidate_threshold, params.num_perm
    )
    matches = verify(pairs, sets, params.candidate_threshold)
    log(f"{len(pairs)} candidate segment pairs, {len(matches)} verified")
    regions: dict[tuple[int, int], list[tuple[Span, Span]]] = defaultdict(list)
    for match in matches:
        a, b = segments[match.a], segments[match.b]
        regions[(a.doc, b.doc)].append((_widen(a, params.max_gap), _widen(b, params.max_gap)))
    return regions


def _widen(seg: Segment, by: int) -> Span:
    return Span(seg.doc, max(0, seg.start - by), seg.end + by)


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


def contained_share(prepared: list[Prepared], spans: list[Span]) -> float:
    """Share of a document's words covered by ``spans`` (all in that document)."""
    if not spans:
        return 0.0
    covered = np.zeros(len(prepared[spans[0].doc].tokens), dtype=bool)
    for span in spans:
        covered[span.start : span.end] = True
    return float(covered.mean())


def provenance(
    prepared: list[Prepared], found: list[tuple[Alignment, str, float]]
) -> list[Passage]:
    """Orient every alignment source → copy and number the clusters, in report order."""
    by_pair: dict[tuple[int, int], list[Alignment]] = defaultdict(list)
    for alignment, _, _ in found:
        by_pair[(alignment.a.doc, alignment.b.doc)].append(alignment)
    dates = [document_date(p.doc.text) for p in prepared]
    directions = {}
    for (a, b), group in by_pair.items():
        shares = (
            contained_share(prepared, [x.a for x in group]),
            contained_share(prepared, [x.b for x in group]),
        )
        directions[(a, b)] = direction(
            (prepared[a].doc, prepared[b].doc), (dates[a], dates[b]), shares
        )
    oriented = []
    for alignment, kind, sim in found:
        way = directions[(alignment.a.doc, alignment.b.doc)]
        src, cpy = (alignment.a, alignment.b) if way.source == 0 else (alignment.b, alignment.a)
        oriented.append((_location(prepared, src), _location(prepared, cpy), kind, sim, cpy, way))
    oriented.sort(key=lambda o: (o[0].path, o[0].start_char, o[1].path, o[1].start_char))
    numbers = clusters([(o[0], o[1]) for o in oriented])
    return [
        Passage(
            number,
            kind,
            round(sim, 4),
            cpy.words,
            way.evidence,
            src_loc,
            cpy_loc,
            excerpt(prepared[cpy.doc].doc.text[cpy_loc.start_char : cpy_loc.end_char]),
        )
        for number, (src_loc, cpy_loc, kind, sim, cpy, way) in zip(numbers, oriented, strict=True)
    ]


def _location(prepared: list[Prepared], span: Span) -> Location:
    tokens = prepared[span.doc].tokens
    start, end = int(tokens.starts[span.start]), int(tokens.ends[span.end - 1])
    return locate(prepared[span.doc].doc, start, end)


def passages_of_pair(
    prepared: list[Prepared],
    a: int,
    b: int,
    regions: list[tuple[Span, Span]],
    params: Parameters,
) -> list[tuple[Alignment, str, float]]:
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


def scan(paths: list[str], params: Parameters, log: Log = lambda _: None) -> ScanResult:
    """Find the passages reused across the files under ``paths`` and orient them."""
    params.check()
    collection = read_paths(paths)
    log(f"read {len(collection.documents)} documents, skipped {len(collection.skipped)}")
    prepared = [prepare(k, doc, params) for k, doc in enumerate(collection.documents)]
    regions = matching_regions(prepared, params, log)
    found = [
        scored
        for (a, b), pair_regions in sorted(regions.items())
        for scored in passages_of_pair(prepared, a, b, pair_regions, params)
    ]
    passages = provenance(prepared, found)
    log(f"{len(passages)} reused passages")
    documents = [
        DocumentInfo(
            p.doc.path,
            document_date(p.doc.text),
            len(p.tokens),
            p.doc.text.count("\n") + (not p.doc.text.endswith("\n")),
            p.doc.encoding,
        )
        for p in prepared
    ]
    return ScanResult(params, documents, passages, collection.skipped, collection.notes)
