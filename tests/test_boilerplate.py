"""Boilerplate: passages whose text recurs across many documents (page furniture,
standard openings of press conferences, licence headers), marked by ``mark_boilerplate``."""

from __future__ import annotations

import shutil
from dataclasses import replace
from itertools import combinations
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dedupe.errors import DedupeError, InvalidParameter
from dedupe.model import Location, Passage
from dedupe.parameters import Parameters
from dedupe.pipeline.scan import scan
from dedupe.provenance.boilerplate import RECURRING, mark_boilerplate, recurrence
from dedupe.provenance.orient import clusters

from .conftest import CORPUS
from .strategies import prose

DEFAULT = Parameters().boilerplate_documents


def _passage(source: tuple[str, int, int], copy: tuple[str, int, int], **changes) -> Passage:
    """A passage from ``(path, start_char, end_char)`` to another, cluster numbers left 0."""

    def location(path: str, start: int, end: int) -> Location:
        return Location(path, 1, 1, start, end)

    base = Passage(0, "verbatim", 1.0, 20, "unknown: test", location(*source), location(*copy), "")
    return replace(base, **changes)


def _numbered(passages: list[Passage]) -> list[Passage]:
    """``passages`` with the cluster numbers ``orient`` would give them."""
    numbers = clusters([(p.source, p.copy) for p in passages])
    return [replace(p, cluster=n) for p, n in zip(passages, numbers, strict=True)]


def _clique(paths: list[str], start: int = 0, end: int = 100) -> list[Passage]:
    """The same text at ``[start, end)`` of every file, found between every pair."""
    return [_passage((a, start, end), (b, start, end)) for a, b in combinations(paths, 2)]


def _marks(passages: list[Passage], n: int) -> list[bool]:
    return [p.boilerplate for p in mark_boilerplate(passages, n)]


# --- the rule ---------------------------------------------------------------------


def test_a_header_in_five_documents_is_boilerplate_up_to_five():
    passages = _clique([f"d{k}.txt" for k in range(5)])
    assert recurrence(passages) == [5] * 10
    assert _marks(passages, 3) == _marks(passages, 5) == [True] * 10
    assert _marks(passages, 6) == [False] * 10


def test_reuse_between_two_documents_is_never_boilerplate():
    passages = [_passage(("a.txt", 0, 500), ("b.txt", 40, 540))]
    assert recurrence(passages) == [2]
    assert _marks(passages, 3) == [False]


def test_one_source_quoted_by_two_copies_is_not_boilerplate_by_default():
    # Source, two copies, and the copies found sharing the quote with each other too.
    passages = _clique(["source.txt", "copy1.txt", "copy2.txt"])
    assert recurrence(passages) == [3, 3, 3]
    assert _marks(passages, DEFAULT) == [False] * 3
    assert _marks(passages, 3) == [True] * 3


def test_a_chain_of_overlapping_passages_is_not_boilerplate():
    # a -> b, then b's copy of it plus more -> c, and so on: consecutive passages
    # overlap by 10 characters, so the cluster spans five documents, but no text is in
    # more than two (or, for those 10 characters, three).
    passages = [
        _passage(("a.txt", 0, 100), ("b.txt", 0, 100)),
        _passage(("b.txt", 90, 200), ("c.txt", 0, 110)),
        _passage(("c.txt", 100, 210), ("d.txt", 0, 110)),
        _passage(("d.txt", 100, 210), ("e.txt", 0, 110)),
    ]
    numbered = _numbered(passages)
    assert {p.cluster for p in numbered} == {1}  # one cluster over five documents
    assert recurrence(numbered) == [2, 2, 2, 2]
    assert _marks(numbered, 3) == [False] * 4


def test_a_source_quoted_by_four_copies_counts_the_copies_through_the_source():
    # The copies were not found sharing the quote with each other (say LSH missed
    # them): the source side of each passage is covered by the other three.
    passages = [_passage(("source.txt", 0, 100), (f"copy{k}.txt", 50, 150)) for k in range(4)]
    assert recurrence(passages) == [5] * 4
    assert _marks(passages, DEFAULT) == [True] * 4


def test_a_real_reuse_chained_to_a_header_is_not_marked_with_it():
    # A licence header [0, 100) in five documents; a.txt and b.txt also share the 300
    # characters after it, found as one passage with the header.
    header = _clique([f"{c}.txt" for c in "abcde"])
    longer = _passage(("a.txt", 0, 400), ("b.txt", 0, 400))
    passages = _numbered([longer, *header])
    assert len({p.cluster for p in passages}) == 1  # chained into one cluster
    marked = mark_boilerplate(passages, DEFAULT)
    assert [p.boilerplate for p in marked] == [False] + [True] * len(header)


