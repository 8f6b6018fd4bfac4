"""Planted passages: text copied from one generated document into another at a known
place is found at the right lines, the right way round; unrelated documents give none."""

from __future__ import annotations

import random
from pathlib import Path

import numpy as np
import pytest

from dedupe.evaluation.language import generate_text
from dedupe.parameters import Parameters
from dedupe.pipeline.scan import scan

SOURCE_HEADER = "Bulletin\n\nMarch 3, 2015\n\n"
COPY_HEADER = "Digest\n\nJune 1, 2016\n\n"


def paragraphs(seed: int, words: int) -> list[str]:
    return generate_text(np.random.default_rng(seed), words).strip().split("\n\n")


def edit_words(text: str, share: float, seed: int) -> str:
    """``text`` with ``share`` of its words replaced by a made-up word."""
    rng = random.Random(seed)
    words = text.split(" ")
    for k in rng.sample(range(len(words)), round(len(words) * share)):
        words[k] = "zzq" + str(k)
    return " ".join(words)


def write(path: Path, header: str, paras: list[str]) -> None:
    path.write_text(header + "\n\n".join(paras) + "\n", encoding="utf-8")


def line_of(text: str, needle: str) -> int:
    return text[: text.index(needle)].count("\n") + 1


@pytest.mark.parametrize(("share", "kind"), [(0.0, "verbatim"), (0.06, "near")])
def test_planted_passage_found_at_its_lines_with_the_earlier_document_as_source(
    tmp_path, share, kind
):
    source_paras = paragraphs(1, 900)
    planted = source_paras[4]
    copy_paras = paragraphs(2, 700)
    copy_paras.insert(3, edit_words(planted, share, seed=3))
    write(tmp_path / "a_copy.txt", COPY_HEADER, copy_paras)
    write(tmp_path / "b_source.txt", SOURCE_HEADER, source_paras)

    result = scan([str(tmp_path)], Parameters())

    assert len(result.passages) == 1
    p = result.passages[0]
    assert Path(p.source.path).name == "b_source.txt"
    assert Path(p.copy.path).name == "a_copy.txt"
    assert p.kind == kind
    assert p.evidence.startswith("date:")
    source_text = (tmp_path / "b_source.txt").read_text()
    copy_text = (tmp_path / "a_copy.txt").read_text()
    assert p.source.start_line == p.source.end_line == line_of(source_text, planted)
    assert p.copy.start_line == p.copy.end_line == line_of(copy_text, copy_paras[3])
    # The character span covers (almost) the whole planted paragraph on both sides.
    start = source_text.index(planted)
    assert abs(p.source.start_char - start) <= 20
    assert abs(p.source.end_char - (start + len(planted))) <= 20


def test_an_excerpt_without_dates_is_the_copy_by_containment(tmp_path):
    full = paragraphs(5, 1200)
    (tmp_path / "excerpt.txt").write_text("\n\n".join(full[2:5]) + "\n")
    (tmp_path / "full.txt").write_text("\n\n".join(full) + "\n")

    result = scan([str(tmp_path)], Parameters())

    assert result.passages
    for p in result.passages:
        assert Path(p.source.path).name == "full.txt"
        assert Path(p.copy.path).name == "excerpt.txt"
        assert p.kind == "verbatim"
        assert p.evidence.startswith("containment:")


def test_unrelated_documents_give_no_passage(tmp_path):
    for k in range(4):
        write(tmp_path / f"doc{k}.txt", "", paragraphs(100 + k, 1500))

    assert scan([str(tmp_path)], Parameters()).passages == []


def test_a_quote_inside_a_long_paragraph_is_found(tmp_path):
    source_paras = paragraphs(7, 600)
    quote = " ".join(source_paras[2].split(" ")[:30])
    host = paragraphs(8, 600)
    long_paragraph = " ".join(host[1:4])
    words = long_paragraph.split(" ")
    host[1:4] = [" ".join(words[:100] + [quote] + words[100:])]
    write(tmp_path / "host.txt", COPY_HEADER, host)
    write(tmp_path / "quoted.txt", SOURCE_HEADER, source_paras)
    assert len(host[1].split(" ")) > 200

    result = scan([str(tmp_path)], Parameters())

    assert len(result.passages) == 1
    p = result.passages[0]
    copied = (tmp_path / "host.txt").read_text()[p.copy.start_char : p.copy.end_char]
    assert quote.rstrip(".,") in copied or copied in quote
    assert len(copied) >= len(quote) * 0.8


def test_byte_identical_copies_are_one_document_and_one_whole_passage(tmp_path):
    """The same file under three names: aligned once, reported as two whole-document
    verbatim passages, and what the original shares with a third file is found once."""
    corpus = Path(__file__).resolve().parent.parent / "corpus"
    text = (corpus / "001_c851588bc98110cb.txt").read_bytes()
    for name in ("a.txt", "b.txt", "c.txt"):
        (tmp_path / name).write_bytes(text)
    (tmp_path / "excerpt.txt").write_bytes((corpus / "000_0fadec60b344b5b9.txt").read_bytes())
    result = scan([str(tmp_path)], Parameters(paraphrase=False))
    whole = [p for p in result.passages if p.copy.start_line == 1 and p.words > 6000]
    assert {Path(p.copy.path).name for p in whole} == {"b.txt", "c.txt"}
    assert {Path(p.source.path).name for p in whole} == {"a.txt"}
    assert all(p.kind == "verbatim" and p.similarity == 1.0 for p in whole)
    excerpt_rows = [p for p in result.passages if "excerpt" in p.copy.path + p.source.path]
    assert {Path(p.source.path).name for p in excerpt_rows} == {"a.txt"}
