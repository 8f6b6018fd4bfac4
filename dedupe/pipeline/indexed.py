"""Scanning and querying through the index (``dedupe.store.index``): the documents whose
passages are not stored yet are aligned with the others, through the scan's own
alignment tasks, and the report is put together from what is stored.
"""

from __future__ import annotations

import tempfile
from dataclasses import replace

import numpy as np

from ..instrument import Log, collector_paused, stage
from ..match.passages import KnownPairs, SegmentKey
from ..model import Reuse, ScanResult, Side
from ..read.files import list_files
from ..read.formats import read_paths
from ..store.index import CHANGED_SINCE, Index
from ..store.records import AddStats, key, signed_rows
from ..text.prepared import Prepared, PreparedStore, prepare, prepared_again, prepared_store
from ..text.sketch import describe
from .executors import Executor, Local
from .scan import (
    Sources,
    aligned_reuses,
    collect,
    copy_reuses,
    find_passages,
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

    New and changed files are signed and stored. The stored sketch of every indexed
    document then goes through the scan's own stages (``scan.aligned_reuses``:
    candidates, families, verification, alignment), keeping only the candidate pairs
    with a document whose results are not stored yet, so only the documents in those
    pairs are read again; the passages found are stored, and the report gives the
    stored passages between the files under ``paths``. On a new index of those files
    the report is the scan's. After additions, the stored results of two older
    documents stay as found then: a paraphrase's rarity weights, or the source a
    boilerplate family was aligned against, can differ from a fresh scan's; and the
    index is one collection, so a family's source can be a document outside ``paths``.
    """
    if executor is None:
        with Local() as local:
            return scan_indexed(paths, index, log, local)
    # Workers forked meanwhile inherit the pause.
    with collector_paused(), prepared_store(executor.scratch()) as store:
        return _indexed_result(paths, index, log, executor, store)


def _indexed_result(
    paths: list[str], index: Index, log: Log, executor: Executor, store: PreparedStore | None
) -> tuple[ScanResult, AddStats]:
    params = index.params
    stats = index.add(paths, log, store)  # alignment takes what it prepares from store
    log(f"index: {len(stats.signed)} files signed, {stats.unchanged} unchanged")
    index.use_reading(params)
    given = {key(p): p for p in list_files(paths, index.excluded()).files}
    digests = index.digests()
    # The given files (in the order a scan numbers them), then the other indexed ones.
    names = {k: name for k, name in given.items() if k in digests}
    names.update((k, k) for k in sorted(digests) if k not in names)
    fresh = index.fresh_documents()
    log(f"index: {len(fresh)} documents to align with the others")
    notes: list[str] = []
    if fresh:
        load_kernels(params)  # once, before the workers are forked
        with tempfile.TemporaryDirectory(prefix="dedupe-") as folder:
            sketch = index.sketch(names)
            collection = collect(iter([sketch]), [list(names)], params, folder, _quiet)
            marked = np.array([k in fresh for k in names], dtype=bool)
            sources = Sources(store, CHANGED_SINCE, marked)
            reuses, notes = aligned_reuses(collection, params, executor, sources, log)
        keys = {name: k for k, name in names.items()}
        index.store_reuses([_renamed(r, keys) for r in reuses], fresh)
    reported = {k: name for k, name in given.items() if k in digests}
    # Byte-identical files are one document, as in a scan: each copy is one whole
    # passage against the first of them, and its own stored passages are left out.
    given_files = [(name, digests[k]) for k, name in reported.items()]
    copies = {given_files[k][0] for k in identical_copies(given_files)}
    found = [
        r
        for r in (_renamed(r, reported) for r in index.stored_reuses(set(reported)))
        if r.a.location.path not in copies and r.b.location.path not in copies
    ]
    found += copy_reuses(given_files, params, store)
    facts = {reported[k]: f for k, f in index.facts(set(reported)).items()}
    with stage("provenance", log):
        passages = oriented(found, facts, params)
    log(f"{len(passages)} reused passages")
    skipped = [s for s in stats.skipped if key(s.path) in given]
    return ScanResult(params, index.infos(reported), passages, skipped, notes), stats


def _quiet(what: str, done: int, total: int) -> None:
    """Progress nobody follows."""


def _renamed(reuse: Reuse, names: dict[str, str]) -> Reuse:
    def side(s: Side) -> Side:
        location = replace(s.location, path=names[s.location.path])
        return replace(s, location=location)

    return replace(reuse, a=side(reuse.a), b=side(reuse.b))


def query(files: list[str], index: Index, log: Log = lambda _: None) -> ScanResult:
    """The passages that the documents in ``files`` share with the indexed collection,
    without adding them to the index or re-signing anything indexed.
    """
    with collector_paused():
        return _query(files, index, log)


def _query(files: list[str], index: Index, log: Log) -> ScanResult:
    params = index.params
    collection = read_paths(files, index.excluded())
    new = [prepare(doc, params) for doc in collection.documents]
    collisions: dict[str, set[tuple[SegmentKey, SegmentKey]]] = {}
    signed = [
        ((key(p.doc.path), seg.start, seg.end), bands)
        for p in new
        for seg, bands, *_ in signed_rows(p, params)
    ]
    for family in params.families():
        mine = [(name, bands[family]) for name, bands in signed if bands[family] is not None]
        keys = np.array([bands for _, bands in mine], dtype=np.uint64).reshape(len(mine), -1)
        hits = [(mine[row][0], seg_id) for row, seg_id in index.matching(family, keys)]
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
