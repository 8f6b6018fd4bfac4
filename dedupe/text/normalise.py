"""Stage 2a, normalise: Unicode NFKC, folded quotes and dashes, case-folded words.

Tokens keep the character span of the original text they came from, so every later
stage can point back at the file.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from ..arrays import code_points

_FOLD = str.maketrans(
    {
        "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'", "`": "'",
        "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u2033": '"',
        "\u00ab": '"', "\u00bb": '"',
        "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-",
        "\u2015": "-", "\u2212": "-",
        "\u00ad": None, "\u200b": None, "\u200c": None, "\u200d": None, "\ufeff": None,
    }
)  # fmt: skip

# Word characters, combining marks (a decomposed accent stays in its word) and the soft
# hyphen (which ``normalise`` deletes); apostrophes join the parts of a word.
_LETTER = r"[\w\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f\u00ad]"
_APOSTROPHE = "['\u2018\u2019\u201b\u2032`]"
WORD = re.compile(rf"{_LETTER}+(?:{_APOSTROPHE}{_LETTER}+)*")


def normalise(text: str) -> str:
    """``text`` in NFKC, with quotes and dashes folded to ASCII, case-folded, spaces collapsed."""
    folded = unicodedata.normalize("NFKC", text).translate(_FOLD).casefold()
    return " ".join(folded.split())


@lru_cache(maxsize=1 << 18)
def normalise_word(word: str) -> str:
    """A single word as ``normalise`` would spell it."""
    return unicodedata.normalize("NFKC", word).translate(_FOLD).casefold()


@dataclass(frozen=True, eq=False)
class Tokens:
    """The words of one text: normalised spellings and their ``[start, end)`` char spans."""

    words: list[str]
    starts: np.ndarray
    ends: np.ndarray

    def __len__(self) -> int:
        return len(self.words)

    def index_at(self, char: int) -> int:
        """Index of the first token that starts at or after character ``char``."""
        return int(np.searchsorted(self.starts, char, side="left"))


def tokenise(text: str) -> Tokens:
    """The normalised words of ``text`` with their spans in ``text``: the matches of
    ``WORD``, each spelled by ``normalise_word`` (a match that normalises to nothing, a
    lone soft hyphen, is dropped). Found with numpy over the text's code points: a
    letter or an apostrophe between two letters is inside a word."""
    codes = code_points(text)
    is_ascii = codes.dtype == np.uint8
    if is_ascii:
        letter, apostrophe = _ASCII_LETTER[codes], _ASCII_APOSTROPHE[codes]
    else:
        letter, apostrophe = _classes(codes)
    inside = letter.copy()
    inside[1:-1] |= apostrophe[1:-1] & letter[:-2] & letter[2:]
    edges = np.diff(np.concatenate([[0], inside.view(np.int8), [0]]))
    starts, ends = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
    if is_ascii:  # normalising is lower-casing and folding the backtick
        folded = text.lower().replace("`", "'")
        words = [folded[a:b] for a, b in zip(starts.tolist(), ends.tolist(), strict=True)]
        return Tokens(words, starts.astype(np.int64), ends.astype(np.int64))
    # A word of ASCII characters is spelled as on the ASCII path (from a copy of the
    # text with only its ASCII letters lower-cased: same length, same offsets); the
    # others are normalised one by one.
    folded = _ascii_folded(codes)
    words = [folded[a:b] for a, b in zip(starts.tolist(), ends.tolist(), strict=True)]
    high = np.concatenate([[0], np.cumsum(codes >= 0x80)])
    beyond_ascii = np.flatnonzero(high[ends] > high[starts]).tolist()
    for k in beyond_ascii:
        words[k] = normalise_word(text[starts[k] : ends[k]])
    empty = [k for k in beyond_ascii if not words[k]]
    if empty:
        kept = np.ones(len(words), dtype=bool)
        kept[empty] = False
        words = [w for w in words if w]
        starts, ends = starts[kept], ends[kept]
    return Tokens(words, starts.astype(np.int64), ends.astype(np.int64))


def _ascii_folded(codes: np.ndarray) -> str:
    """The text of the code points ``codes`` with its ASCII letters lower-cased and its
    backticks made apostrophes, every other character left as it is."""
    folded = codes.copy()
    folded[(folded >= ord("A")) & (folded <= ord("Z"))] += ord("a") - ord("A")
    folded[folded == ord("`")] = ord("'")
    return folded.tobytes().decode("utf-32-le", "surrogatepass")


_ASCII_LETTER = np.zeros(256, dtype=bool)
for _range in ("09", "AZ", "az", "__"):
    _ASCII_LETTER[ord(_range[0]) : ord(_range[1]) + 1] = True
_ASCII_APOSTROPHE = np.zeros(256, dtype=bool)
_ASCII_APOSTROPHE[[ord("'"), ord("`")]] = True
_LETTER_CHAR = re.compile(f"{_LETTER}$")
_APOSTROPHE_CHAR = re.compile(f"{_APOSTROPHE}$")


def _classes(codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Which code points are word characters (``_LETTER``) and which apostrophes, each
    distinct code point classified once."""
    present = np.zeros(int(codes.max()) + 1, dtype=bool)
    present[codes] = True
    letters, apostrophes = np.zeros_like(present), np.zeros_like(present)
    for code in np.flatnonzero(present).tolist():
        letters[code], apostrophes[code] = _is_letter(chr(code)), _is_apostrophe(chr(code))
    return letters[codes], apostrophes[codes]


@lru_cache(maxsize=1 << 16)
def _is_letter(ch: str) -> bool:
    return _LETTER_CHAR.match(ch) is not None


@lru_cache(maxsize=1 << 10)
def _is_apostrophe(ch: str) -> bool:
    return _APOSTROPHE_CHAR.match(ch) is not None
