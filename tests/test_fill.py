"""Fill: the text between in-order passages of two renderings, aligned sentence by
sentence (``dedupe.match.fill``)."""

from __future__ import annotations

from itertools import combinations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from dedupe.match.align import Alignment, Span
from dedupe.match.fill import (
    established,
    fill,
    in_order,
    lexical_scores,
    matched_sentences,
    sentence_cuts,
    shared_weights,
)
from dedupe.match.verify import Weights
from dedupe.parameters import Parameters
from dedupe.read.files import Document
from dedupe.text.prepared import Prepared, prepare

PARAMS = Parameters()
OPENING = "Chapter one. The voyage of the Pilgrim began in the spring of that year, at Boston."
CLOSING = "Chapter two. Three weeks later the Pilgrim entered the harbour of Valparaiso at last."
ORIGINAL = [
    "The captain ordered the crew to lower the boats at dawn.",
    "The whale surfaced near the ship and the harpooner threw his iron with great force.",
    "Nobody on board had ever seen an animal so enormous.",
    "By evening the exhausted sailors hauled the carcass alongside the schooner.",
]
RENDERING = [
    "At dawn the captain told the crew to put the boats in the water.",
    "The whale rose close to the ship.",  # the second sentence split in two
    "The harpooner hurled his iron with all his force.",
    # the third sentence dropped
    "In the evening the tired sailors pulled the carcass beside the schooner.",
]
UNRELATED = [
    "Whaling ships from Nantucket sailed for years at a time.",
    "Lamps in the cities burned oil bought at a high price.",
    "Prices rose as the animals became scarce in the northern seas.",
    "Many of the young men who went out never came home again.",
]


def _prepared(path: str, sentences: list[str]) -> Prepared:
    text = f"{OPENING}\n\n{' '.join(sentences)}\n\n{CLOSING}\n"
    return prepare(Document(path, text, "utf-8", len(text), 0.0, path), PARAMS)


def _uniform(*prepared: Prepared) -> Weights:
    keys = np.unique(np.concatenate([p.content for p in prepared]))
    keys = keys[keys != 0]
    return Weights(keys, np.ones(len(keys)))


def _anchors(pa: Prepared, pb: Prepared) -> list[tuple[Alignment, str, float]]:
    """The opening and closing paragraphs, the same words in both: verbatim anchors."""
    opening = _words(OPENING)
    closing = _words(CLOSING)
    return [
        (Alignment(Span(0, 0, opening), Span(1, 0, opening)), "verbatim", 1.0),
        (
            Alignment(Span(0, pa.words - closing, pa.words), Span(1, pb.words - closing, pb.words)),
            "verbatim",
            1.0,
        ),
    ]


def _words(text: str) -> int:
    return prepare(Document("t", text, "utf-8", len(text), 0.0, "t"), PARAMS).words


def test_two_renderings_are_filled_one_to_one_one_to_two_and_with_a_sentence_skipped():
    pa, pb = _prepared("a.txt", ORIGINAL), _prepared("b.txt", RENDERING)
    runs, joined = fill(pa, pb, _anchors(pa, pb), _uniform(pa, pb), PARAMS)
    assert joined == set()  # verbatim anchors are not joined to paraphrase
    assert len(runs) == 1
    run = runs[0]
    assert run.matches == 3 and run.passages == 0 and run.anchors == 2
    # From the first sentence to the last on both sides, the dropped one inside.
    opening = _words(OPENING)
    assert run.alignment.a.start == run.alignment.b.start == opening
    assert run.alignment.a.end == pa.words - _words(CLOSING)
    assert run.alignment.b.end == pb.words - _words(CLOSING)
    assert 0.3 < run.similarity < 1.0


def test_the_sentence_matches_are_one_to_one_one_to_two_and_one_to_one():
    pa, pb = _prepared("a.txt", ORIGINAL), _prepared("b.txt", RENDERING)
    gap_a = Span(0, _words(OPENING), pa.words - _words(CLOSING))
    gap_b = Span(1, _words(OPENING), pb.words - _words(CLOSING))
    cuts_a, cuts_b = sentence_cuts(pa.sentences, gap_a), sentence_cuts(pb.sentences, gap_b)
    assert len(cuts_a) - 1 == 4 and len(cuts_b) - 1 == 4
    shared = shared_weights(pa.content, cuts_a, pb.content, cuts_b, _uniform(pa, pb))
    matches = matched_sentences(lexical_scores(*shared), PARAMS.fill_threshold)
    assert [tuple(int(x) for x in m[:4]) for m in matches] == [
        (0, 1, 0, 1),
        (1, 2, 1, 3),
        (3, 4, 3, 4),
    ]
    assert all(m[4] > PARAMS.fill_threshold for m in matches)


