"""Acceptance on the sample corpus: what is known to be reused in it is found, the right
way round, at lines that really hold similar text."""

from __future__ import annotations

from pathlib import Path

from dedupe.normalise import tokenise
from dedupe.shingle import ngram_hashes, word_hashes

from .conftest import CORPUS

EXCERPT = "000_0fadec60b344b5b9.txt"
BRIEFING = "001_c851588bc98110cb.txt"
UNRELATED = "004_f5cbf52c18cc54d1.txt"


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


def test_reported_lines_really_hold_similar_text(corpus_scan):
    assert corpus_scan.passages
    n = corpus_scan.parameters.shingle_size
    for p in corpus_scan.passages:
        source = _reread(p.source.path, p.source.start_line, p.source.end_line)
        copy = _reread(p.copy.path, p.copy.start_line, p.copy.end_line)
        a = set(ngram_hashes(word_hashes(source), n).tolist())
        b = set(ngram_hashes(word_hashes(copy), n).tolist())
        # Whole lines may hold more than the passage, so containment of the smaller side
        # is what must be high.
        assert len(a & b) / min(len(a), len(b)) >= corpus_scan.parameters.threshold


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
