"""Seeded synthetic corpora with planted text reuse at known character offsets.

The text is prose-like but meaningless: sentences of 8-30 words drawn from a Zipfian
vocabulary that mixes about 90 real English function words with 5,000 deterministic
pseudo-words ("content words").  Sentences start with a capital letter and end with a
full stop; about a third carry one comma.  Paragraphs hold 2-8 sentences (the last one of
a document may hold fewer), are written on one line each and are separated by a blank line.
Every file ends with a single newline.

:func:`generate_corpus` takes passages (runs of whole sentences) out of *source*
documents, obfuscates them and inserts them into different *suspicious* documents at a
sentence or paragraph boundary, then records the character offsets of both ends in
``truth.json``.  Everything is a pure function of ``seed``: no global random state is used.
"""

from __future__ import annotations

import json
import random
from dataclasses import asdict, dataclass
from functools import lru_cache
from itertools import pairwise
from pathlib import Path

import numpy as np

__all__ = [
    "OBFUSCATIONS",
    "PlantedCase",
    "Vocabulary",
    "generate_corpus",
    "generate_text",
    "load_truth",
    "obfuscate",
    "vocabulary",
]

OBFUSCATIONS = ("verbatim", "light", "ocr", "reorder", "reword")

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

LIGHT_EDIT_RATE = (0.05, 0.10)
OCR_RATE = 0.05
# fmt: off
OCR_CONFUSIONS = {
    "m": "rn", "l": "1", "e": "c", "c": "e", "o": "0", "i": "l", "h": "b", "n": "h", "u": "v",
}
# fmt: on
REWORD_RATE = (1 / 3, 1 / 2)
CLAUSE_SWAP_RATE = 0.5
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

SOURCE_SHARE = 0.4
SUSPICIOUS_SHARE = 0.4
PASSAGE_ATTEMPTS = 200


@dataclass(frozen=True)
class PlantedCase:
    """One planted reuse case.

    Offsets are 0-based, end-exclusive indices into the decoded text of the final files.
    ``source_*`` locates the original passage, ``copy_*`` its obfuscated copy.
    """

    obfuscation: str
    source_path: str
    source_start: int
    source_end: int
    copy_path: str
    copy_start: int
    copy_end: int


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


# --------------------------------------------------------------------------- text


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


def _paragraphs(rng: np.random.Generator, n_words: int) -> list[list[str]]:
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
    return "\n\n".join(" ".join(p) for p in _paragraphs(rng, n_words)) + "\n"


# ------------------------------------------------------------------ obfuscations


def _split_punct(token: str) -> tuple[str, str]:
    """Split a token into its word and trailing ``,``/``.`` punctuation."""
    word = token.rstrip(",.")
    return word, token[len(word) :]


def _light(sentences: list[str], rng: random.Random) -> list[str]:
    """Insert, delete or substitute 5-10% of the words (never a sentence's first/last).

    Inserted and substituted words are Zipf-sampled content words; a deletion that would
    leave a sentence with fewer than 4 words becomes a substitution.
    """
    vocab = vocabulary()
    words = [s.split(" ") for s in sentences]
    edits = max(1, round(sum(map(len, words)) * rng.uniform(*LIGHT_EDIT_RATE)))
    for _ in range(edits):
        sentence = rng.choices(words, weights=[len(w) for w in words])[0]
        i = rng.randrange(1, len(sentence) - 1)
        op = rng.choice(("insert", "delete", "substitute"))
        if op == "insert":
            sentence.insert(i, vocab.sample_content(rng))
        elif op == "delete" and len(sentence) > SENTENCE_WORDS[0] // 2:
            sentence[i - 1] += _split_punct(sentence.pop(i))[1]
        else:
            sentence[i] = vocab.sample_content(rng) + _split_punct(sentence[i])[1]
    return [" ".join(w) for w in words]


