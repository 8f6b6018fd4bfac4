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
    """The normalised words of ``text`` with their spans in ``text``."""
    if text.isascii():
        return _ascii_tokens(text)
    words: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    for match in WORD.finditer(text):
        word = normalise_word(match.group())
        if not word:  # a lone soft hyphen or joiner
            continue
        words.append(word)
        starts.append(match.start())
        ends.append(match.end())
    return Tokens(words, np.array(starts, dtype=np.int64), np.array(ends, dtype=np.int64))


_ASCII_LETTER = np.zeros(256, dtype=bool)
for _range in ("09", "AZ", "az", "__"):
    _ASCII_LETTER[ord(_range[0]) : ord(_range[1]) + 1] = True
_ASCII_APOSTROPHE = np.zeros(256, dtype=bool)
_ASCII_APOSTROPHE[[ord("'"), ord("`")]] = True


def _ascii_tokens(text: str) -> Tokens:
    """``tokenise`` of an ASCII text, vectorised: the same words and spans as ``WORD``
    finds, where normalising is lower-casing and folding the backtick."""
    codes = np.frombuffer(text.encode("ascii"), dtype=np.uint8)
    letter = _ASCII_LETTER[codes]
    inside = letter.copy()
    # An apostrophe between two letters joins them into one word.
    inside[1:-1] |= _ASCII_APOSTROPHE[codes[1:-1]] & letter[:-2] & letter[2:]
    edges = np.diff(np.concatenate([[0], inside.view(np.int8), [0]]))
    starts, ends = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
    folded = text.lower().replace("`", "'")
    words = [folded[a:b] for a, b in zip(starts.tolist(), ends.tolist(), strict=True)]
    return Tokens(words, starts.astype(np.int64), ends.astype(np.int64))
