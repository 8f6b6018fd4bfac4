"""Stage 3, shingle: word n-grams hashed with xxhash into 32-bit integers.

``ngram_hashes`` hashes every n-gram of a document once; a segment's shingle set is
the unique values over its token range, so overlapping windows cost no rehashing.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import snowballstemmer
import xxhash

from ..arrays import positions_of, unique

_MULTIPLIER = np.uint64(0x9E3779B97F4A7C15)


@lru_cache(maxsize=1 << 18)
def _word_hash(word: str) -> int:
    return xxhash.xxh3_64_intdigest(word.encode("utf-8"))


def word_hashes(words: list[str]) -> np.ndarray:
    """64-bit xxhash of each word, as a uint64 array."""
    return _each_word(words, (_word_hash, np.uint64))[0]


def word_keys(words: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """``(word_hashes(words), content_hashes(words))``, from one pass over the words."""
    return _each_word(words, (_word_hash, np.uint64), (_content_hash, np.uint32))


def _each_word(words: list[str], *functions: tuple[Callable[[str], int], type]) -> list:
    """For each ``(function, dtype)``: ``function`` of each word as an array of ``dtype``,
    computed once per distinct word."""
    distinct = dict.fromkeys(words)
    for k, word in enumerate(distinct):
        distinct[word] = k
    ids = np.fromiter(map(distinct.__getitem__, words), dtype=np.intp, count=len(words))
    return [
        np.fromiter(map(function, distinct), dtype=dtype, count=len(distinct))[ids]
        for function, dtype in functions
    ]


def ngram_hashes(hashes: np.ndarray, n: int) -> np.ndarray:
    """32-bit hash of each run of ``n`` consecutive words (uint32, ``len - n + 1`` values).

    Entry ``i`` hashes words ``i .. i+n-1`` in order; equal n-grams give equal values
    wherever they occur.
    """
    count = len(hashes) - n + 1
    if count <= 0:
        return np.empty(0, dtype=np.uint32)
    combined = hashes[:count].copy()
    with np.errstate(over="ignore"):
        for k in range(1, n):
            combined = combined * _MULTIPLIER + hashes[k : k + count]
    return ((combined >> np.uint64(32)) ^ combined).astype(np.uint32)


def shingle_set(ngrams: np.ndarray, start: int, end: int, n: int) -> np.ndarray:
    """Sorted unique n-gram hashes of the tokens ``[start, end)`` (empty if fewer than n)."""
    return unique(ngrams[start : max(start, end - n + 1)])


# English function words: they carry no evidence that two passages share content.
_STOP_LIST = """a about above after again against all also am an and any are as at be because been
    before being below between both but by can could did do does doing down during each
    either few for from further had has have having he her here hers herself him himself
    his how i if in into is it its itself just may me might more most must my myself no
    nor not now of off on once one only or other our ours ourselves out over own per said
    same say says shall she should so some such than that the their theirs them themselves
    then there these they this those through thus to too under until up upon us very was
    we were what when where whether which while who whom whose why will with within without
    would yet you your yours yourself yourselves"""
STOP_WORDS = frozenset(_STOP_LIST.split())

_STEMMER = snowballstemmer.stemmer("english")
_NUMERAL = re.compile(r"(?:xc|xl|l?x{0,3})(?:ix|iv|v?i{0,3})")
"""Roman numerals up to 89 (``ii``, ``xiv``, ``lxxx``): chapter numbering, not content.
Higher numerals would take ordinary words with them (``mix``)."""


@lru_cache(maxsize=1 << 18)
def content_key(word: str) -> str | None:
    """The Snowball stem of a content word, or None for a function word, a single
    letter or a roman numeral (a table of contents is no evidence of reuse).

    Possessive endings are dropped first (``china's`` → ``china``).
    """
    if word in STOP_WORDS or len(word) < 2 or _NUMERAL.fullmatch(word):
        return None
    base = word[:-2] if word.endswith("'s") else word
    return _STEMMER.stemWord(base)


@lru_cache(maxsize=1 << 18)
def _content_hash(word: str) -> int:
    key = content_key(word)
    if key is None:
        return 0
    return xxhash.xxh32_intdigest(key.encode("utf-8")) or 1


def content_hashes(words: list[str]) -> np.ndarray:
    """32-bit hash of each word's content stem (uint32), 0 for function words.

    The reword-robust shingle family: translations and paraphrases keep the content words
    (often inflected differently) while function words and word order change.
    """
    return _each_word(words, (_content_hash, np.uint32))[0]


def content_set(hashes: np.ndarray, start: int, end: int) -> np.ndarray:
    """Sorted unique content hashes of tokens ``[start, end)``, function words left out."""
    values = unique(hashes[start:end])
    return values[values != 0]


@dataclass(frozen=True, eq=False)
class SetTable:
    """Many sets of 32-bit shingles in two arrays: set ``k`` is the sorted unique
    ``values[offsets[k]:offsets[k + 1]]``. Millions of small sets cost two arrays, not
    millions of objects.
    """

    values: np.ndarray
    offsets: np.ndarray

    def __len__(self) -> int:
        return len(self.offsets) - 1

    def __getitem__(self, k: int) -> np.ndarray:
        return self.values[self.offsets[k] : self.offsets[k + 1]]

    def sizes(self) -> np.ndarray:
        return np.diff(self.offsets)

    @classmethod
    def of(cls, sets: list[np.ndarray]) -> SetTable:
        """The table of ``sets`` (each sorted and unique)."""
        lengths = np.array([len(s) for s in sets], dtype=np.int64)
        values = np.concatenate(sets) if sets else np.empty(0)
        return cls(values.astype(np.uint32), np.concatenate([[0], np.cumsum(lengths)]))

    @classmethod
    def concat(cls, tables: list[SetTable]) -> SetTable:
        """One table holding the sets of ``tables`` in order."""
        starts = np.cumsum([0] + [len(t.values) for t in tables[:-1]])
        offsets = [tables[0].offsets[:1]] + [
            t.offsets[1:] + s for t, s in zip(tables, starts, strict=True)
        ]
        return cls(np.concatenate([t.values for t in tables]), np.concatenate(offsets))


def range_sets(values: np.ndarray, ranges: np.ndarray) -> SetTable:
    """The set of ``values[start:stop]`` for each ``(start, stop)`` row of ``ranges``
    (an ``(n, 2)`` int64 array)."""
    lengths = np.maximum(ranges[:, 1] - ranges[:, 0], 0)
    owner = np.repeat(np.arange(len(lengths), dtype=np.uint64), lengths)
    values = values[positions_of(ranges[:, 0], lengths)].astype(np.uint64)
    codes = unique((owner << np.uint64(32)) | values)
    offsets = np.searchsorted(codes >> np.uint64(32), np.arange(len(lengths) + 1, dtype=np.uint64))
    return SetTable((codes & np.uint64(0xFFFFFFFF)).astype(np.uint32), offsets.astype(np.int64))


def verbatim_spans(ngrams: np.ndarray, ranges: np.ndarray, n: int) -> np.ndarray:
    """For token ranges ``(start, end)``, the ranges of ``ngrams`` (a document's
    ``ngram_hashes``) whose n-grams lie wholly inside (empty under ``n`` tokens)."""
    return np.stack([ranges[:, 0], np.maximum(ranges[:, 0], ranges[:, 1] - n + 1)], axis=1)


def content_spans(content: np.ndarray, ranges: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A document's ``content_hashes`` without the function words, and for token ranges
    ``(start, end)`` the matching ranges of that array."""
    where = np.flatnonzero(content)
    return content[where], np.searchsorted(where, ranges)


class SetSpill:
    """Set tables appended one after another to a file, read back as one table: joining
    many tables costs the memory of the result only, not twice."""

    def __init__(self, path: str):
        self.path = path
        self.offsets = [np.zeros(1, dtype=np.int64)]
        self.count = 0
        open(path, "wb").close()

    def append(self, table: SetTable) -> None:
        """Add ``table``'s sets after those already written."""
        with open(self.path, "ab") as handle:
            table.values.astype(np.uint32).tofile(handle)
        self.offsets.append(table.offsets[1:] + self.count)
        self.count += len(table.values)

    def table(self) -> SetTable:
        """Every set written so far."""
        return SetTable(np.fromfile(self.path, dtype=np.uint32), np.concatenate(self.offsets))