def test_another_document_counts_when_its_passages_cover_half_a_side():
    def with_cover(*spans: tuple[int, int]) -> list[int]:
        passages = [_passage(("a.txt", 0, 100), ("b.txt", 0, 100))]
        passages += [_passage(("a.txt", s, e), ("c.txt", s, e)) for s, e in spans]
        return recurrence(passages)

    assert RECURRING == 0.5
    assert with_cover((0, 50))[0] == 3
    assert with_cover((0, 49))[0] == 2
    # Two pieces to the same document count together, overlapping parts once.
    assert with_cover((0, 30), (60, 80))[0] == 3
    assert with_cover((0, 30), (10, 40))[0] == 2
    # Text outside the side does not count.
    assert with_cover((60, 140))[0] == 2
    # ... and the covering passage's own text is in a and b: 3 documents for it.
    assert with_cover((0, 49))[1] == 3


def test_overlaps_count_in_the_copy_file_too():
    passages = [
        _passage(("a.txt", 0, 100), ("b.txt", 500, 600)),
        _passage(("c.txt", 0, 100), ("b.txt", 500, 600)),
        _passage(("d.txt", 300, 400), ("b.txt", 510, 600)),
    ]
    assert recurrence(passages) == [4, 4, 4]


def _licence_in_three_paragraphs() -> list[Passage]:
    """A licence [0, 300) in a.txt and b.txt whose three paragraphs of 100 characters
    were each found with three other documents (one paragraph per group): boilerplate,
    though no single document covers half of a 300-character side."""
    return [
        passage
        for k in range(3)
        for passage in _clique(["a.txt", "b.txt", *(f"g{k}d{j}.txt" for j in range(3))],
                               100 * k, 100 * (k + 1))
    ]  # fmt: skip


def test_a_pair_inside_boilerplate_on_both_sides_is_boilerplate():
    # a.txt and b.txt found sharing the whole licence (in a wording only they carry).
    licence = _licence_in_three_paragraphs()
    whole = _passage(("a.txt", 0, 300), ("b.txt", 0, 300), kind="paraphrase")
    assert recurrence([*licence, whole])[-1] == 2
    assert _marks([*licence, whole], DEFAULT) == [True] * (len(licence) + 1)


def test_a_pair_inside_boilerplate_on_one_side_only_is_not():
    # b.txt quotes the whole licence in its own text, past its licence.
    licence = _licence_in_three_paragraphs()
    quoted = _passage(("a.txt", 0, 300), ("b.txt", 5000, 5300))
    assert _marks([*licence, quoted], DEFAULT)[-1] is False


def test_a_pair_half_inside_boilerplate_on_both_sides_is_boilerplate_and_less_is_not():
    def marked(end: int) -> bool:
        licence = _clique([f"{c}.txt" for c in "abcde"], 0, 1000)
        line = _passage(("a.txt", 900, end), ("b.txt", 900, end))
        return _marks([*licence, line], DEFAULT)[-1]

    assert RECURRING == 0.5
    assert marked(1100) is True  # 100 of 200 characters inside
    assert marked(1102) is False  # 100 of 202


def test_boilerplate_found_inside_boilerplate_marks_no_further():
    # c.txt's [0, 100) is inside the pair a-b's text only: nothing recurs there.
    pair = _passage(("a.txt", 0, 1000), ("b.txt", 0, 1000))
    inner = _passage(("a.txt", 0, 100), ("c.txt", 0, 100))
    assert _marks([pair, inner], DEFAULT) == [False, False]


def test_marking_keeps_order_and_every_other_field():
    header = _clique([f"d{k}.txt" for k in range(4)])
    other = _passage(("x.txt", 0, 80), ("y.txt", 0, 80), kind="near", similarity=0.7)
    passages = _numbered([header[0], other, *header[1:]])
    marked = mark_boilerplate(passages, 4)
    assert [replace(p, boilerplate=False) for p in marked] == passages
    assert [p.boilerplate for p in marked] == [True, False] + [True] * (len(header) - 1)


def test_marking_keeps_the_marks_passages_come_with_and_gives_the_same_marks_again():
    # A passage comes marked out of orientation when it was found in a boilerplate family.
    clique = _clique([f"d{k}.txt" for k in range(4)])
    in_family = _passage(("x.txt", 0, 80), ("y.txt", 0, 80), boilerplate=True)
    once = mark_boilerplate([*clique, in_family], 4)
    assert [p.boilerplate for p in once] == [True] * (len(clique) + 1)
    assert mark_boilerplate(once, 4) == once
    assert [p.boilerplate for p in mark_boilerplate(clique, 5)] == [False] * len(clique)


