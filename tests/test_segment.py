"""Stage 2b, segment: paragraphs and overlapping sentence windows."""

from __future__ import annotations

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from dedupe.text.normalise import tokenise
from dedupe.text.segment import Segment, paragraphs, segment_ranges, sentence_starts, windows

from .strategies import TEXT, prose


def segment(doc, text, tokens, window_words):
    """The ``segment_ranges`` of ``text`` as segments of document ``doc``, with the
    characters from their first word's start to their last word's end."""
    return [
        Segment(doc, a, b, int(tokens.starts[a]), int(tokens.ends[b - 1]))
        for a, b in segment_ranges(text, tokens, window_words)
    ]


# --- paragraphs -------------------------------------------------------------------


@settings(max_examples=300)
@given(text=TEXT)
@example(text="a\r\n\r\nb\r\n")
@example(text="First line\n  \n\t\nsecond\n")
def test_paragraph_spans_lie_in_the_text_in_order_and_cover_all_of_it(text):
    spans = paragraphs(text)
    previous_end = 0
    for start, end in spans:
        assert previous_end <= start < end <= len(text)
        assert not text[end - 1].isspace()
        previous_end = end
    # Every visible character belongs to some paragraph.
    covered = set()
    for start, end in spans:
        covered.update(range(start, end))
    assert all(k in covered for k, ch in enumerate(text) if not ch.isspace())


@given(text=TEXT)
def test_paragraph_spans_start_on_a_visible_character(text):
    for start, _ in paragraphs(text):
        assert not text[start].isspace()


def test_blank_lines_separate_paragraphs():
    text = "First paragraph here.\nStill the first.\n\nSecond one.\n\n\n  Third.\n"
    spans = paragraphs(text)
    assert [text[s:e].strip() for s, e in spans] == [
        "First paragraph here.\nStill the first.",
        "Second one.",
        "Third.",
    ]


def test_crlf_blank_lines_separate_paragraphs():
    text = "First paragraph.\r\n\r\nSecond paragraph.\r\n"
    assert [text[s:e].strip() for s, e in paragraphs(text)] == [
        "First paragraph.",
        "Second paragraph.",
    ]


def test_paragraph_broken_mid_sentence_by_a_stray_blank_line_is_joined():
    text = "The committee met on Tuesday and agreed that the\n\nbudget would be cut by half.\n"
    spans = paragraphs(text)
    assert len(spans) == 1
    assert text[spans[0][0] : spans[0][1]] == text.rstrip()


@pytest.mark.parametrize("ending", [".", ":", "!", "?", ";", ".\u201d", ")"])
def test_paragraph_with_closing_punctuation_is_not_joined(ending):
    text = f"The speaker said the following{ending}\n\nthe rest of it came later.\n"
    assert len(paragraphs(text)) == 2


def test_capitalised_continuation_is_not_joined():
    text = "Heading without a full stop\n\nThe body begins here.\n"
    assert len(paragraphs(text)) == 2


# --- sentence windows -------------------------------------------------------------


def test_sentence_starts_need_an_ending_and_a_capital_or_digit():
    text = "One two. Three four! \u201cFive six?\u201d Seven. e.g. lower case. 2020 was odd."
    starts = sentence_starts(text, 0, len(text))
    assert [text[s : s + 5] for s in starts] == ["One t", "Three", "\u201cFive", "Seven", "2020 "]


def test_sentence_starts_stay_inside_the_range():
    text = "Skip. This part. And this. Not this."
    start, end = text.index("This"), text.index(" Not")
    assert sentence_starts(text, start, end) == [start, text.index("And")]


@settings(max_examples=300)
@given(
    bounds=st.lists(st.integers(0, 400), min_size=2, max_size=40, unique=True).map(sorted),
    size=st.integers(1, 60),
)
def test_windows_cover_every_token_and_overlap_or_touch(bounds, size):
    result = windows(bounds, size)
    assert result[0][0] == bounds[0]
    assert result[-1][1] == bounds[-1]
    for start, end in result:
        # Whole sentences only.
        assert start in bounds and end in bounds and start < end
    for (s1, e1), (s2, e2) in zip(result, result[1:], strict=False):
        assert s1 < s2 <= e1  # moves forward, and never leaves a gap
        assert e1 <= e2
    for start, end in result[:-1]:
        # Every window but the last reaches the size, and is not longer than needed:
        # without its last sentence it would be short of it.
        assert end - start >= size
        last_sentence = max(b for b in bounds if b < end)
        assert last_sentence == start or last_sentence - start < size


def test_every_window_starts_later_than_the_previous_one():
    # Sentences of 30, 60 and 30 tokens, windows of about 50. A window may end where the
    # one before it ends (a long last sentence): it is not redundant, since a passage
    # that covers only its part shares more with it than with the longer window.
    result = windows([0, 30, 90, 120], 50)
    assert result == [(0, 90), (30, 90), (90, 120)]
    assert all(s1 < s2 for (s1, _), (s2, _) in zip(result, result[1:], strict=False))


def _paragraph_of_sentences(count: int, words: int) -> str:
    return " ".join(prose(seed, sentences=1, words=words) for seed in range(count))


def test_long_paragraph_is_cut_into_half_overlapping_windows():
    text = "Title line\n\n" + _paragraph_of_sentences(30, 10) + "\n"  # 300 words
    tokens = tokenise(text)
    assert len(tokens) == 302
    segments = segment(7, text, tokens, window_words=50)
    assert segments[0].start == 0 and segments[0].end == 2  # the title paragraph
    body = segments[1:]
    assert len(body) >= 300 // 50
    assert body[0].start == 2 and body[-1].end == 302
    for seg in body[:-1]:
        assert 50 <= seg.words < 60  # whole 10-word sentences, about window_words
    for one, two in zip(body, body[1:], strict=False):
        shared = one.end - two.start
        assert 20 <= shared <= one.words - 20  # about half of each window is shared
    for seg in body:
        assert seg.doc == 7
        # Windows start at sentence starts.
        assert text[seg.start_char].isupper()
        assert text[seg.start_char - 2] == "." or seg.start == 2


def test_short_paragraph_is_one_segment():
    text = _paragraph_of_sentences(7, 10)  # 70 words, under 1.5 x 50
    tokens = tokenise(text)
    segments = segment(0, text, tokens, window_words=50)
    assert [(s.start, s.end) for s in segments] == [(0, 70)]


def test_long_paragraph_without_sentence_ends_is_one_segment():
    text = " ".join(["word"] * 200)
    segments = segment(0, text, tokenise(text), window_words=50)
    assert [(s.start, s.end, s.start_char, s.end_char) for s in segments] == [
        (0, 200, 0, len(text))
    ]


@settings(max_examples=200)
@given(text=TEXT, window_words=st.integers(6, 30))
@example(text=_paragraph_of_sentences(12, 7).replace(". ", ".\r\n"), window_words=10)
def test_segments_map_back_to_their_tokens_and_cover_them_all(text, window_words):
    tokens = tokenise(text)
    segments = segment(3, text, tokens, window_words)
    spans = paragraphs(text)
    covered = set()
    for seg in segments:
        assert seg.doc == 3
        assert 0 <= seg.start < seg.end <= len(tokens)
        assert seg.start_char == tokens.starts[seg.start]
        assert seg.end_char == tokens.ends[seg.end - 1]
        assert any(s <= seg.start_char and seg.end_char <= e for s, e in spans)
        covered.update(range(seg.start, seg.end))
    assert covered == set(range(len(tokens)))
    assert [s.start for s in segments] == sorted(s.start for s in segments)
