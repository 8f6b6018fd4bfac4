"""The pipeline: read → normalise/segment → shingle → sign → candidates → verify/align →
provenance. ``scan`` runs it over files and folders and returns a ``ScanResult``.
"""

from __future__ import annotations

import os
import tempfile
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace

import numpy as np

from ..arrays import unique
from ..instrument import Log, collector_paused, stage
from ..kernels import available_cores
from ..match.align import Alignment, Span, chain_labels, merge_close
from ..match.candidates import BandStore, bucket_links, bucket_pairs, unique_pairs
from ..match.families import Check, family_pairs
from ..match.fill import lexical_scores, matched_sentences
from ..match.ordered import ordered_runs
from ..match.passages import (
    BOILERPLATE,
    CHANGED,
    AlignmentTask,
    SegmentKey,
    align_group,
)
from ..match.sequence import matching_blocks
from ..match.verify import WeightedSets, Weights, idf_weights, passing, passing_weighted
from ..model import Facts, Passage, Reuse, ScanResult, Side, excerpt, locate
from ..parameters import CONTENT, VERBATIM, Parameters
from ..provenance.boilerplate import mark_boilerplate
from ..provenance.orient import orient, source_rank
from ..read.files import list_files
from ..text.prepared import PreparedStore, prepared_again, prepared_store
from ..text.shingle import SetSpill, SetTable
from ..text.sign import range_signatures
from ..text.sketch import Sketch, concat, sketch_files
from .executors import Executor, Local

GROUP_DOCUMENTS = 64  # documents read by one alignment task, at most
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
class Sketched:
    """Every partition's sketch, joined: documents by number, signed segments, and the
    band keys of each family spilled to ``bands`` (one band in memory at a time)."""

    sketch: Sketch
    files: dict[int, tuple[str, str]]
    bands: dict[str, BandStore]

    def ordered_files(self) -> list[tuple[str, str]]:
        """Each document's ``(path, digest)``, in document order."""
        return [self.files[k] for k in range(len(self.files))]


def collect(
    sketches: Iterator[Sketch],
    parts: list[list[str]],
    params: Parameters,
    folder: str,
    progress: Progress,
) -> Sketched:
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
    return Sketched(joined, files, bands)


EMPTY = SetTable(np.empty(0, dtype=np.uint32), np.zeros(1, dtype=np.int64))


