"""Prose-like but meaningless text for synthetic corpora: sentences of 8-30 words drawn
from a Zipfian vocabulary that mixes about 90 real English function words with 5,000
deterministic pseudo-words ("content words"), each with 1-3 synonyms of similar rank.
Sentences start with a capital letter and end with a full stop; about a third carry one
comma. Paragraphs hold 2-8 sentences. Everything is a pure function of the generator
passed in."""

from __future__ import annotations

import random
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise

import numpy as np

# fmt: off
FUNCTION_WORDS = (
    "the", "of", "and", "to", "in", "a", "is", "that", "for", "it", "as", "was", "with", "be",
    "by", "on", "not", "he", "this", "are", "or", "his", "from", "at", "which", "but", "have",
    "an", "they", "you", "were", "their", "one", "all", "we", "can", "her", "has", "there",
    "been", "if", "more", "when", "will", "would", "who", "so", "no", "she", "other", "its",
    "may", "these", "into", "than", "them", "some", "could", "only", "our", "also", "after",
    "over", "such", "between", "most", "about", "each", "under", "those", "through", "where",
    "while", "because", "before", "both", "then", "any", "many", "much", "very", "without",
    "again", "during", "against", "within", "upon",
)
# fmt: on

VOCAB_SEED = 20_100_823
N_CONTENT_WORDS = 5_000
SENTENCE_WORDS = (8, 30)
PARAGRAPH_SENTENCES = (2, 8)
COMMA_RATE = 0.35
# Phrase structure: 0-2 function words followed by 1-3 content words.
FUNCTION_RUN_P = (0.30, 0.55, 0.15)
CONTENT_RUN_P = (0.50, 0.35, 0.15)
SYNONYM_WINDOW = 25

SYLLABLE_WEIGHTS = (0.25, 0.55, 0.20)
# fmt: off
_ONSETS = (
    "b", "c", "d", "f", "g", "h", "j", "k", "l", "m", "n", "p", "r", "s", "t", "v", "w", "z",
    "br", "cl", "dr", "fr", "gl", "pr", "sk", "st", "tr", "ch", "sh", "th",
)
_VOWELS = ("a", "e", "i", "o", "u", "ai", "ea", "ou", "io")
_CODAS = ("", "", "n", "r", "s", "l", "m", "t", "nd", "rn", "st", "x")
# fmt: on


@dataclass(frozen=True, eq=False)
class Vocabulary:
    """Word lists, Zipf cumulative distributions and the synonym table.

    ``words`` is ``function + content`` as a numpy object array; ``*_cdf`` are the
    cumulative probabilities by rank (last value exactly 1.0).  Every content word has
    1-3 synonyms, all different content words of similar frequency rank.
    """

    function: tuple[str, ...]
    content: tuple[str, ...]
    words: np.ndarray
    function_cdf: np.ndarray
    content_cdf: np.ndarray
    synonyms: dict[str, tuple[str, ...]]

    def sample_content(self, rng: random.Random) -> str:
        """Draw one content word from the Zipf distribution."""
        return self.content[int(np.searchsorted(self.content_cdf, rng.random(), side="right"))]


def _zipf_cdf(n: int, offset: float) -> np.ndarray:
    """Cumulative Zipf-Mandelbrot distribution p(rank) ~ 1 / (rank + offset)."""
    cdf = np.cumsum(1.0 / (np.arange(1, n + 1) + offset))
    cdf /= cdf[-1]
    cdf[-1] = 1.0
    return cdf


def _pseudo_words(rng: random.Random, n: int, exclude: set[str]) -> list[str]:
    """``n`` distinct pronounceable pseudo-words of 1-3 syllables, none in ``exclude``."""
    words: dict[str, None] = {}
    while len(words) < n:
        syllables = rng.choices((1, 2, 3), weights=SYLLABLE_WEIGHTS)[0]
        word = "".join(
            rng.choice(_ONSETS) + rng.choice(_VOWELS) + rng.choice(_CODAS) for _ in range(syllables)
        )
        if word not in exclude:
            words[word] = None
    return list(words)


