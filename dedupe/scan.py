"""The pipeline: read → normalise/segment → shingle → sign → candidates → verify/align →
provenance. ``scan`` runs it over files and folders and returns a ``ScanResult``.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from functools import reduce

import numpy as np

from .align import (
    Alignment,
    Span,
    align,
    chain_labels,
    covered_share,
    merge_close,
    ordered_matches,
    reordered_runs,
    snap,
    split_at_inserted_paragraphs,
    union,
)
from .arrays import unique
from .candidates import BandStore, bucket_links, bucket_pairs, unique_pairs
from .executors import Executor, Local, available_cores
from .families import Check, family_pairs
from .fill import crossing, established, fill, lexical_scores, matched_sentences
from .parameters import CONTENT, VERBATIM, Parameters
from .prepared import Prepared, PreparedStore, prepared_again, prepared_store
from .provenance import (
    Facts,
    Passage,
    Reuse,
    Side,
    document_date,
    excerpt,
    locate,
    mark_boilerplate,
    orient,
    source_rank,
)
from .read import Skipped, list_files
from .segment import Segment
from .sequence import matching_blocks
from .shingle import (
    SetSpill,
    SetTable,
    content_spans,
    range_sets,
    shingle_set,
    verbatim_spans,
)
from .sign import range_signatures
from .sketch import DocumentInfo, Sketch, concat, sketch_files
from .verify import (
    WeightedSets,
    Weights,
    idf_weights,
    ordered_similarity,
    overlap,
    passing,
    passing_weighted,
)

Log = Callable[[str], None]


@dataclass
class ScanResult:
    """What ``scan`` found: documents, reused passages, and the files it skipped."""

    parameters: Parameters
    documents: list[DocumentInfo]
    passages: list[Passage]
    skipped: list[Skipped] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


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


def reuses(prepared: list[Prepared], found: list[Found]) -> list[Reuse]:
    """The found alignments as ``Reuse`` records, located in their files."""
    return [
        Reuse(_side(prepared, alignment.a), _side(prepared, alignment.b), kind, sim)
        for alignment, kind, sim in found
    ]


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


def facts(prepared: list[Prepared]) -> dict[str, Facts]:
    """What orientation needs to know of each prepared document, by path."""
    return {
        p.doc.path: Facts(p.words, p.doc.date or document_date(p.doc.text), p.doc.mtime)
        for p in prepared
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
    ``align.ordered_matches``): real reuse is a run of matches in the same order, topical
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
    return reuses(prepared, join_reordered(prepared, found, params)) + filled


def filled_passages(
    prepared: list[Prepared], params: Parameters, weights: Weights, found: list[Found]
) -> tuple[list[Found], list[Reuse]]:
    """The text between the in-order passages of each document pair established as two
    renderings of one text, aligned sentence by sentence and joined with the paraphrase
    passages it touches (``dedupe.fill``); and ``found`` without the passages so joined
    and without the paraphrases crossing the alignment (``fill.crossing``)."""
    by_pair: dict[tuple[int, int], list[Found]] = defaultdict(list)
    for item in found:
        by_pair[(item[0].a.doc, item[0].b.doc)].append(item)
    kept, filled = [], []
    for (a, b), items in sorted(by_pair.items()):
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
    """Log ``stage NAME: SECONDS s`` when the block is done, and the peak memory of this
    process so far."""
    started = time.perf_counter()
    yield
    log(f"stage {name}: {time.perf_counter() - started:.3f} s")
    log(f"peak memory after {name}: {peak_rss() >> 20} MB")


def peak_rss() -> int:
    """The largest resident set this process has had, in bytes (0 where unknown)."""
    try:
        import resource
    except ImportError:  # not Unix
        return 0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak if sys.platform == "darwin" else peak * 1024


def find_passages(
    prepared: list[Prepared], params: Parameters, candidates: KnownPairs, log: Log
) -> list[Passage]:
    """``find_reuses``, oriented source → copy, in report order."""
    found = find_reuses(prepared, params, candidates, log)
    with stage("provenance", log):
        passages = oriented(found, facts(prepared), params)
    log(f"{len(passages)} reused passages")
    return passages


def oriented(reuses: list[Reuse], facts: dict[str, Facts], params: Parameters) -> list[Passage]:
    """``reuses`` oriented source → copy in report order (``orient``), boilerplate
    marked."""
    return mark_boilerplate(orient(reuses, facts), params.boilerplate_documents)


SegmentKey = tuple[str, int, int]
"""A segment named by its document's path and its token range ``[start, end)``."""


