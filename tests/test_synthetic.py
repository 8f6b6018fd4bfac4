"""The seeded synthetic corpus: planted cases at known offsets, deterministic by seed."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from dedupe.evaluation.obfuscate import OBFUSCATIONS
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


def test_invalid_arguments(tmp_path):
    with pytest.raises(ValueError):
        generate_corpus(tmp_path, seed=1, n_docs=1, cases_per_obfuscation=1)
    with pytest.raises(ValueError):
        generate_corpus(
            tmp_path, seed=1, n_docs=4, cases_per_obfuscation=1, obfuscations=("shred",)
        )