def _synonym_table(rng: random.Random, content: list[str]) -> dict[str, tuple[str, ...]]:
    """Map each content word to 1-3 other content words within ``SYNONYM_WINDOW`` ranks."""
    table = {}
    for rank, word in enumerate(content):
        lo, hi = max(0, rank - SYNONYM_WINDOW), min(len(content), rank + SYNONYM_WINDOW + 1)
        neighbours = [content[i] for i in range(lo, hi) if i != rank]
        table[word] = tuple(rng.sample(neighbours, rng.randint(1, 3)))
    return table


@lru_cache(maxsize=1)
def vocabulary() -> Vocabulary:
    """The fixed vocabulary shared by all corpora (built once from ``VOCAB_SEED``)."""
    rng = random.Random(VOCAB_SEED)
    content = _pseudo_words(rng, N_CONTENT_WORDS, set(FUNCTION_WORDS))
    return Vocabulary(
        function=FUNCTION_WORDS,
        content=tuple(content),
        words=np.array(list(FUNCTION_WORDS) + content, dtype=object),
        function_cdf=_zipf_cdf(len(FUNCTION_WORDS), offset=1.0),
        content_cdf=_zipf_cdf(len(content), offset=10.0),
        synonyms=_synonym_table(rng, content),
    )


def _tokens(rng: np.random.Generator, n: int, vocab: Vocabulary) -> list[str]:
    """``n`` lowercase words: phrases of 0-2 function words then 1-3 content words."""
    runs = np.column_stack(
        (rng.choice(3, size=n, p=FUNCTION_RUN_P), rng.choice(3, size=n, p=CONTENT_RUN_P) + 1)
    ).ravel()
    is_function = np.repeat(np.tile([True, False], n), runs)[:n]
    function = np.searchsorted(vocab.function_cdf, rng.random(n), side="right")
    content = np.searchsorted(vocab.content_cdf, rng.random(n), side="right")
    return vocab.words[np.where(is_function, function, content + len(vocab.function))].tolist()


def _sentences(rng: np.random.Generator, n_words: int, vocab: Vocabulary) -> list[str]:
    """Sentences totalling at least ``n_words`` words (overshooting by < 30)."""
    lo, hi = SENTENCE_WORDS
    lengths = rng.integers(lo, hi + 1, size=n_words // lo + 1)
    ends = np.cumsum(lengths)
    count = int(np.searchsorted(ends, n_words)) + 1
    ends, lengths = ends[:count], lengths[:count]
    starts = ends - lengths
    tokens = _tokens(rng, int(ends[-1]), vocab)
    commas = starts + 2 + (rng.random(count) * (lengths - 4)).astype(np.int64)
    for pos in commas[rng.random(count) < COMMA_RATE].tolist():
        tokens[pos] += ","
    starts, ends = starts.tolist(), ends.tolist()
    for start, end in zip(starts, ends, strict=True):
        tokens[start] = tokens[start].capitalize()
        tokens[end - 1] += "."
    return [" ".join(tokens[start:end]) for start, end in zip(starts, ends, strict=True)]


def paragraphs(rng: np.random.Generator, n_words: int) -> list[list[str]]:
    """Sentences of about ``n_words`` words grouped into paragraphs of 2-8 sentences."""
    sentences = _sentences(rng, n_words, vocabulary())
    lo, hi = PARAGRAPH_SENTENCES
    cuts = np.cumsum(rng.integers(lo, hi + 1, size=len(sentences))).tolist()
    bounds = [0] + [c for c in cuts if c < len(sentences)] + [len(sentences)]
    return [sentences[a:b] for a, b in pairwise(bounds)]


def generate_text(rng: np.random.Generator, n_words: int) -> str:
    """Return a prose-like document of at least ``n_words`` words (at most 29 more).

    Paragraphs are single lines separated by a blank line; the text ends with ``"\\n"``.
    Deterministic given the state of ``rng``; vectorised, so fast enough for
    multi-hundred-megabyte throughput corpora.
    """
    return "\n\n".join(" ".join(p) for p in paragraphs(rng, n_words)) + "\n"
