"""Stages 2-3 for one document: normalise/segment → shingle, kept for alignment.

``prepare`` turns a ``Document`` into a ``Prepared``: its token spans, word hashes, word
n-gram and content hashes, segments, paragraph and sentence starts. A scan prepares
every document once, while sketching, and keeps it in a ``PreparedStore`` (files in the
scan's temporary folder) for the alignment tasks, which may need a document many times;
documents named by an index are read and prepared again (``prepared_again``).
"""

from __future__ import annotations

import os
import pickle
import shutil
import tempfile
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np
import xxhash

from ..parameters import Parameters
from ..read.files import Document, Skipped
from ..read.formats import read_document
from .normalise import tokenise
from .segment import paragraphs, segment_ranges, sentence_bounds
from .shingle import ngram_hashes, word_keys


@dataclass(frozen=True)
class Prepared:
    """One document after normalising, segmenting and shingling (both families).

    ``starts``/``ends`` are the character spans of its words in ``doc.text``,
    ``hashes`` their normalised spellings' hashes (equal words, equal hashes),
    ``ngrams``/``content`` the word n-gram and content hashes by token, ``segments``
    the ``(start, end)`` token ranges of its segments (``dedupe.text.segment``), ``breaks``
    the tokens where paragraphs start (sorted, and the token count), ``sentences`` where
    sentences start (and the token count).
    """

    doc: Document
    starts: np.ndarray
    ends: np.ndarray
    hashes: np.ndarray
    ngrams: np.ndarray
    content: np.ndarray
    segments: np.ndarray
    breaks: np.ndarray
    sentences: np.ndarray

    @property
    def words(self) -> int:
        return len(self.hashes)


def prepare(doc: Document, params: Parameters) -> Prepared:
    """Tokenise, segment and shingle one document."""
    tokens = tokenise(doc.text)
    hashes, contents = word_keys(tokens.words)
    spans = paragraphs(doc.text)
    breaks = np.searchsorted(tokens.starts, [start for start, _ in spans])
    return Prepared(
        doc,
        tokens.starts,
        tokens.ends,
        hashes,
        ngram_hashes(hashes, params.shingle_size),
        contents,
        np.array(
            segment_ranges(doc.text, tokens, params.window_words, spans), dtype=np.int64
        ).reshape(-1, 2),
        np.unique(np.append(breaks, len(tokens))).astype(np.int64),
        np.array(sentence_bounds(doc.text, tokens, spans), dtype=np.int64),
    )


class PreparedStore:
    """Prepared documents kept as files in ``folder``, by path and digest."""

    def __init__(self, folder: str):
        self.folder = folder

    def _file(self, path: str, digest: str) -> str:
        name = xxhash.xxh3_128_hexdigest(f"{digest}\0{path}".encode("utf-8", "surrogatepass"))
        return os.path.join(self.folder, f"{name}.prepared")

    def put(self, prepared: Prepared) -> None:
        with open(self._file(prepared.doc.path, prepared.doc.digest), "wb") as out:
            pickle.dump(prepared, out, protocol=pickle.HIGHEST_PROTOCOL)

    def get(self, path: str, digest: str) -> Prepared | None:
        """The document kept under ``path`` and ``digest``, or None."""
        try:
            with open(self._file(path, digest), "rb") as stored:
                return pickle.load(stored)
        except FileNotFoundError:
            return None


@contextmanager
def prepared_store(scratch: str | None) -> Iterator[PreparedStore | None]:
    """A ``PreparedStore`` in a new folder inside ``scratch`` (None without one),
    removed once the block is done; on an error the folder is left to whoever removes
    ``scratch`` once no worker can still write into it."""
    if scratch is None:
        yield None
        return
    folder = tempfile.mkdtemp(prefix="prepared-", dir=scratch)
    yield PreparedStore(folder)
    shutil.rmtree(folder)


class PreparedCache:
    """The documents this process prepared last, up to ``words`` words in all, by path,
    digest and parameters (the oldest are let go first)."""

    def __init__(self, words: int):
        self.words, self.held = words, 0
        self.items: OrderedDict[tuple, Prepared] = OrderedDict()

    def get(self, path: str, digest: str, params: Parameters) -> Prepared | None:
        key = (path, digest, params)
        if key in self.items:
            self.items.move_to_end(key)
        return self.items.get(key)

    def put(self, item: Prepared, params: Parameters) -> Prepared:
        self.items[(item.doc.path, item.doc.digest, params)] = item
        self.held += item.words
        while self.held > self.words and len(self.items) > 1:
            _, old = self.items.popitem(last=False)
            self.held -= old.words
        return item


_PREPARED = PreparedCache(words=2_000_000)


def prepared_again(
    files: list[tuple[str, str]],
    params: Parameters,
    changed: str,
    store: PreparedStore | None = None,
) -> tuple[list[Prepared], list[str]]:
    """The ``(path, digest)`` files prepared, in order: taken from
    ``store`` when it holds them (the documents a scan or an index prepared), else read
    again, and a file whose content is no longer ``digest`` left out with the note
    ``PATH: changed``. A document prepared lately in this process is taken from a cache
    instead (alignment tasks share their busiest documents)."""
    prepared, notes = [], []
    for path, digest in files:
        item = _PREPARED.get(path, digest, params)
        if item is None and store is not None and (kept := store.get(path, digest)):
            item = _PREPARED.put(kept, params)
        elif item is None:
            document = read_document(path)
            if isinstance(document, Skipped) or document.digest != digest:
                notes.append(f"{path}: {changed}")
                continue
            item = _PREPARED.put(prepare(document, params), params)
        prepared.append(item)
    return prepared, notes