def test_no_passages_no_marks():
    assert mark_boilerplate([], DEFAULT) == []
    assert recurrence([]) == []


@pytest.mark.parametrize("n", [2, 1, 0, -4])
def test_fewer_than_three_documents_is_refused(n):
    with pytest.raises(DedupeError, match="at least 3"):
        mark_boilerplate(_clique(["a.txt", "b.txt", "c.txt"]), n)


@pytest.mark.parametrize("n", [2, 0])
def test_parameters_refuse_fewer_than_three_documents(n):
    with pytest.raises(InvalidParameter, match="^boilerplate_documents must be at least 3") as e:
        Parameters(boilerplate_documents=n)
    assert e.value.name == "boilerplate_documents"
    assert Parameters(boilerplate_documents=3).boilerplate_documents == 3
    assert DEFAULT == 4


# --- against a brute-force count --------------------------------------------------


def _brute_force(passages: list[Passage]) -> list[int]:
    counts = []
    for k, p in enumerate(passages):
        documents = {p.source.path, p.copy.path}
        for side in (p.source, p.copy):
            covered: dict[str, set[int]] = {}
            for j, q in enumerate(passages):
                for mine, other in ((q.source, q.copy), (q.copy, q.source)):
                    if j != k and mine.path == side.path:
                        chars = range(
                            max(mine.start_char, side.start_char), min(mine.end_char, side.end_char)
                        )
                        covered.setdefault(other.path, set()).update(chars)
            length = side.end_char - side.start_char
            documents |= {d for d, c in covered.items() if len(c) >= RECURRING * length}
        counts.append(len(documents))
    return counts


_SIDE = st.tuples(st.sampled_from("abcdef"), st.integers(0, 60), st.integers(1, 40)).map(
    lambda t: (f"{t[0]}.txt", t[1], t[1] + t[2])
)
_PASSAGES = st.lists(
    st.tuples(_SIDE, _SIDE).filter(lambda sides: sides[0][0] != sides[1][0]), max_size=14
).map(lambda pairs: [_passage(a, b) for a, b in pairs])


def _brute_force_marks(passages: list[Passage], counts: list[int], n: int) -> list[bool]:
    """Recurring in ``n`` documents, or both sides at least half inside recurring text."""
    recurring = [c >= n for c in counts]
    inside: dict[str, set[int]] = {}
    for p, mark in zip(passages, recurring, strict=True):
        for side in (p.source, p.copy) if mark else ():
            inside.setdefault(side.path, set()).update(range(side.start_char, side.end_char))

    def covered(side: Location) -> bool:
        chars = range(side.start_char, side.end_char)
        return sum(c in inside.get(side.path, ()) for c in chars) >= RECURRING * len(chars)

    return [
        m or (covered(p.source) and covered(p.copy))
        for p, m in zip(passages, recurring, strict=True)
    ]


@settings(max_examples=300, deadline=None)
@given(_PASSAGES, st.integers(3, 7))
def test_recurrence_matches_a_brute_force_count(passages, n):
    counts = recurrence(passages)
    assert counts == _brute_force(passages)
    assert _marks(passages, n) == _brute_force_marks(passages, counts, n)
    # Stopping at n changes no count below n.
    assert [min(c, n) for c in recurrence(passages, enough=n)] == [min(c, n) for c in counts]


# --- on scanned corpora -----------------------------------------------------------


def test_nothing_in_the_sample_corpus_recurs_in_more_than_three_documents(corpus_scan):
    # 000 is an excerpt of 001, 002 re-translates a quote of 003, and the standard
    # opening of the press conferences is only in 002 and 003: reuse, not boilerplate.
    # One talking point (no terrorist incident in Xinjiang for over three years) is
    # in three briefings, 001, 002 and 003, each time in other words.
    passages = corpus_scan.passages
    assert len(passages) >= 10
    counts = recurrence(passages)
    assert max(counts) == 3 and counts.count(3) <= 2
    assert not any(p.boilerplate for p in mark_boilerplate(passages, DEFAULT))