def test_two_texts_on_one_subject_that_are_not_renderings_fill_nothing():
    pa, pb = _prepared("a.txt", ORIGINAL), _prepared("b.txt", UNRELATED)
    runs, joined = fill(pa, pb, _anchors(pa, pb), _uniform(pa, pb), PARAMS)
    assert runs == [] and joined == set()


def test_a_paraphrase_anchor_touching_a_run_is_joined_into_it():
    pa, pb = _prepared("a.txt", ORIGINAL), _prepared("b.txt", RENDERING)
    (opening, _, _), closing = _anchors(pa, pb)
    chain = [(opening, "paraphrase", 0.5), closing]
    runs, joined = fill(pa, pb, chain, _uniform(pa, pb), PARAMS)
    assert joined == {0}
    assert len(runs) == 1 and runs[0].passages == 1
    assert runs[0].alignment.a.start == runs[0].alignment.b.start == 0


def test_matching_prefers_a_better_split_and_skips_what_matches_nothing():
    # a0 ~ b0 + b1 (each alone weaker), a1 matches nothing, a2 ~ b2.
    shared = np.array([[1.0, 1.0, 0.0], [0.0, 0.0, 0.0], [0.0, 0.0, 2.0]])
    weight_a = np.array([2.0, 3.0, 2.0])
    weight_b = np.array([1.0, 1.0, 2.0])
    scores = lexical_scores(shared, weight_a, weight_b)
    matches = matched_sentences(scores, 0.15)
    assert [tuple(int(x) for x in m[:4]) for m in matches] == [(0, 1, 0, 2), (2, 3, 2, 3)]
    assert matches[:, 4].tolist() == [1.0, 1.0]
    assert len(matched_sentences(scores, 1.0)) == 0


def _alignment(a: int, b: int) -> Alignment:
    return Alignment(Span(0, a, a + 5), Span(1, b, b + 5))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 30), st.integers(0, 30)), max_size=9))
def test_in_order_finds_a_longest_chain_increasing_in_both(points):
    anchors = [_alignment(a, b) for a, b in points]
    chain = in_order(anchors)
    steps = [(anchors[i], anchors[j]) for i, j in zip(chain, chain[1:], strict=False)]
    assert all(x.a.start < y.a.start and x.b.start < y.b.start for x, y in steps)
    longest = max(
        (
            len(subset)
            for r in range(len(points) + 1)
            for subset in combinations(sorted(set(points)), r)
            if all(p[0] < q[0] and p[1] < q[1] for p, q in zip(subset, subset[1:], strict=False))
        ),
        default=0,
    )
    assert len(chain) == longest


def test_a_pair_is_established_by_enough_paraphrases_in_order():
    n = PARAMS.fill_min_anchors
    in_line = [(_alignment(10 * k, 10 * k), "paraphrase", 0.4) for k in range(n)]
    assert established(in_line, PARAMS) == list(range(n))
    assert established(in_line[:-1], PARAMS) == []
    # Out of order, the chain is too short.
    crossed = [(_alignment(10 * k, 10 * (n - k)), "paraphrase", 0.4) for k in range(n)]
    assert established(crossed, PARAMS) == []
    # Verbatim passages in the chain do not count towards it.
    mixed = in_line[:-1] + [(_alignment(10 * n, 10 * n), "verbatim", 1.0)]
    assert established(mixed, PARAMS) == []


def test_a_paraphrase_crossing_an_established_chain_is_dropped_other_kinds_kept():
    from dedupe.match.passages import filled_passages

    words = [f"w{k}" for k in range(600)]
    pa = _prepared("a.txt", [" ".join(words[:300]) + "."])
    pb = _prepared("b.txt", [" ".join(words[300:]) + "."])
    chain = [(_alignment(40 * k + 20, 40 * k + 20), "paraphrase", 0.4) for k in range(6)]
    # Text the chain aligns elsewhere on both sides: a second, crossing claim.
    crossing = (_alignment(220, 60), "paraphrase", 0.5)
    heading = (_alignment(220, 100), "near", 0.6)
    # One side in text the chain leaves unaligned (a talking point said again later).
    later = (_alignment(140, 240), "paraphrase", 0.5)
    found = [*chain, crossing, heading, later]
    kept, filled = filled_passages([pa, pb], PARAMS, _uniform(pa, pb), found)
    assert filled == []  # the gaps hold unrelated words
    assert kept == [*chain, heading, later]
    # Not established (one paraphrase in order short): nothing is dropped.
    short = chain[-PARAMS.fill_min_anchors + 1 :]
    kept, _ = filled_passages([pa, pb], PARAMS, _uniform(pa, pb), [*short, crossing, heading])
    assert kept == [*short, crossing, heading]
