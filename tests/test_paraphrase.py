"""The reword-robust family: content-word shingles, rarity weights, in-order chaining,
and the negative case (same topic, no reuse)."""

from __future__ import annotations

import csv
import random
from pathlib import Path

import numpy as np
import pytest

from dedupe.match.align import Alignment, Span
from dedupe.match.ordered import ordered_matches
from dedupe.match.verify import Weights, idf_weights, ordered_similarity, weighted_similarity
from dedupe.parameters import Parameters
from dedupe.pipeline.scan import scan
from dedupe.text.normalise import tokenise
from dedupe.text.shingle import STOP_WORDS, content_hashes, content_key, content_spans, range_sets

CLOUGH = Path(__file__).resolve().parents[2] / "shared" / "datasets" / "clough_stevenson"


def keys(text: str) -> np.ndarray:
    return content_hashes(tokenise(text).words)


def uniform(*arrays: np.ndarray) -> Weights:
    every = np.unique(np.concatenate(arrays))
    return Weights(every, np.ones(len(every)))


def test_content_key_stems_inflections_together_and_drops_function_words():
    assert content_key("camps") == content_key("camp")
    assert content_key("reintegrate") == content_key("reintegration")
    assert content_key("china's") == content_key("china")
    assert content_key("the") is None and "the" in STOP_WORDS
    assert content_key("x") is None


def test_roman_numerals_are_no_content_but_words_made_of_their_letters_are():
    # Two tables of contents share their chapter numbers, nothing else.
    for numeral in ["ii", "iv", "ix", "xiv", "xxxviii", "xl", "lxxxix", "xc"]:
        assert content_key(numeral) is None, numeral
    for word in ["mix", "civil", "vivid", "lid", "ill", "dim", "xylophone"]:
        assert content_key(word) is not None, word


def test_content_hashes_are_zero_exactly_for_function_words():
    words = tokenise("The camps were built in Xinjiang").words
    hashes = content_hashes(words)
    assert [h == 0 for h in hashes.tolist()] == [True, False, True, False, True, False]
    assert hashes.dtype == np.uint32
    whole = np.array([(0, len(words))])
    content = range_sets(*content_spans(hashes, whole))[0]
    assert content.tolist() == sorted(set(hashes.tolist()) - {0})


def test_idf_weights_give_nothing_to_a_word_every_segment_has():
    common, rare_a, rare_b = 11, 22, 33
    sets = [np.array([common, rare_a]), np.array([common, rare_b]), np.array([common])]
    weights = idf_weights(sets)
    assert weights.of(np.array([common])).tolist() == [0.0]
    assert weights.of(np.array([rare_a]))[0] == pytest.approx(np.log(3))
    # Sharing only the common word is no evidence at all.
    pair = np.array([(0, 1)])
    assert weighted_similarity(pair, [sets[0], sets[1]], weights)[0] == 0.0
    assert weighted_similarity(pair, [sets[0], np.array([common, rare_a])], weights)[0] == 1.0


def test_ordered_similarity_rewards_the_same_order():
    a = keys("January journalist Turkey visited centres concentration camps prejudice virtues")
    shuffled = a.copy()
    random.Random(1).shuffle(shuffled)
    weights = uniform(a)
    assert ordered_similarity(a, a, weights) == pytest.approx(1.0)
    assert ordered_similarity(a, shuffled, weights) < 0.6


def region(keys_a: np.ndarray, keys_b: np.ndarray) -> Alignment:
    return Alignment(Span(0, 0, len(keys_a)), Span(1, 0, len(keys_b)))


def test_ordered_matches_chain_a_reworded_run_into_one_passage():
    a = tokenise(
        "In January 2019 a journalist from Turkey said the western media reported that "
        "concentration camps were built here and people were persecuted, but after the "
        "visit his prejudice was eliminated and he saw an educational centre where people "
        "improve themselves and become people with virtues"
    ).words
    b = tokenise(
        "For example in January 2019 a Turkish reporter said after his visit that some "
        "western media reported concentration camps were built and people were tortured, "
        "yet all those biases escaped after the visit and he saw an education institution "
        "where trainees improve themselves to become someone with moral virtues"
    ).words
    ka, kb = content_hashes(a), content_hashes(b)
    found = ordered_matches(region(ka, kb), ka, kb, max_gap=20)
    assert len(found) == 1
    assert found[0].support >= 10
    assert found[0].a.words >= len(a) * 0.8


def test_ordered_matches_leave_scattered_topical_words_apart():
    rng = random.Random(4)
    topic = "camps centres training education journalist media reports visit trainees".split()
    filler = [f"w{k}" for k in range(400)]

    def text() -> list[str]:
        words = rng.sample(filler, 200)
        for word in topic:
            words.insert(rng.randrange(len(words)), word)
        return words

    a, b = text(), text()
    ka, kb = content_hashes(a), content_hashes(b)
    found = ordered_matches(region(ka, kb), ka, kb, max_gap=20)
    # Chance matches of scattered words make short chains at most, far below a passage.
    assert all(m.support < Parameters().paraphrase_min_matches for m in found)


def test_same_topic_written_independently_gives_no_paraphrase(tmp_path):
    rng = random.Random(9)
    topic = (
        "inheritance class subclass object programming method attribute parent child "
        "override interface polymorphism code reuse hierarchy"
    ).split()
    filler = "the of and to a in is that for it as with on by this be are from or".split()
    for k in range(4):
        sentences = []
        for _ in range(40):
            words = [rng.choice(topic if rng.random() < 0.5 else filler) for _ in range(15)]
            sentences.append(" ".join(words).capitalize() + ".")
        (tmp_path / f"essay{k}.txt").write_text(
            "\n\n".join(" ".join(sentences[i : i + 5]) for i in range(0, 40, 5)) + "\n"
        )
    result = scan([str(tmp_path)], Parameters())
    assert [p for p in result.passages if p.kind == "paraphrase"] == []


@pytest.mark.skipif(not CLOUGH.is_dir(), reason="Clough & Stevenson corpus not beside the repo")
def test_clough_independent_answers_are_not_linked_to_the_source_and_heavy_revisions_are():
    labels = {
        row["File"]: row
        for row in csv.DictReader((CLOUGH / "file_information.csv").open(encoding="utf-8"))
    }
    # One task: its source, its independent answers ('non') and its heavy revisions.
    task = "a"
    chosen = [
        name
        for name, row in labels.items()
        if row["Task"] == task and row["Category"] in {"non", "heavy", "orig"}
    ]
    result = scan([str(CLOUGH / name) for name in chosen], Parameters())
    source = f"orig_task{task}.txt"
    linked = set()
    for p in result.passages:
        names = {Path(p.source.path).name, Path(p.copy.path).name}
        if source in names:
            linked |= names - {source}
    heavy = {n for n in chosen if labels[n]["Category"] == "heavy"}
    non = {n for n in chosen if labels[n]["Category"] == "non"}
    assert len(heavy & linked) >= len(heavy) - 1
    assert not non & linked