def _briefing(number: int, day: str, body: str) -> str:
    return (
        f"The {number}th Press Conference on Xinjiang-Related Issues\n\n"
        f"On {day}, the Information Office of the People's Government of Xinjiang Uygur "
        f"Autonomous Region held the {number}th press conference on Xinjiang-related issues.\n\n"
        "Moderator: Dear friends from the press, good afternoon. Welcome to the "
        f"{number}th press conference on Xinjiang-related issues.\n\n"
        "The press conference invited the Spokesperson of the Information Office of the "
        "People's Government of XUAR Elijan Anayit, the Director of the Department of Human "
        "Resources and Social Security of XUAR Rehmanjan Dawut. They will answer questions "
        "from you.\n\n"
        "Our friends from the press, please raise your hands to ask questions. Before asking "
        "questions, please introduce the name of the news press you represent.\n\n"
        f"{body}\n"
    )


def test_the_standard_opening_of_four_briefings_is_boilerplate(tmp_path):
    # The sample corpus and two more briefings of the same series: the opening of the
    # 10th and 12th is now in four documents, the re-translated quote still in two.
    root = tmp_path / "docs"
    shutil.copytree(CORPUS, root)
    for number, day, seed in ((11, "July 30, 2020", 1), (13, "September 25, 2020", 2)):
        body = "\n\n".join(prose(seed * 100 + k, sentences=5) for k in range(6))
        (root / f"0{number}_briefing.txt").write_text(_briefing(number, day, body))
    passages = mark_boilerplate(scan([str(root)], Parameters()).passages, DEFAULT)
    marked = [p for p in passages if p.boilerplate]
    assert marked
    assert {Path(p.copy.path).name[:3] for p in marked} | {
        Path(p.source.path).name[:3] for p in marked
    } == {"002", "003", "011", "013"}
    assert any("They will answer questions from you" in p.excerpt for p in marked)
    # The translated quote (003 lines 81-85 into 002) and the excerpt 000 of 001 are not.
    quote = [p for p in passages if p.excerpt.startswith("The basic principle of respecting")]
    excerpt = [p for p in passages if Path(p.copy.path).name.startswith("000")]
    assert quote and excerpt
    assert not any(p.boilerplate for p in quote + excerpt)


LICENCE = (
    'Licensed under the Apache License, Version 2.0 (the "License"); you may not use this '
    "file except in compliance with the License. You may obtain a copy of the License at "
    "http://www.apache.org/licenses/LICENSE-2.0. Unless required by applicable law or agreed "
    'to in writing, software distributed under the License is distributed on an "AS IS" '
    "BASIS, WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied."
)


def write_licence_corpus(root: Path) -> dict[str, str]:
    """Ten files: a licence header in five of them, one paragraph of f00.txt copied into
    f01.txt (plain reuse), and one of f02.txt quoted in f03.txt and f04.txt."""
    root.mkdir(parents=True, exist_ok=True)
    texts = {
        f"f{k:02}.txt": "\n\n".join(prose(1000 + 10 * k + j, sentences=5) for j in range(5))
        for k in range(10)
    }
    for k in (0, 2, 5, 7, 9):
        texts[f"f{k:02}.txt"] = (
            f"Copyright {2000 + k} Holder {k}\n\n{LICENCE}\n\n" + texts[f"f{k:02}.txt"]
        )
    texts["f01.txt"] += "\n\n" + prose(1000 + 2)
    texts["f03.txt"] += "\n\n" + prose(1000 + 20 + 3)
    texts["f04.txt"] += "\n\n" + prose(1000 + 20 + 3)
    for name, text in texts.items():
        (root / name).write_text(text + "\n", encoding="utf-8")
    return texts


def test_a_licence_header_planted_in_five_documents_is_the_only_boilerplate(tmp_path):
    root = tmp_path / "docs"
    write_licence_corpus(root)
    passages = mark_boilerplate(scan([str(root)], Parameters()).passages, DEFAULT)
    licence = [p for p in passages if p.excerpt.startswith("Licensed under")]
    others = [p for p in passages if not p.excerpt.startswith("Licensed under")]
    # Found once per copy, against one document: four rows for five documents, not ten.
    assert len(licence) == 4
    sides = [{p.source.path, p.copy.path} for p in licence]
    assert len(set.intersection(*sides)) == 1 and len(set.union(*sides)) == 5
    assert all(p.boilerplate for p in licence)
    pairs = {(Path(p.source.path).name, Path(p.copy.path).name) for p in others}
    assert ("f00.txt", "f01.txt") in pairs or ("f01.txt", "f00.txt") in pairs
    assert {"f02.txt", "f03.txt", "f04.txt"} <= {name for pair in pairs for name in pair}
    assert not any(p.boilerplate for p in others)