def _ocr_sentence(sentence: str, rng: random.Random) -> str:
    """Apply OCR-like confusions, drops and doublings to about 5% of the letters."""
    out, i = [], 0
    while i < len(sentence):
        char = sentence[i]
        i += 1
        if not char.isalpha() or rng.random() >= OCR_RATE:
            out.append(char)
        elif sentence.startswith("rn", i - 1):
            out.append("m")
            i += 1
        elif char in OCR_CONFUSIONS and rng.random() < 0.6:
            out.append(OCR_CONFUSIONS[char])
        elif rng.random() < 0.5:
            out.append(char * 2)
    return "".join(out)


def _reorder(sentences: list[str], rng: random.Random) -> list[str]:
    """Shuffle the sentences into an order different from the original (if > 1)."""
    order = list(range(len(sentences)))
    while len(order) > 1 and order == sorted(order):
        rng.shuffle(order)
    return [sentences[i] for i in order]


def _synonymise(tokens: list[str], rng: random.Random, rate: float) -> list[str]:
    """Replace each content word by one of its synonyms with probability ``rate``."""
    synonyms = vocabulary().synonyms
    out = []
    for token in tokens:
        word, punct = _split_punct(token)
        if word.lower() in synonyms and rng.random() < rate:
            new = rng.choice(synonyms[word.lower()])
            token = (new.capitalize() if word[0].isupper() else new) + punct
        out.append(token)
    return out


def _swap_clauses(tokens: list[str]) -> list[str]:
    """Swap the parts around the first comma, else around an interior ``and``.

    Capitalisation and the final full stop are moved so the sentence stays well formed;
    returns ``tokens`` unchanged when there is no comma or interior ``and``.
    """
    comma = next((i for i, t in enumerate(tokens[:-1]) if t.endswith(",")), None)
    if comma is not None:
        left, joint, right = tokens[: comma + 1], [], tokens[comma + 1 :]
        left[-1], right[-1] = left[-1][:-1], right[-1][:-1] + ","
    elif "and" in tokens[1:-1]:
        cut = tokens.index("and", 1)
        left, joint, right = tokens[:cut], ["and"], tokens[cut + 1 :]
        right[-1] = right[-1][:-1]
    else:
        return tokens
    left[0] = left[0].lower()
    right[0] = right[0].capitalize()
    left[-1] += "."
    return right + joint + left


def _reword(sentences: list[str], rng: random.Random) -> list[str]:
    """Swap 1/3-1/2 of the content words for synonyms and swap clauses in half the sentences."""
    rate = rng.uniform(*REWORD_RATE)
    out = []
    for sentence in sentences:
        tokens = _synonymise(sentence.split(" "), rng, rate)
        if rng.random() < CLAUSE_SWAP_RATE:
            tokens = _swap_clauses(tokens)
        out.append(" ".join(tokens))
    return out


def obfuscate(kind: str, sentences: list[str], rng: random.Random) -> list[str]:
    """Return an obfuscated copy of ``sentences`` (a passage split into sentences).

    ``kind`` is one of :data:`OBFUSCATIONS`.  Sentences keep their count and order except
    for ``reorder``; each result sentence is still capitalised and ends with ``"."``
    (except where ``ocr`` garbled those characters).
    """
    if kind == "verbatim":
        return list(sentences)
    if kind == "light":
        return _light(sentences, rng)
    if kind == "ocr":
        return [_ocr_sentence(s, rng) for s in sentences]
    if kind == "reorder":
        return _reorder(sentences, rng)
    if kind == "reword":
        return _reword(sentences, rng)
    raise ValueError(f"unknown obfuscation {kind!r}; expected one of {OBFUSCATIONS}")


# ------------------------------------------------------------------------ corpus


@dataclass
class _Segment:
    """A sentence (or an inserted passage) of a document under construction."""

    text: str
    case: int | None = None


_Document = list[list[_Segment]]


def _render(doc: _Document) -> tuple[str, dict[int, tuple[int, int]]]:
    """Return the document's text and the character span of each case tagged in it."""
    parts: list[str] = []
    spans: dict[int, tuple[int, int]] = {}
    pos = 0
    for p, paragraph in enumerate(doc):
        for s, segment in enumerate(paragraph):
            sep = ("\n\n" if p else "") if s == 0 else " "
            parts.append(sep)
            pos += len(sep)
            if segment.case is not None:
                start = spans.get(segment.case, (pos, pos))[0]
                spans[segment.case] = (start, pos + len(segment.text))
            parts.append(segment.text)
            pos += len(segment.text)
    parts.append("\n")
    return "".join(parts), spans


