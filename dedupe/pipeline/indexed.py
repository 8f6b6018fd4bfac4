"""Scanning and querying through the index (``dedupe.store.index``): the documents whose
passages are not stored yet are aligned with the others, through the scan's own
alignment tasks, and the report is put together from what is stored.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace

from ..instrument import Log
from ..match.passages import KnownPairs, SegmentKey, align_group
from ..model import Reuse, ScanResult, Side
from ..read.files import list_files
from ..read.formats import read_paths
from ..store.index import CHANGED_SINCE, Index
from ..store.records import AddStats, key, signed_rows
from ..text.prepared import Prepared, prepare, prepared_again
from ..text.sketch import describe
from .executors import Executor, Local
from .scan import (
    Collisions,
    copy_reuses,
    find_passages,
    grouped,
    identical_copies,
    load_kernels,
    oriented,
)


def _segment_keys(index: Index, ids: set[int]) -> dict[int, SegmentKey]:
    return {row.id: (row.path, row.start, row.end) for row in index.segments_of(ids)}


def scan_indexed(
    paths: list[str], index: Index, log: Log = lambda _: None, executor: Executor | None = None
) -> tuple[ScanResult, AddStats]:
    """``scan`` over the files under ``paths`` using the index, at the cost of what changed.

    New and changed files are signed and stored. Passages are found only between the
    documents whose results are not stored yet and all others (candidates from the
    stored band keys; only the documents in a candidate pair are read again), and are
    stored; the report combines them with the stored results. Paraphrase weights are
    those of the index when a pair was aligned, so after additions a paraphrase can
    differ slightly from a fresh scan's; verbatim and near passages are the same.
    Alignment runs in groups on ``executor`` (default: every core of this machine), as
    in a scan.
    """
    if executor is None:
        with Local() as local:
            return scan_indexed(paths, index, log, local)
    params = index.params
    stats = index.add(paths, log)
    log(f"index: {len(stats.signed)} files signed, {stats.unchanged} unchanged")
    index.use_reading(params)
    fresh = index.fresh_documents()
    collisions = {}
    for family in params.families():
        id_pairs = index.colliding_with(family, fresh)
        names = _segment_keys(index, {i for pair in id_pairs for i in pair})
        collisions[family] = {(names[a], names[b]) for a, b in id_pairs}
    by_docs, files = _by_documents(collisions, index)
    log(f"index: {len(fresh)} documents to align, {len(files)} read again")
    tasks = grouped(by_docs, files)
    load_kernels(params)  # once, before the workers are forked
    weights = index.weights()
    results = list(executor.map(align_group, tasks, weights, params, None, CHANGED_SINCE))
    index.store_reuses([r for found, _ in results for r in found], fresh)
    notes = list(dict.fromkeys(n for _, found_notes in results for n in found_notes))
    given = {key(p): p for p in list_files(paths, index.excluded()).files}
    # Byte-identical files are one document, as in a scan: each copy is one whole
    # passage against the first of them, and its own stored passages are left out.
    given_files = [(path, index.digest_of(k)) for k, path in given.items()]
    copies = {given_files[k][0] for k in identical_copies(given_files)}
    found = [
        r
        for r in (_renamed(r, given) for r in index.stored_reuses(set(given)))
        if r.a.location.path not in copies and r.b.location.path not in copies
    ]
    found += copy_reuses(given_files, params)
    passages = oriented(found, {given[k]: f for k, f in index.facts(set(given)).items()}, params)
    log(f"{len(passages)} reused passages")
    skipped = [s for s in stats.skipped if key(s.path) in given]
    return ScanResult(params, index.infos(given), passages, skipped, notes), stats


def _by_documents(
    collisions: dict[str, set[tuple[SegmentKey, SegmentKey]]], index: Index
) -> tuple[Collisions, dict[int, tuple[str, str]]]:
    """The candidate pairs by pair of the documents they name (numbered in path order),
    and each document's ``(path, digest)``."""
    paths = sorted({seg[0] for pairs in collisions.values() for pair in pairs for seg in pair})
    number = {path: k for k, path in enumerate(paths)}
    by_docs: Collisions = defaultdict(lambda: defaultdict(list))
    for family, pairs in collisions.items():
        for a, b in sorted(pairs):
            if number[a[0]] > number[b[0]]:
                a, b = b, a
            by_docs[(number[a[0]], number[b[0]])][family].append((a, b))
    return by_docs, {k: (path, index.digest_of(path)) for path, k in number.items()}


def _renamed(reuse: Reuse, names: dict[str, str]) -> Reuse:
    def side(s: Side) -> Side:
        location = replace(s.location, path=names[s.location.path])
        return replace(s, location=location)

    return replace(reuse, a=side(reuse.a), b=side(reuse.b))


def query(files: list[str], index: Index, log: Log = lambda _: None) -> ScanResult:
    """The passages that the documents in ``files`` share with the indexed collection,
    without adding them to the index or re-signing anything indexed.
    """
    params = index.params
    collection = read_paths(files, index.excluded())
    new = [prepare(doc, params) for doc in collection.documents]
    collisions: dict[str, set[tuple[SegmentKey, SegmentKey]]] = {}
    for family in params.families():
        hits = []
        for p in new:
            for seg, family_keys, _ in signed_rows(p, params):
                for seg_id in index.matching(family, family_keys[family] or []):
                    hits.append(((key(p.doc.path), seg.start, seg.end), seg_id))
        names = _segment_keys(index, {seg_id for _, seg_id in hits})
        collisions[family] = {(mine, names[seg_id]) for mine, seg_id in hits}
    mine = {key(p.doc.path) for p in new}
    involved = sorted(
        {seg[0] for pairs in collisions.values() for pair in pairs for seg in pair} - mine
    )
    indexed, notes = _prepare_indexed(index, involved)
    prepared = new + indexed
    candidates = KnownPairs([key(p.doc.path) for p in prepared], collisions, index.weights())
    passages = find_passages(prepared, params, candidates, log)
    documents = [describe(p.doc, p.words) for p in prepared]
    return ScanResult(params, documents, passages, collection.skipped, collection.notes + notes)


def _prepare_indexed(index: Index, paths: list[str]) -> tuple[list[Prepared], list[str]]:
    """Read and prepare indexed documents again; a file that changed or vanished since
    it was indexed is left out with a note."""
    files = [(path, index.digest_of(path)) for path in paths]
    return prepared_again(files, index.params, CHANGED_SINCE)
