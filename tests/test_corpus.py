"""Acceptance on the sample corpus: what is known to be reused in it is found, the right
way round, at lines that really hold similar text."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from dedupe.match.verify import Weights, ordered_similarity
from dedupe.text.normalise import tokenise
from dedupe.text.shingle import content_hashes, ngram_hashes, word_hashes

from .conftest import CORPUS

EXCERPT = "000_0fadec60b344b5b9.txt"
BRIEFING = "001_c851588bc98110cb.txt"
UNRELATED = "004_f5cbf52c18cc54d1.txt"
AUGUST_BRIEFING = "002_6cb1f37d51d4fa21.txt"
JUNE_BRIEFING = "003_5045b699c9813f4f.txt"


def _name(path: str) -> str:
    return Path(path).name


def test_excerpt_000_is_verbatim_from_001_over_its_question_and_answer_lines(corpus_scan):
    found = [
        p
        for p in corpus_scan.passages
        if _name(p.copy.path) == EXCERPT and _name(p.source.path) == BRIEFING
    ]
    assert found and all(p.kind == "verbatim" for p in found)
    covered = set()
    for p in found:
        covered.update(range(p.copy.start_line, p.copy.end_line + 1))
    text_lines = [
        n
        for n, line in enumerate((CORPUS / EXCERPT).read_text().splitlines(), start=1)
        if 7 <= n <= 31 and line.strip()
    ]
    # Every non-blank line of the Q&A block is covered except the speaker label that
    # 001 does not have (line 19, "Xinhua:").
    missing = [n for n in text_lines if n not in covered]
    assert missing == [19]
    assert all("date" in p.evidence for p in found)


def test_unrelated_article_appears_in_no_passage(corpus_scan):
    paths = {_name(p.source.path) for p in corpus_scan.passages}
    paths |= {_name(p.copy.path) for p in corpus_scan.passages}
    assert UNRELATED not in paths


def _reread(path: str, first: int, last: int) -> list[str]:
    lines = Path(path).read_text(encoding="utf-8").splitlines()
    return tokenise("\n".join(lines[first - 1 : last])).words


def _content(words: list[str]) -> np.ndarray:
    keys = content_hashes(words)
    return keys[keys != 0]


def test_reported_lines_really_hold_similar_text(corpus_scan):
    assert corpus_scan.passages
    n = corpus_scan.parameters.shingle_size
    for p in corpus_scan.passages:
        source = _reread(p.source.path, p.source.start_line, p.source.end_line)
        copy = _reread(p.copy.path, p.copy.start_line, p.copy.end_line)
        if p.kind == "paraphrase":
            # Reworded: the lines share many of their content words (stems).
            a, b = set(_content(source).tolist()), set(_content(copy).tolist())
            assert len(a & b) / min(len(a), len(b)) >= 0.25
        else:
            # Whole lines may hold more than the passage, so containment of the smaller
            # side's word n-grams is what must be high.
            a = set(ngram_hashes(word_hashes(source), n).tolist())
            b = set(ngram_hashes(word_hashes(copy), n).tolist())
            assert len(a & b) / min(len(a), len(b)) >= corpus_scan.parameters.threshold


def test_paraphrase_spans_share_content_words_in_order(corpus_scan):
    paraphrases = [p for p in corpus_scan.passages if p.kind == "paraphrase"]
    assert paraphrases
    for p in paraphrases:
        a = _content(tokenise(_chars(p.source)).words)
        b = _content(tokenise(_chars(p.copy)).words)
        keys = np.unique(np.concatenate([a, b]))
        uniform = Weights(keys, np.ones(len(keys)))
        assert ordered_similarity(a, b, uniform) >= 0.3


def _chars(loc) -> str:
    return Path(loc.path).read_text(encoding="utf-8")[loc.start_char : loc.end_char]


def test_turkish_journalist_quote_is_a_paraphrase_from_the_earlier_briefing(corpus_scan):
    found = [
        p
        for p in corpus_scan.passages
        if _name(p.source.path) == JUNE_BRIEFING
        and _name(p.copy.path) == AUGUST_BRIEFING
        and p.source.start_line <= 85 <= p.source.end_line
        and p.copy.start_line <= 52 <= p.copy.end_line
    ]
    assert len(found) == 1
    quote = found[0]
    assert quote.kind == "paraphrase"
    assert quote.evidence.startswith("date:")
    assert "Turkish reporter" in _chars(quote.source)
    assert "journalist from Turkey" in _chars(quote.copy)
    # The re-translated block around it (the centres' conditions, lines 81-85 of the
    # June briefing) is one passage or a few, not a scatter of sentence pairs.
    block = [
        p
        for p in corpus_scan.passages
        if _name(p.source.path) == JUNE_BRIEFING
        and _name(p.copy.path) == AUGUST_BRIEFING
        and p.source.start_line <= 87
        and p.source.end_line >= 79
    ]
    assert 1 <= len(block) <= 3


def test_reported_chars_hold_the_passage_text(corpus_scan):
    for p in corpus_scan.passages:
        for loc in (p.source, p.copy):
            text = Path(loc.path).read_text(encoding="utf-8")
            span = text[loc.start_char : loc.end_char]
            assert span == span.strip() and len(tokenise(span)) >= p.words * 0.5
            assert text.count("\n", 0, loc.start_char) + 1 == loc.start_line
            assert text.count("\n", 0, loc.end_char - 1) + 1 == loc.end_line
    for p in corpus_scan.passages:
        if p.kind == "verbatim":
            src = Path(p.source.path).read_text()[p.source.start_char : p.source.end_char]
            cpy = Path(p.copy.path).read_text()[p.copy.start_char : p.copy.end_char]
            assert tokenise(src).words == tokenise(cpy).words
