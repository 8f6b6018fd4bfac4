"""Obfuscations of planted passages, each a pure function of the random generator:
``verbatim``; ``light`` (5-10% of the words inserted, deleted or substituted); ``ocr``
(character confusions); ``reorder`` (sentences shuffled); ``reword`` (synonyms, clauses
swapped)."""

from __future__ import annotations

import random

from .language import SENTENCE_WORDS, vocabulary

OBFUSCATIONS = ("verbatim", "light", "ocr", "reorder", "reword")

LIGHT_EDIT_RATE = (0.05, 0.10)
OCR_RATE = 0.05
# fmt: off
OCR_CONFUSIONS = {
    "m": "rn", "l": "1", "e": "c", "c": "e", "o": "0", "i": "l", "h": "b", "n": "h", "u": "v",
}
# fmt: on
REWORD_RATE = (1 / 3, 1 / 2)
CLAUSE_SWAP_RATE = 0.5


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
