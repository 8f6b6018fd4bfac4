"""Stages 1-4 over a partition of files: read → normalise/segment → shingle → sign.

``sketch_files`` turns a list of files into a ``Sketch``: what later stages need of
every segment (its token range, its LSH band keys in each shingle family, its content
set for rarity weights and verification) and of every document (how reports describe
it, what orientation needs), but not the text. Sketches of partitions are independent,
so they are computed in parallel and concatenated in file order. Each document is
prepared once (``dedupe.text.prepared``); a scan keeps it for the alignment of the
candidate pairs that point at it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..instrument import collector_paused
from ..model import DocumentInfo, Facts
from ..parameters import CONTENT, VERBATIM, Parameters
from ..read.dates import document_date
from ..read.files import Document, Skipped, decoding_note
from ..read.formats import read_documents
from .prepared import Prepared, PreparedStore, prepare
from .shingle import SetTable, content_spans, range_sets, verbatim_spans
from .sign import band_keys, lsh_bands, range_signatures


def describe(doc: Document, words: int) -> DocumentInfo:
    """How reports describe a document; its date is the one its container states
    (a WARC-Date, say), else one found in its text."""
    lines = doc.text.count("\n") + (not doc.text.endswith("\n"))
    date = doc.date or document_date(doc.text)
    return DocumentInfo(doc.path, date, words, lines, doc.encoding)


@dataclass(frozen=True)
class Signed:
    """The signed segments of some documents, one row each.

    ``ranges`` holds ``(doc, start, end)`` token ranges (``doc`` numbers documents in
    order); ``keys[family]`` the LSH band keys and ``present[family]`` whether the
    segment's set in that family is non-empty (an empty one has no keys worth
    comparing); ``verbatim`` the word n-gram sets; ``content`` the content sets (all
    empty when paraphrase is off).
    """

    ranges: np.ndarray
    keys: dict[str, np.ndarray]
    present: dict[str, np.ndarray]
    verbatim: SetTable
    content: SetTable

    def __len__(self) -> int:
        return len(self.ranges)


@dataclass
class Sketch:
    """A partition of files, sketched: its documents (with their digests, so that
    reading one again can be checked) and their signed segments."""

    documents: list[DocumentInfo] = field(default_factory=list)
    facts: dict[str, Facts] = field(default_factory=dict)
    digests: list[str] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    signed: Signed | None = None


def sign(prepared: Prepared, number: int, params: Parameters) -> Signed:
    """The signed segments of one prepared document, numbered ``number``."""
    ranges = prepared.segments
    ranges = ranges[ranges[:, 1] - ranges[:, 0] >= params.min_words]
    n = params.shingle_size
    families = {VERBATIM: (prepared.ngrams, verbatim_spans(prepared.ngrams, ranges, n))}
    content = SetTable(np.empty(0, dtype=np.uint32), np.zeros(len(ranges) + 1, dtype=np.int64))
    if params.paraphrase:
        families[CONTENT] = content_spans(prepared.content, ranges)
        content = range_sets(*families[CONTENT])
    keys, present = {}, {}
    for family, (values, spans) in families.items():
        bands, rows = lsh_bands(params.lsh_threshold(family), params.num_perm)
        signatures = range_signatures(values, spans, params.num_perm, bands * rows)
        keys[family] = band_keys(signatures, bands, rows)
        present[family] = spans[:, 1] > spans[:, 0]
    owner = np.full((len(ranges), 1), number, dtype=np.int64)
    verbatim = range_sets(*families[VERBATIM])
    return Signed(np.hstack([owner, ranges]), keys, present, verbatim, content)


def concat(parts: list[Signed], families: tuple[str, ...]) -> Signed:
    """The rows of ``parts`` in order, with the band keys of the ``families`` that every
    part holds keys of (document numbers are kept as they are)."""
    keyed = [f for f in families if parts and all(f in p.keys for p in parts)]
    return Signed(
        np.concatenate([p.ranges for p in parts] + [np.empty((0, 3), dtype=np.int64)]),
        {f: np.concatenate([p.keys[f] for p in parts]) for f in keyed},
        {
            f: np.concatenate([p.present[f] for p in parts] + [np.empty(0, dtype=bool)])
            for f in families
        },
        SetTable.concat([p.verbatim for p in parts]) if parts else SetTable.of([]),
        SetTable.concat([p.content for p in parts]) if parts else SetTable.of([]),
    )


def sketch_files(
    paths: list[str], params: Parameters, store: PreparedStore | None = None
) -> Sketch:
    """Read and sign every document in the files at ``paths`` (a container such as a
    WARC holds many), numbered from 0 in order; unusable ones are listed in
    ``skipped``. Each prepared document is kept in ``store`` if given."""
    with collector_paused():  # in a worker that was not forked from a paused scan
        return _sketch_files(paths, params, store)


def _sketch_files(paths: list[str], params: Parameters, store: PreparedStore | None) -> Sketch:
    sketch = Sketch()
    parts = []
    for path in paths:
        for item in read_documents(path):
            if isinstance(item, Skipped):
                sketch.skipped.append(item)
                continue
            if note := decoding_note(item):
                sketch.notes.append(note)
            prepared = prepare(item, params)
            if store is not None:
                store.put(prepared)
            parts.append(sign(prepared, len(sketch.documents), params))
            sketch.documents.append(describe(item, prepared.words))
            sketch.facts[item.path] = Facts(prepared.words, sketch.documents[-1].date, item.mtime)
            sketch.digests.append(item.digest)
    sketch.signed = concat(parts, params.families())
    return sketch
