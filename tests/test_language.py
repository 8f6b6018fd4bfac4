"""The generated prose of synthetic corpora: sentence lengths, determinism, unrelated
texts sharing little, synonyms."""

from __future__ import annotations

import re

import numpy as np

from dedupe.evaluation.language import generate_text, vocabulary


def words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", text.lower())


def test_generate_text_lengths_and_determinism():
    text = generate_text(np.random.default_rng(5), 1000)
    assert text == generate_text(np.random.default_rng(5), 1000)
    assert 1000 <= len(text.split()) < 1030
    sentences = re.split(r"(?<=\.)\s+", text.strip())
    assert all(8 <= len(s.split()) <= 30 for s in sentences)
    assert any("," in s for s in sentences)


def test_unrelated_documents_share_few_trigrams():
    rng = np.random.default_rng(9)
    a, b = (words(generate_text(rng, 1500)) for _ in range(2))
    grams_a = set(zip(a, a[1:], a[2:], strict=False))
    grams_b = set(zip(b, b[1:], b[2:], strict=False))
    assert len(grams_a & grams_b) < 0.02 * len(grams_a)


def test_synonyms_are_other_content_words():
    vocab = vocabulary()
    content = set(vocab.content)
    assert not content & set(vocab.function)
    for word, synonyms in vocab.synonyms.items():
        assert 1 <= len(synonyms) <= 3
        assert word not in synonyms and set(synonyms) <= content