def lsh_candidates(collection: Sketched, family: str, params: Parameters) -> Iterator[np.ndarray]:
    """Candidate pairs of rows of ``collection``'s signed segments in ``family``, in
    chunks: those of as many bands as there are cores at a time, bucketed in threads (a
    pair sharing buckets in several bands comes more than once). A word n-gram bucket
    over many documents gives at most k-1 links (``candidates.bucket_links``;
    ``dedupe.match.families`` joins them into families); a content-word bucket every pair
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


def groups(collection: Sketched, found: dict[str, np.ndarray]) -> list[AlignmentTask]:
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
) -> list[AlignmentTask]:
    """The candidate pairs ``by_docs`` in tasks that read at most ``GROUP_DOCUMENTS`` of
    the ``(path, digest)`` ``files`` each (``verified``: the pairs passed their checks
    already).

    The tasks tile the matrix of document pairs: the documents in blocks of
    ``GROUP_DOCUMENTS // 2``, those with the most partners first, and the pairs between
    two blocks in one task, which reads only the documents they name. Where documents
    pair densely (the books of one collection) a document is read once per block pair,
    not once per partner; a document paired with many (the source of a boilerplate
    family) once per block of its partners."""
    degree = Counter(d for pair in by_docs for d in pair)
    ranked = sorted(degree, key=lambda d: (-degree[d], d))
    block = {d: k // (GROUP_DOCUMENTS // 2) for k, d in enumerate(ranked)}
    tiles: dict[tuple[int, int], list[tuple[int, int]]] = defaultdict(list)
    for a, b in sorted(by_docs):
        tiles[(min(block[a], block[b]), max(block[a], block[b]))].append((a, b))
    tasks = []
    for tile in sorted(tiles):
        collisions: dict[str, list] = defaultdict(list)
        for pair in tiles[tile]:
            for family, pairs in by_docs[pair].items():
                collisions[family] += pairs
        docs = sorted({d for pair in tiles[tile] for d in pair})
        tasks.append(AlignmentTask([files[d] for d in docs], dict(collisions), verified))
    return tasks


PairFinder = Callable[["Sketched", str, Parameters], Iterable[np.ndarray]]
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
    with collector_paused():  # workers forked meanwhile inherit the pause
        return _scan(paths, params, log, executor, pair_finder, progress)


def _scan(
    paths: list[str],
    params: Parameters,
    log: Log,
    executor: Executor,
    pair_finder: PairFinder | None,
    progress: Progress,
) -> ScanResult:
    listing = list_files(paths)
    files = listing.files
    load_kernels(params)
    with (
        tempfile.TemporaryDirectory(prefix="dedupe-", dir=executor.scratch()) as folder,
        prepared_store(executor.scratch()) as store,
    ):
        with stage("sketch", log):
            parts = partitions(files, executor.workers)
            sketches = executor.map(sketch_files, parts, params, store)
            collection = collect(sketches, parts, params, folder, progress)
        log(f"read {len(collection.files)} documents, skipped {len(collection.sketch.skipped)}")
        reuses, notes = aligned_reuses(
            collection, params, executor, Sources(store), log, pair_finder, progress
        )
        copied = copy_reuses(collection.ordered_files(), params, store)
    with stage("provenance", log):
        passages = oriented(reuses + copied, collection.sketch.facts, params)
    log(f"{len(passages)} reused passages")
    skipped = sorted(listing.skipped + collection.sketch.skipped, key=lambda s: s.path)
    return ScanResult(params, collection.sketch.documents, passages, skipped, notes)


@dataclass(frozen=True)
class Sources:
    """Where alignment takes the documents of a collection from: ``store`` when it holds
    them (prepared while sketching or indexing), else their files, read again; a file
    that changed since it was signed is left out with the note ``changed``. ``fresh``,
    if given, marks the documents (by number) whose pairs are aligned: the others'
    results are known. ``partial``: the collection is only the part of a larger one
    that the fresh documents touch (a query), so the other copies of a boilerplate
    family are neither aligned nor known, and what a family's pairs align is marked
    boilerplate as it is found (a scan leaves that to passage recurrence, which sees
    every copy and only the text they share)."""

    store: PreparedStore | None = None
    changed: str = CHANGED
    fresh: np.ndarray | None = None
    partial: bool = False


def aligned_reuses(
    collection: Sketched,
    params: Parameters,
    executor: Executor,
    sources: Sources,
    log: Log = lambda _: None,
    pair_finder: PairFinder | None = None,
    progress: Progress = lambda what, done, total: None,
    weights: Weights | None = None,
) -> tuple[list[Reuse], list[str]]:
    """Stages 5-6 over a sketched ``collection``, whatever sketched it (a scan, the
    index, a query): candidate pairs of segments (``pair_finder``, default
    ``lsh_candidates``), families, verification, then alignment in tasks on
    ``executor``. Returns the reuses found, unoriented, and the notes on files that
    changed (each once). A document that is a byte-identical copy of an earlier one
    takes no part (see ``copy_reuses``). The rarity ``weights`` of content words are
    learnt from the collection's segments unless given (a query's collection is only
    the part of the index it touches)."""
    pair_finder = pair_finder or lsh_candidates
    signed = collection.sketch.signed
    files_in_order = collection.ordered_files()
    copies = identical_copies(files_in_order)
    for family in params.families():  # a copy is its original inside the pipeline
        signed.present[family][np.isin(signed.ranges[:, 0], list(copies))] = False
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
        text_of = boilerplate_sources(star, docs, lambda pairs: passing(pairs, sets, COPY))
    log(
        f"word n-grams: {checked} distinct candidate links checked, {len(links)} verified, "
        f"{len(found[VERBATIM])} segment pairs to align, "
        f"{len(star)} of them between boilerplate families' sources and copies"
    )
    # Each table of sets is let go once used: memory holds one family at a time.
    collection.sketch.signed = signed = replace(signed, verbatim=EMPTY)
    weights = idf_weights(signed.content) if weights is None else weights
    if params.paraphrase:
        with stage("paraphrase candidates", log):
            weighted = WeightedSets.of(signed.content, weights)
            collection.sketch.signed = signed = replace(signed, content=EMPTY)
            threshold = params.paraphrase_window_threshold

            def weighted_check(pairs: np.ndarray) -> np.ndarray:
                # Two copies of boilerplate text of one source document (one licence)
                # are aligned, each against that source, already: they are no
                # paraphrase of each other, whichever parts of it they hold.
                twins = text_of[pairs[:, 0]] == text_of[pairs[:, 1]]
                twins &= text_of[pairs[:, 0]] >= 0
                return passing_weighted(pairs, weighted, weights, threshold) & ~twins

            chunks = pair_finder(collection, CONTENT, params)
            if sources.fresh is not None:  # content pairs stand alone: drop the known ones now
                chunks = (chunk[_with_fresh(chunk, docs, sources.fresh)] for chunk in chunks)
            checked, found[CONTENT] = verified(chunks, weighted_check)
        log(f"content words: {checked} candidate pairs checked, {len(found[CONTENT])} verified")
    if sources.partial:  # among the verbatim pairs: what they align is boilerplate
        found[BOILERPLATE] = star
    if sources.fresh is not None:  # (content pairs were kept so before they were verified)
        for family in (f for f in (VERBATIM, BOILERPLATE) if f in found):
            found[family] = found[family][_with_fresh(found[family], docs, sources.fresh)]
    with stage("align", log):
        tasks = groups(collection, found)
        results = []
        for result in executor.map(
            align_group, tasks, weights, params, sources.store, sources.changed
        ):
            results.append(result)
            progress("candidate groups", len(results), len(tasks))
    reuses = [r for found_reuses, _ in results for r in found_reuses]
    # A changed file is noted by every alignment group that read it: once is enough.
    notes = list(
        dict.fromkeys(collection.sketch.notes + [n for _, found in results for n in found])
    )
    return reuses, notes


def _with_fresh(pairs: np.ndarray, docs: np.ndarray, fresh: np.ndarray) -> np.ndarray:
    """Which ``(m, 2)`` pairs of segment rows have a side in a ``fresh`` document."""
    return fresh[docs[pairs[:, 0]]] | fresh[docs[pairs[:, 1]]]


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


def boilerplate_sources(star: np.ndarray, docs: np.ndarray, check: Check) -> np.ndarray:
    """For each segment row (``docs[row]`` its document), the document whose boilerplate
    text it holds: its own for a family's source, the source's for a member that is a
    copy of it (its ``(source, member)`` pair in ``star`` passes ``check``); else -1."""
    source = np.full(len(docs), -1, dtype=np.int64)
    copies = star[check(star)] if len(star) else star
    source[copies[:, 0]] = docs[copies[:, 0]]
    source[copies[:, 1]] = docs[copies[:, 0]]
    return source


def document_order(sketch: Sketch) -> np.ndarray:
    """Each document's rank as the likely source of text it shares with many others
    (``provenance.orient.source_rank``)."""
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
    keys, bounds = np.array([1, 2], dtype=np.uint32), np.array([0, 2], dtype=np.int64)
    ordered_runs([Alignment(Span(0, 0, 2), Span(1, 0, 2))], keys, keys, bounds, bounds, 1)
    matching_blocks(np.array([1, 2]), np.array([2, 1]))
    matched_sentences(lexical_scores(np.ones((1, 1)), np.ones(1), np.ones(1)), 0.5)


def oriented(reuses: list[Reuse], facts: dict[str, Facts], params: Parameters) -> list[Passage]:
    """``reuses`` oriented source → copy in report order (``orient``), boilerplate
    marked."""
    return mark_boilerplate(orient(reuses, facts), params.boilerplate_documents)