def _take_passage(
    rng: random.Random, doc: _Document, case: int, passage_words: tuple[int, int]
) -> tuple[list[str], list[str]] | None:
    """Tag a free run of whole sentences of ``passage_words`` words in ``doc`` with ``case``.

    Returns ``(sentences, separators)`` (``len(separators) == len(sentences) - 1``; a
    separator is ``" "`` inside a paragraph and ``"\\n\\n"`` across), or ``None`` if no
    free run of a suitable length was found.
    """
    flat = [(p, seg) for p, paragraph in enumerate(doc) for seg in paragraph]
    lo, hi = passage_words
    target = rng.randint(lo, hi)
    for _ in range(PASSAGE_ATTEMPTS):
        i = rng.randrange(len(flat))
        run, words = [], 0
        for p, seg in flat[i:]:
            n = len(seg.text.split())
            if seg.case is not None or words + n > target:
                break
            run.append((p, seg))
            words += n
        if words >= lo:
            for _, seg in run:
                seg.case = case
            seps = [" " if a[0] == b[0] else "\n\n" for a, b in pairwise(run)]
            return [seg.text for _, seg in run], seps
    return None


def _insert(rng: random.Random, doc: _Document, segment: _Segment) -> None:
    """Insert ``segment`` as a new paragraph or between two sentences of a paragraph."""
    if rng.random() < 0.5:
        doc.insert(rng.randint(0, len(doc)), [segment])
    else:
        paragraph = rng.choice(doc)
        paragraph.insert(rng.randint(0, len(paragraph)), segment)


def _interleave(sentences: list[str], separators: list[str]) -> str:
    """Join sentences with the given separators (one fewer than sentences)."""
    return "".join(s + sep for s, sep in zip(sentences, separators + [""], strict=True))


def _roles(rng: random.Random, n_docs: int) -> tuple[list[int], list[int]]:
    """Split document indices into disjoint source and suspicious sets; the rest stay clean."""
    order = list(range(n_docs))
    rng.shuffle(order)
    n_src = max(1, round(n_docs * SOURCE_SHARE))
    n_susp = max(1, round(n_docs * SUSPICIOUS_SHARE))
    return sorted(order[:n_src]), sorted(order[n_src : n_src + n_susp])


def _plant(
    rng: random.Random,
    docs: list[_Document],
    kinds: list[str],
    passage_words: tuple[int, int],
) -> list[tuple[int, int]]:
    """Plant one case per entry of ``kinds``; return the ``(source, copy)`` doc index pairs.

    Case ``i`` tags its source sentences and its inserted segment with ``i``.  A suspicious
    document receives at most one passage per source document.
    """
    sources, suspects = _roles(rng, len(docs))
    pairs: list[tuple[int, int]] = []
    for case, kind in enumerate(kinds):
        src, taken = _source_passage(rng, docs, sources, case, passage_words)
        used = set(pairs)
        targets = [d for d in suspects if (src, d) not in used]
        if not targets:
            raise ValueError("too few documents for the requested number of cases")
        copy = rng.choice(targets)
        text = _interleave(obfuscate(kind, taken[0], rng), taken[1])
        _insert(rng, docs[copy], _Segment(text, case))
        pairs.append((src, copy))
    return pairs


def _source_passage(
    rng: random.Random,
    docs: list[_Document],
    sources: list[int],
    case: int,
    passage_words: tuple[int, int],
) -> tuple[int, tuple[list[str], list[str]]]:
    """Take a passage for ``case`` from a randomly chosen source document that has room."""
    for src in rng.sample(sources, len(sources)):
        taken = _take_passage(rng, docs[src], case, passage_words)
        if taken is not None:
            return src, taken
    raise ValueError("source documents have no room for another passage")