@dataclass(frozen=True)
class KnownPairs:
    """Candidate segment pairs found beforehand, by a scan's LSH or in a persistent index
    (``dedupe.index``): ``collisions[family]`` holds pairs of segment keys whose
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
        pairs = sorted(tuple(sorted((index[a], index[b]))) for a, b in found)
        segments = [
            Segment(doc, start, end, int(p.starts[start]), int(p.ends[end - 1]))
            for doc, start, end in keys
            for p in (prepared[doc],)
        ]
        return segments, np.array(pairs, dtype=np.int64).reshape(-1, 2)


@dataclass(frozen=True)
class Group:
    """Documents to align with each other, and the candidate segment pairs between
    them by shingle family."""

    files: list[tuple[str, str]]
    collisions: dict[str, list[tuple[SegmentKey, SegmentKey]]]
    verified: bool = False


CHANGED = "changed during the scan; left out"


def align_group(
    group: Group,
    weights: Weights,
    params: Parameters,
    store: PreparedStore | None = None,
    changed: str = CHANGED,
) -> tuple[list[Reuse], list]:
    """The passages the group's candidate pairs lead to, and notes ``PATH: changed``
    on files that changed since they were signed (documents are taken from ``store``
    if given, else read again)."""
    prepared, notes = prepared_again(group.files, params, changed, store=store)
    doc_keys = [p.doc.path for p in prepared]
    candidates = KnownPairs(doc_keys, group.collisions, weights, group.verified)
    return find_reuses(prepared, params, candidates, lambda _: None), notes


GROUP_DOCUMENTS = 64  # documents read by one alignment task, at most (one pair may add two)
PARTITION_BYTES = 8 << 20  # bytes of files sketched by one task, at most


def partitions(files: list[str], workers: int) -> list[list[str]]:
    """Runs of ``files`` to sketch as separate tasks: about four per worker, of at most
    ``PARTITION_BYTES``, by file size (a file that cannot be measured counts as empty)."""
    sizes = [_size(f) for f in files]
    limit = min(PARTITION_BYTES, max(1, sum(sizes) // (4 * workers)))
    result: list[list[str]] = []
    total = 0
    for path, size in zip(files, sizes, strict=True):
        if not result or (total + size > limit and result[-1]):
            result.append([])
            total = 0
        result[-1].append(path)
        total += size
    return result


def _size(path: str) -> int:
    try:
        return os.path.getsize(path)
    except OSError:
        return 0


@dataclass
class Collection:
    """Every partition's sketch, joined: documents by number, signed segments, and the
    band keys of each family spilled to ``bands`` (one band in memory at a time)."""

    sketch: Sketch
    files: dict[int, tuple[str, str]]
    bands: dict[str, BandStore]


def collect(
    sketches: Iterator[Sketch],
    parts: list[list[str]],
    params: Parameters,
    folder: str,
    progress: Progress,
) -> Collection:
    """Join the sketches of ``parts`` as they arrive, numbering their documents in
    order and writing their band keys and shingle sets to files in ``folder``."""
    joined = Sketch()
    files: dict[int, tuple[str, str]] = {}
    bands = {f: BandStore(os.path.join(folder, f)) for f in params.families()}
    spills = {f: SetSpill(os.path.join(folder, f"{f}.sets")) for f in (VERBATIM, CONTENT)}
    signed, done, total = [], 0, sum(len(p) for p in parts)
    for part, sketch in zip(parts, sketches, strict=True):
        first = len(joined.documents)
        joined.documents += sketch.documents
        joined.facts.update(sketch.facts)
        joined.skipped += sketch.skipped
        joined.notes += sketch.notes
        files.update(
            (first + k, (d.path, digest))
            for k, (d, digest) in enumerate(zip(sketch.documents, sketch.digests, strict=True))
        )
        for family, store in bands.items():
            if len(sketch.signed):
                store.append(sketch.signed.keys[family])
        spills[VERBATIM].append(sketch.signed.verbatim)
        spills[CONTENT].append(sketch.signed.content)
        ranges = sketch.signed.ranges + np.array([first, 0, 0])
        signed.append(replace(sketch.signed, ranges=ranges, keys={}, verbatim=EMPTY, content=EMPTY))
        done += len(part)
        progress("files", done, total)
    joined.signed = replace(
        concat(signed, params.families()),
        verbatim=spills[VERBATIM].table(),
        content=spills[CONTENT].table(),
    )
    return Collection(joined, files, bands)


EMPTY = SetTable(np.empty(0, dtype=np.uint32), np.zeros(1, dtype=np.int64))


def lsh_candidates(collection: Collection, family: str, params: Parameters) -> Iterator[np.ndarray]:
    """Candidate pairs of rows of ``collection``'s signed segments in ``family``, in
    chunks: those of as many bands as there are cores at a time, bucketed in threads (a
    pair sharing buckets in several bands comes more than once). A word n-gram bucket
    over many documents gives at most k-1 links (``candidates.bucket_links``;
    ``dedupe.families`` joins them into families); a content-word bucket every pair
    of its members in different documents, none when crowded
    (``candidates.bucket_pairs``)."""
    signed = collection.sketch.signed
    rows = np.flatnonzero(signed.present[family])
    docs = signed.ranges[rows, 0]
    store = collection.bands[family]

    def band_pairs(band: int) -> np.ndarray:
        keys = store.band(band)[rows]
        if family == VERBATIM:
            return rows[bucket_links(keys, docs, params.boilerplate_documents)]
        return rows[bucket_pairs(keys, docs, params.max_bucket(family))]

    threads = available_cores()
    with ThreadPoolExecutor(threads) as pool:
        for first in range(0, store.bands, threads):
            bands = range(first, min(first + threads, store.bands))
            yield np.concatenate([np.empty((0, 2), dtype=np.int64), *pool.map(band_pairs, bands)])


def groups(collection: Collection, found: dict[str, np.ndarray]) -> list[Group]:
    """The candidate pairs of every family (pairs of rows of the collection's signed
    segments), in tasks (``grouped``)."""
    ranges = collection.sketch.signed.ranges
    by_docs: dict[tuple[int, int], dict[str, list]] = defaultdict(lambda: defaultdict(list))
    for family, pairs in found.items():
        for i, j in pairs.tolist():
            a, b = ranges[i].tolist(), ranges[j].tolist()
            key_a = (collection.files[a[0]][0], a[1], a[2])
            key_b = (collection.files[b[0]][0], b[1], b[2])
            by_docs[(a[0], b[0])][family].append((key_a, key_b))
    return grouped(by_docs, collection.files, verified=True)


Collisions = dict[tuple[int, int], dict[str, list[tuple[SegmentKey, SegmentKey]]]]
"""Candidate pairs of segment keys by document pair ``(a, b)`` and family."""


def grouped(
    by_docs: Collisions, files: dict[int, tuple[str, str]], verified: bool = False
) -> list[Group]:
    """The candidate pairs ``by_docs`` in tasks that read at most about
    ``GROUP_DOCUMENTS`` of the ``(path, digest)`` ``files`` each (``verified``: the pairs
    passed their checks already)."""
    # A document paired with many (the source of a boilerplate family) is read once per
    # task with a run of its partners, not once per partner.
    degree: dict[int, int] = defaultdict(int)
    for a, b in by_docs:
        degree[a] += 1
        degree[b] += 1

    def around_hubs(pair: tuple[int, int]) -> tuple[int, int]:
        a, b = pair
        return (a, b) if (degree[a], -a) >= (degree[b], -b) else (b, a)

    result: list[Group] = []
    docs: set[int] = set()
    for a, b in sorted(by_docs, key=around_hubs):
        if not result or len(docs | {a, b}) > GROUP_DOCUMENTS:
            result.append(Group([], defaultdict(list)))
            docs = set()
        docs |= {a, b}
        for family, pairs in by_docs[(a, b)].items():
            result[-1].collisions[family] += pairs
        result[-1].files[:] = [files[d] for d in sorted(docs)]
    return [Group(g.files, dict(g.collisions), verified) for g in result]


PairFinder = Callable[["Collection", str, Parameters], Iterable[np.ndarray]]
Progress = Callable[[str, int, int], None]
"""Told ``(what, done, total)`` as a long stage advances: ``files`` sketched, then
``candidate groups`` aligned."""


def scan(
    paths: list[str],
    params: Parameters,
    log: Log = lambda _: None,
    executor: Executor | None = None,
    pair_finder: PairFinder | None = None,
    progress: Progress = lambda what, done, total: None,
) -> ScanResult:
    """Find the passages reused across the files under ``paths`` and orient them.

    Files are sketched in partitions and candidate document pairs aligned in groups,
    both on ``executor`` (default: every core of this machine); the result does not
    depend on the executor. ``pair_finder`` gives the candidate pairs of signed
    segments in a family as chunks of ``(m, 2)`` row arrays (default ``lsh_candidates``,
    LSH; benchmarks swap in an exact all-pairs comparison). ``progress`` follows the
    long stages.
    """
    if executor is None:
        with Local() as local:
            return scan(paths, params, log, local, pair_finder, progress)
    params.check()
    listing = list_files(paths)
    files = listing.files
    pair_finder = pair_finder or lsh_candidates
    load_kernels(params)
    with (
        tempfile.TemporaryDirectory(prefix="dedupe-") as folder,
        prepared_store(executor.scratch()) as store,
    ):
        with stage("sketch", log):
            parts = partitions(files, executor.workers)
            sketches = executor.map(sketch_files, parts, params, store)
            collection = collect(sketches, parts, params, folder, progress)
        signed = collection.sketch.signed
        files_in_order = [collection.files[k] for k in range(len(collection.files))]
        copies = identical_copies(files_in_order)
        for family in params.families():  # a copy is its original inside the pipeline
            signed.present[family][np.isin(signed.ranges[:, 0], list(copies))] = False
        log(f"read {len(collection.files)} documents, skipped {len(collection.sketch.skipped)}")
        log(f"{len(copies)} documents are byte-identical copies of others")
        log(f"{len(signed)} segments")
        order = document_order(collection.sketch)
        docs = signed.ranges[:, 0]
        with stage("candidates", log):
            sets, threshold = signed.verbatim, params.candidate_threshold

            def check(pairs: np.ndarray) -> np.ndarray:
                return passing(pairs, sets, threshold)

            chunks = pair_finder(collection, VERBATIM, params)
            checked, links = verified(chunks, check, once=True)
            found = {}
            found[VERBATIM], star = family_pairs(
                links, docs, order, check, params.boilerplate_documents
            )
            copy_of = copies_of(star, len(signed), lambda pairs: passing(pairs, sets, COPY))
        log(
            f"word n-grams: {checked} distinct candidate links checked, {len(links)} verified, "
            f"{len(found[VERBATIM])} segment pairs to align, "
            f"{len(star)} of them between boilerplate families' sources and copies"
        )
        # Each table of sets is let go once used: memory holds one family at a time.
        collection.sketch.signed = signed = replace(signed, verbatim=EMPTY)
        weights = idf_weights(signed.content)
        if params.paraphrase:
            with stage("paraphrase candidates", log):
                weighted = WeightedSets.of(signed.content, weights)
                collection.sketch.signed = signed = replace(signed, content=EMPTY)
                threshold = params.paraphrase_window_threshold

                def weighted_check(pairs: np.ndarray) -> np.ndarray:
                    # Two copies of one boilerplate text are aligned, each against its
                    # source, already: they are no paraphrase of each other.
                    twins = copy_of[pairs[:, 0]] == copy_of[pairs[:, 1]]
                    twins &= copy_of[pairs[:, 0]] >= 0
                    return passing_weighted(pairs, weighted, weights, threshold) & ~twins

                checked, found[CONTENT] = verified(
                    pair_finder(collection, CONTENT, params), weighted_check
                )
            log(f"content words: {checked} candidate pairs checked, {len(found[CONTENT])} verified")
        with stage("align", log):
            tasks = groups(collection, found)
            results = []
            for result in executor.map(align_group, tasks, weights, params, store):
                results.append(result)
                progress("candidate groups", len(results), len(tasks))
        copied = copy_reuses(files_in_order, params, store)
    reuses = [r for found_reuses, _ in results for r in found_reuses] + copied
    # A changed file is noted by every alignment group that read it: once is enough.
    notes = list(
        dict.fromkeys(collection.sketch.notes + [n for _, found in results for n in found])
    )
    with stage("provenance", log):
        passages = oriented(reuses, collection.sketch.facts, params)
    log(f"{len(passages)} reused passages")
    skipped = sorted(listing.skipped + collection.sketch.skipped, key=lambda s: s.path)
    return ScanResult(params, collection.sketch.documents, passages, skipped, notes)


def verified(
    chunks: Iterable[np.ndarray], check: Check, once: bool = False
) -> tuple[int, np.ndarray]:
    """How many pairs ``(i, j)``, ``i < j``, the ``chunks`` hold, and the distinct ones
    that pass ``check``, sorted. With ``once``, a pair in several chunks is checked
    (and counted) once: worth its cost where chunks repeat pairs, as the star links of
    a text in many documents do in every band."""
    seen = np.empty(0, dtype=np.int64)
    checked, kept = 0, []
    for chunk in chunks:
        codes = unique((chunk[:, 0] << 32) | chunk[:, 1])
        if once:
            codes = codes[~np.isin(codes, seen, assume_unique=True)]
            seen = np.sort(np.concatenate([seen, codes]))
        pairs = np.stack([codes >> 32, codes & 0xFFFFFFFF], axis=1)
        checked += len(pairs)
        kept.append(pairs[check(pairs)] if len(pairs) else pairs)
    return checked, unique_pairs(kept)


def identical_copies(files: list[tuple[str, str]]) -> dict[int, int]:
    """Each of the ``(path, digest)`` files whose digest (bytes) equals an earlier one's,
    by position, mapped to the first of them: a copy is its original inside the
    pipeline."""
    first: dict[str, int] = {}
    copies = {}
    for number, (_, digest) in enumerate(files):
        if digest in first:
            copies[number] = first[digest]
        else:
            first[digest] = number
    return copies


def copy_reuses(
    files: list[tuple[str, str]], params: Parameters, store: PreparedStore | None = None
) -> list[Reuse]:
    """One whole-document ``verbatim`` passage between each copy among the ``(path,
    digest)`` files (``identical_copies``) and its original, the original prepared
    once (``prepared_again``): what the original shares with others, its copies share
    too."""
    found = []
    by_original: dict[int, list[int]] = defaultdict(list)
    for copy, original in identical_copies(files).items():
        by_original[original].append(copy)
    for original, members in sorted(by_original.items()):
        prepared, _ = prepared_again([files[original]], params, CHANGED, store=store)
        if not prepared or not prepared[0].words:
            continue
        doc, starts, ends = prepared[0].doc, prepared[0].starts, prepared[0].ends
        start, end = int(starts[0]), int(ends[-1])
        whole = Side(locate(doc, start, end), 0, len(starts), excerpt(doc.text[start:end]))
        for copy in members:
            twin = replace(whole, location=replace(whole.location, path=files[copy][0]))
            found.append(Reuse(whole, twin, "verbatim", 1.0))
    return found


COPY = 0.8  # a boilerplate family's member this like its source is a copy of it


def copies_of(star: np.ndarray, rows: int, check: Check) -> np.ndarray:
    """For each of ``rows`` segments, the source row of the boilerplate family it is a
    copy of (its ``(source, member)`` pair in ``star`` passes ``check``), else -1."""
    source = np.full(rows, -1, dtype=np.int64)
    copies = star[check(star)] if len(star) else star
    source[copies[:, 1]] = copies[:, 0]
    return source


def document_order(sketch: Sketch) -> np.ndarray:
    """Each document's rank as the likely source of text it shares with many others
    (``provenance.source_rank``)."""
    infos = sketch.documents
    ranked = sorted(
        range(len(infos)),
        key=lambda k: source_rank(
            infos[k].date, infos[k].words, sketch.facts[infos[k].path].mtime, infos[k].path
        ),
    )
    rank = np.empty(len(infos), dtype=np.int64)
    rank[ranked] = np.arange(len(infos))
    return rank


def load_kernels(params: Parameters) -> None:
    """Compile the numba loops, or load them from their disk cache, in this process
    before worker processes are forked from it: each worker would do it again."""
    sets = SetTable.of([np.array([1, 2], dtype=np.uint32)] * 2)
    pairs = np.array([(0, 1)], dtype=np.int64)
    range_signatures(np.arange(4, dtype=np.uint32), np.array([(0, 4)]), params.num_perm, 2)
    passing(pairs, sets, params.candidate_threshold)
    weights = Weights(sets[0], np.ones(2))
    passing_weighted(pairs, sets, weights, params.paraphrase_window_threshold)
    chain_labels(np.array([0, 1]), np.array([0, 1]), params.max_gap, params.max_shift)
    merge_close([Alignment(Span(0, 0, 1), Span(1, 0, 1))] * 2, params.max_gap)
    matching_blocks(np.array([1, 2]), np.array([2, 1]))
    matched_sentences(lexical_scores(np.ones((1, 1)), np.ones(1), np.ones(1)), 0.5)
