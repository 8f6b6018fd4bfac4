"""Tests for the seeded synthetic corpus generator."""

from __future__ import annotations

import random
import re
from pathlib import Path

import numpy as np
import pytest

from dedupe.evaluation.language import generate_text, vocabulary
from dedupe.evaluation.obfuscate import OBFUSCATIONS, obfuscate
from dedupe.evaluation.synthetic import generate_corpus, load_truth

SEED = 11
SETTINGS = {"seed": SEED, "n_docs": 24, "cases_per_obfuscation": 3}


def words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", text.lower())


def read(path: str) -> str:
    return Path(path).read_text(encoding="utf-8")


def source_text(case) -> str:
    return read(case.source_path)[case.source_start : case.source_end]


def copy_text(case) -> str:
    return read(case.copy_path)[case.copy_start : case.copy_end]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    out = tmp_path_factory.mktemp("corpus")
    return out, generate_corpus(out, **SETTINGS)


def test_same_seed_gives_identical_files(corpus, tmp_path):
    out, cases = corpus
    again = generate_corpus(tmp_path, **SETTINGS)
    names = sorted(p.name for p in out.iterdir())
    assert names == sorted(p.name for p in tmp_path.iterdir())
    assert len(names) == SETTINGS["n_docs"] + 1
    for name in names:
        assert (out / name).read_bytes() == (tmp_path / name).read_bytes()
    assert [Path(c.copy_path).name for c in again] == [Path(c.copy_path).name for c in cases]


def test_other_seed_gives_other_corpus(corpus, tmp_path):
    out, _ = corpus
    generate_corpus(tmp_path, **{**SETTINGS, "seed": SEED + 1})
    assert (out / "doc_0000.txt").read_bytes() != (tmp_path / "doc_0000.txt").read_bytes()


def test_truth_round_trips(corpus):
    out, cases = corpus
    assert load_truth(out / "truth.json") == cases


def test_every_obfuscation_present(corpus):
    _, cases = corpus
    kinds = [c.obfuscation for c in cases]
    assert sorted(kinds) == sorted(OBFUSCATIONS * SETTINGS["cases_per_obfuscation"])


def test_roles_are_clean(corpus):
    _, cases = corpus
    sources = {c.source_path for c in cases}
    copies = {c.copy_path for c in cases}
    assert all(c.source_path != c.copy_path for c in cases)
    assert not sources & copies
    assert len(sources | copies) < SETTINGS["n_docs"]
    assert len({(c.source_path, c.copy_path) for c in cases}) == len(cases)


def test_verbatim_copy_equals_source(corpus):
    _, cases = corpus
    for case in cases:
        if case.obfuscation == "verbatim":
            assert copy_text(case) == source_text(case)


def test_obfuscated_copies_differ_but_share_words(corpus):
    _, cases = corpus
    for case in cases:
        if case.obfuscation == "verbatim":
            continue
        source, copy = source_text(case), copy_text(case)
        assert source != copy
        shared = set(words(source)) & set(words(copy))
        assert len(shared) >= 0.5 * len(set(words(source))), case


def test_reorder_permutes_sentences(corpus):
    _, cases = corpus
    for case in cases:
        if case.obfuscation == "reorder":
            split = re.compile(r"(?<=\.)\s+")
            assert sorted(split.split(source_text(case))) == sorted(split.split(copy_text(case)))


def test_spans_sit_on_sentence_boundaries(corpus):
    _, cases = corpus
    for case in cases:
        for text, start, end in (
            (read(case.source_path), case.source_start, case.source_end),
            (read(case.copy_path), case.copy_start, case.copy_end),
        ):
            assert start == 0 or text[start - 1] in " \n"
            assert text[end] in " \n"
        source = source_text(case)
        assert source[0].isupper() and source.endswith(".")
        assert 40 <= len(source.split()) <= 300


def test_planted_spans_do_not_overlap(corpus):
    _, cases = corpus
    spans = [(c.source_path, c.source_start, c.source_end) for c in cases]
    spans += [(c.copy_path, c.copy_start, c.copy_end) for c in cases]
    spans.sort()
    for (p1, _, e1), (p2, s2, _) in zip(spans, spans[1:], strict=False):
        assert p1 != p2 or e1 <= s2


def test_documents_are_prose_like(corpus):
    out, _ = corpus
    text = (out / "doc_0000.txt").read_text(encoding="utf-8")
    assert text.endswith(".\n") and "\n\n\n" not in text
    for paragraph in text.rstrip("\n").split("\n\n"):
        assert paragraph[0].isupper() and paragraph.endswith(".")
        assert "\n" not in paragraph


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


def test_reword_keeps_function_words():
    sentences = [
        s
        for p in generate_text(np.random.default_rng(3), 300).split("\n\n")
        for s in re.split(r"(?<=\.) ", p.strip())
    ]
    reworded = obfuscate("reword", sentences, random.Random(1))
    function = set(vocabulary().function)
    before = sorted(w for w in words(" ".join(sentences)) if w in function)
    after = sorted(w for w in words(" ".join(reworded)) if w in function)
    assert before == after
    changed = sum(
        a != b for a, b in zip(words(" ".join(sentences)), words(" ".join(reworded)), strict=True)
    )
    assert changed > 0


def test_light_edits_five_to_ten_percent():
    sentences = re.split(r"(?<=\.)\s+", generate_text(np.random.default_rng(4), 400).strip())
    edited = obfuscate("light", sentences, random.Random(2))
    assert len(edited) == len(sentences)
    n_before, n_after = len(" ".join(sentences).split()), len(" ".join(edited).split())
    assert abs(n_before - n_after) <= 0.1 * n_before
    assert edited != sentences


def test_invalid_arguments(tmp_path):
    with pytest.raises(ValueError):
        generate_corpus(tmp_path, seed=1, n_docs=1, cases_per_obfuscation=1)
    with pytest.raises(ValueError):
        generate_corpus(
            tmp_path, seed=1, n_docs=4, cases_per_obfuscation=1, obfuscations=("shred",)
        )
    with pytest.raises(ValueError):
        obfuscate("shred", ["A b c."], random.Random(0))