def generate_corpus(
    out_dir: str | Path,
    *,
    seed: int,
    n_docs: int,
    cases_per_obfuscation: int,
    obfuscations: tuple[str, ...] = OBFUSCATIONS,
    doc_words: tuple[int, int] = (400, 1500),
    passage_words: tuple[int, int] = (40, 300),
) -> list[PlantedCase]:
    """Write ``doc_0000.txt`` ... and ``truth.json`` into ``out_dir``; return the cases.

    40% of the documents are *sources* (never modified except that passages are read from
    them), 40% are *suspicious* (receive 0 or more obfuscated passages, at most one per
    source document) and the rest are clean.  Each case copies a run of whole sentences of
    ``passage_words`` words (inclusive range) from a source document into a suspicious one;
    source passages never overlap each other.  Document lengths are drawn uniformly from
    ``doc_words`` before planting.  Files are UTF-8 with ``"\\n"`` line ends; offsets in the
    returned cases (and in ``truth.json``, whose paths are relative to ``out_dir``) index the
    decoded text of the written files.  The output is a pure function of the arguments.

    Raises ``ValueError`` for fewer than 2 documents, an unknown obfuscation, or when the
    documents cannot host the requested cases.
    """
    if n_docs < 2:
        raise ValueError("need at least two documents")
    unknown = set(obfuscations) - set(OBFUSCATIONS)
    if unknown:
        raise ValueError(f"unknown obfuscations {sorted(unknown)}; expected {OBFUSCATIONS}")
    nprng, rng = np.random.default_rng(seed), random.Random(seed)
    lo, hi = doc_words
    docs = [
        [[_Segment(s) for s in p] for p in _paragraphs(nprng, int(nprng.integers(lo, hi + 1)))]
        for _ in range(n_docs)
    ]
    kinds = [kind for kind in obfuscations for _ in range(cases_per_obfuscation)]
    rng.shuffle(kinds)
    pairs = _plant(rng, docs, kinds, passage_words)
    rendered = [_render(doc) for doc in docs]
    names = _write_documents(Path(out_dir), [text for text, _ in rendered])
    spans = [doc_spans for _, doc_spans in rendered]
    cases = [
        PlantedCase(kind, names[src], *spans[src][i], names[copy], *spans[copy][i])
        for i, (kind, (src, copy)) in enumerate(zip(kinds, pairs, strict=True))
    ]
    _write_truth(Path(out_dir), seed, n_docs, cases)
    return cases


def _write_documents(out_dir: Path, texts: list[str]) -> list[str]:
    """Write each text as UTF-8 ``doc_NNNN.txt``; return the paths as ``str(out_dir / name)``."""
    out_dir.mkdir(parents=True, exist_ok=True)
    width = max(4, len(str(len(texts) - 1)))
    paths = []
    for i, text in enumerate(texts):
        path = out_dir / f"doc_{i:0{width}d}.txt"
        with open(path, "w", encoding="utf-8", newline="") as f:
            f.write(text)
        paths.append(str(path))
    return paths


def _write_truth(out_dir: Path, seed: int, n_docs: int, cases: list[PlantedCase]) -> None:
    """Write ``truth.json`` with document paths relative to ``out_dir``."""
    records = []
    for case in cases:
        record = asdict(case)
        record["source_path"] = Path(case.source_path).name
        record["copy_path"] = Path(case.copy_path).name
        records.append(record)
    payload = {"seed": seed, "n_docs": n_docs, "cases": records}
    (out_dir / "truth.json").write_text(json.dumps(payload, indent=1) + "\n", encoding="utf-8")


def load_truth(path: str | Path) -> list[PlantedCase]:
    """Read a ``truth.json`` written by :func:`generate_corpus`.

    Document paths are resolved against the directory holding ``truth.json`` (as
    ``str(Path(path).parent / name)``), so ``load_truth(d / "truth.json")`` equals the list
    ``generate_corpus(d, ...)`` returned.
    """
    path = Path(path)
    records = json.loads(path.read_text(encoding="utf-8"))["cases"]
    return [
        PlantedCase(
            **{
                **r,
                "source_path": str(path.parent / r["source_path"]),
                "copy_path": str(path.parent / r["copy_path"]),
            }
        )
        for r in records
    ]
