"""Stage 3, shingle: word n-grams hashed with xxhash into 32-bit integers."""

from __future__ import annotations

import random

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from dedupe.text.shingle import (
    content_hashes,
    content_key,
    content_set,
    ngram_hashes,
    shingle_set,
    word_hashes,
    word_keys,
)


def _ngrams(words: list[str], n: int) -> np.ndarray:
    return ngram_hashes(word_hashes(words), n)


def test_word_hashes_are_64_bit_and_equal_for_equal_words():
    hashes = word_hashes(["alpha", "beta", "alpha"])
    assert hashes.dtype == np.uint64 and len(hashes) == 3
    assert hashes[0] == hashes[2] != hashes[1]
    assert word_hashes([]).shape == (0,)


@pytest.mark.parametrize("n", [1, 2, 3, 5])
def test_one_uint32_per_ngram(n):
    words = "the cat sat on the mat and then the cat sat down".split()
    result = _ngrams(words, n)
    assert result.dtype == np.uint32
    assert len(result) == len(words) - n + 1


def test_equal_ngrams_at_different_positions_hash_equal():
    words = "the cat sat on a mat while the cat sat on a chair".split()
    result = _ngrams(words, 3)
    # "the cat sat" at 0 and 7, "cat sat on" at 1 and 8, "sat on a" at 2 and 9.
    assert result[0] == result[7] and result[1] == result[8] and result[2] == result[9]
    # "on a mat" and "on a chair" share two words but are different trigrams.
    assert result[3] != result[10]


@given(
    words=st.lists(st.sampled_from(["a", "b", "c", "d"]), min_size=3, max_size=30),
    n=st.integers(1, 4),
)
def test_hash_depends_only_on_the_ngram(words, n):
    result = _ngrams(words, n)
    for i in range(len(result)):
        for j in range(len(result)):
            if words[i : i + n] == words[j : j + n]:
                assert result[i] == result[j]


def test_order_of_words_matters():
    assert _ngrams(["a", "b", "c"], 3)[0] != _ngrams(["c", "b", "a"], 3)[0]
    assert _ngrams(["a", "b", "c"], 3)[0] != _ngrams(["a", "c", "b"], 3)[0]


def test_different_ngrams_almost_surely_hash_differently():
    rnd = random.Random(5)
    vocabulary = [f"w{k}" for k in range(500)]
    trigrams = {tuple(rnd.choice(vocabulary) for _ in range(3)) for _ in range(3000)}
    hashes = {int(_ngrams(list(t), 3)[0]) for t in trigrams}
    # 3000 values in 2**32: a collision has probability about 1e-3.
    assert len(hashes) >= len(trigrams) - 1


@pytest.mark.parametrize("count", [0, 1, 2])
def test_fewer_words_than_n_give_no_ngrams(count):
    result = _ngrams(["word"] * count, 3)
    assert result.dtype == np.uint32 and len(result) == 0


def test_shingle_set_is_the_sorted_unique_ngrams_inside_the_range():
    words = "a b c a b c d e f a b c".split()
    ngrams = _ngrams(words, 3)
    # Tokens [0, 6) hold n-grams 0..3 (the last one ending at token 5); "a b c" twice.
    result = shingle_set(ngrams, 0, 6, 3)
    assert result.dtype == np.uint32
    assert result.tolist() == sorted({int(ngrams[k]) for k in range(4)})
    assert len(result) == 3
    # An n-gram that runs past the end of the range is not included.
    assert int(ngrams[4]) not in shingle_set(ngrams, 0, 6, 3).tolist()
    assert shingle_set(ngrams, 2, 7, 3).tolist() == sorted({int(ngrams[k]) for k in (2, 3, 4)})


def test_shingle_set_of_a_range_shorter_than_n_is_empty():
    ngrams = _ngrams("a b c d e".split(), 3)
    assert len(shingle_set(ngrams, 1, 3, 3)) == 0
    assert len(shingle_set(ngrams, 4, 4, 3)) == 0
    assert len(shingle_set(ngrams, 2, 5, 3)) == 1


# --- content words (the paraphrase family) ------------------------------------------


def test_function_words_and_single_letters_have_no_content_key():
    for word in ("the", "of", "would", "themselves", "a", "x", "7"):
        assert content_key(word) is None


def test_content_keys_are_stems_shared_by_inflections():
    assert content_key("running") == content_key("runs") == content_key("run")
    assert content_key("negotiations") == content_key("negotiation")
    assert content_key("china's") == content_key("china")
    assert content_key("xinjiang") is not None
    assert content_key("policy") != content_key("police")


def test_content_hashes_are_zero_exactly_for_function_words():
    words = ["the", "ministers", "met", "with", "the", "minister", "and", "x"]
    hashes = content_hashes(words)
    assert hashes.dtype == np.uint32 and len(hashes) == len(words)
    assert [bool(h) for h in hashes] == [False, True, True, False, False, True, False, False]
    assert hashes[1] == hashes[5]  # ministers / minister
    assert hashes[1] != hashes[2]


def test_content_set_is_sorted_unique_without_function_words():
    hashes = content_hashes(["the", "ministers", "met", "the", "minister", "budget"])
    result = content_set(hashes, 0, 6)
    assert result.tolist() == sorted({int(h) for h in hashes if h})
    assert len(result) == 3  # minist-, met, budget
    assert content_set(hashes, 3, 4).tolist() == []


def test_content_sets_of_ranges_are_sorted_unique_without_function_words():
    from dedupe.text.shingle import content_spans, range_sets

    hashes = content_hashes(["the", "ministers", "met", "the", "minister", "budget"])
    table = range_sets(*content_spans(hashes, np.array([(0, 6), (3, 4)])))
    assert 0 not in table[0].tolist()
    assert table[0].tolist() == sorted({int(h) for h in hashes if h})
    assert len(table[0]) == 3  # minist-, met, budget
    assert table[1].tolist() == []


def test_range_sets_hold_each_ranges_distinct_values_and_tables_concatenate():
    from dedupe.text.shingle import SetTable, range_sets

    rng = np.random.default_rng(3)
    values = rng.integers(1, 30, 200).astype(np.uint32)
    ranges = np.array([(0, 50), (25, 75), (60, 60), (190, 200), (0, 200)], dtype=np.int64)
    table = range_sets(values, ranges)
    assert len(table) == len(ranges)
    for k, (a, b) in enumerate(ranges):
        assert table[k].tolist() == sorted(set(values[a:b].tolist()))
    joined = SetTable.concat([table, SetTable.of([np.array([5, 9], dtype=np.uint32)]), table])
    assert len(joined) == 2 * len(ranges) + 1
    assert joined[len(ranges)].tolist() == [5, 9]
    assert [joined[len(ranges) + 1 + k].tolist() for k in range(len(ranges))] == [
        table[k].tolist() for k in range(len(ranges))
    ]


def test_no_words_no_hashes():
    assert content_hashes([]).tolist() == []
    assert word_hashes([]).tolist() == []
    assert content_hashes([]).dtype == np.uint32 and word_hashes([]).dtype == np.uint64


def test_word_keys_are_word_hashes_and_content_hashes_from_one_pass():
    words = ["the", "ministers", "met", "the", "minister", "budget", "ministers"]
    hashes, contents = word_keys(words)
    assert hashes.tolist() == word_hashes(words).tolist()
    assert contents.tolist() == content_hashes(words).tolist()
