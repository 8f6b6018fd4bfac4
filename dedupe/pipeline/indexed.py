"""Scanning and querying through the index (``dedupe.store.index``), through the scan's
own stages (``scan.aligned_reuses``): a scan aligns the documents whose passages are not
stored yet with the others and reports what is stored; a query aligns its documents
with the indexed segments they touch and stores nothing.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from dataclasses import replace
from typing import TypeVar

import numpy as np

from ..instrument import Log, collector_paused, stage
from ..model import Reuse, ScanResult, Side
from ..parameters import Parameters
from ..read.files import list_files
from ..store.index import CHANGED_SINCE, Index
from ..store.records import AddStats, key
from ..text.prepared import PreparedStore, prepared_store
from ..text.sketch import Signed, sketch_files
from .executors import Executor, Local
from .scan import (
    Sources,
    aligned_reuses,
    collect,
    copy_reuses,
    identical_copies,
    load_kernels,
    oriented,
)

T = TypeVar("T")


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
    return _on_workers(
        lambda workers, store: _indexed_result(paths, index, log, workers, store), executor
    )


def _on_workers(run: Callable[[Executor, PreparedStore | None], T], executor: Executor | None) -> T:
    """``run(executor, store)`` on ``executor`` (default: this machine's cores), with the
    garbage collector paused (workers forked meanwhile inherit the pause) and a
    ``PreparedStore`` in the executor's scratch folder."""
    if executor is None:
        with Local() as local:
            return _on_workers(run, local)
    with collector_paused(), prepared_store(executor.scratch()) as store:
        return run(executor, store)


def _indexed_result(
    paths: list[str], index: Index, log: Log, executor: Executor, store: PreparedStore | None
) -> tuple[ScanResult, AddStats]:
    params = index.params
    load_kernels(params)  # once, before the workers are forked
    # Alignment takes the documents index add prepares from store.
    stats = index.add(paths, log, store, executor.map)
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
        with tempfile.TemporaryDirectory(prefix="dedupe-", dir=executor.scratch()) as folder:
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


def add_files(
    paths: list[str], index: Index, log: Log = lambda _: None, executor: Executor | None = None
) -> AddStats:
    """``Index.add`` with the files read and signed on ``executor``'s workers (default:
    every core of this machine). Nothing is written outside the index: a run killed
    outright leaves no temporary folder."""
    if executor is None:
        with Local() as local:
            return add_files(paths, index, log, local)
    load_kernels(index.params)  # once, before the workers are forked
    with collector_paused():  # workers forked meanwhile inherit the pause
        return index.add(paths, log, mapper=executor.map)


def _quiet(what: str, done: int, total: int) -> None:
    """Progress nobody follows."""


def _renamed(reuse: Reuse, names: dict[str, str]) -> Reuse:
    def side(s: Side) -> Side:
        location = replace(s.location, path=names[s.location.path])
        return replace(s, location=location)

    return replace(reuse, a=side(reuse.a), b=side(reuse.b))


def query(
    files: list[str], index: Index, log: Log = lambda _: None, executor: Executor | None = None
) -> ScanResult:
    """The passages that the documents in ``files`` share with the indexed collection,
    without adding them to the index or re-signing anything indexed.

    The documents are sketched as a scan sketches them, and the indexed segments that
    share an LSH band key with theirs are taken from the index; together they go
    through the scan's own stages (``scan.aligned_reuses``), which align only the pairs
    with a queried document. So a text that many indexed documents hold (a licence) is
    aligned against one of them, its family's source, and marked boilerplate; a queried
    file byte-identical to an indexed one is one whole passage against it.
    """
    return _on_workers(lambda workers, store: _query(files, index, log, workers, store), executor)


def _query(
    files: list[str], index: Index, log: Log, executor: Executor, store: PreparedStore | None
) -> ScanResult:
    params = index.params
    listing = list_files(files, index.excluded())
    load_kernels(params)  # once, before the workers are forked
    with tempfile.TemporaryDirectory(prefix="dedupe-", dir=executor.scratch()) as folder:
        with stage("sketch", log):
            new = sketch_files(listing.files, params, store)
        asked = {key(d.path) for d in new.documents}
        touched = {
            row.id: row.path for row in index.segments_of(_touched(index, new.signed, params))
        }
        names = {k: k for k in sorted(set(touched.values()) - asked)}
        log(f"index: {len(touched)} segments of {len(names)} documents share band keys")
        indexed = index.sketch(names, set(touched))
        # Indexed documents first: a queried file byte-identical to one of them is its copy.
        parts = [list(names), [d.path for d in new.documents]]
        collection = collect(iter([indexed, new]), parts, params, folder, _quiet)
        fresh = np.arange(len(collection.files)) >= len(names)
        sources = Sources(store, CHANGED_SINCE, fresh, partial=True)
        reuses, notes = aligned_reuses(
            collection, params, executor, sources, log, weights=index.weights(new.signed.content)
        )
        mine = {d.path for d in new.documents}
        copied = [
            r
            for r in copy_reuses(collection.ordered_files(), params, store)
            if r.a.location.path in mine or r.b.location.path in mine
        ]
    with stage("provenance", log):
        passages = oriented(reuses + copied, collection.sketch.facts, params)
    log(f"{len(passages)} reused passages")
    shown = mine | {p.path for passage in passages for p in (passage.source, passage.copy)}
    documents = [d for d in collection.sketch.documents if d.path in shown]
    skipped = sorted(listing.skipped + new.skipped, key=lambda s: s.path)
    return ScanResult(params, documents, passages, skipped, new.notes + notes)


def _touched(index: Index, signed: Signed, params: Parameters) -> set[int]:
    """The ids of the indexed segments sharing a band key with a ``signed`` segment, in
    any family (see ``Index.matching``)."""
    found: set[int] = set()
    for family in params.families():
        rows = np.flatnonzero(signed.present[family])
        found.update(seg_id for _, seg_id in index.matching(family, signed.keys[family][rows]))
    return found
