"""Stage 2a, normalise: NFKC, folded quotes and dashes, case-folded words with spans."""

from __future__ import annotations

import re
import unicodedata

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from dedupe.text.normalise import WORD, normalise, normalise_word, tokenise

from .strategies import TEXT

# The right single quote is the typographic apostrophe; double quotes never join words.
CURLY_TO_STRAIGHT = str.maketrans({"\u2019": "'", "\u201c": '"', "\u201d": '"'})


@settings(max_examples=300)
@given(text=TEXT)
@example(text="Caf\u00e9 \u201cquoted\u201d\r\ndon\u2019t \ufb01nance e\u0301t\u00e9 \u00bd")
@example(text="\r\n\r\n")
def test_every_token_maps_back_to_the_original_text(text):
    tokens = tokenise(text)
    assert len(tokens.words) == len(tokens.starts) == len(tokens.ends)
    previous_end = 0
    for word, start, end in zip(tokens.words, tokens.starts, tokens.ends, strict=True):
        start, end = int(start), int(end)
        assert previous_end <= start < end <= len(text)
        assert normalise_word(text[start:end]) == word
        assert word  # a token is never empty after folding
        assert not any(ch.isspace() for ch in text[start:end])
        previous_end = end


@given(text=TEXT)
def test_no_word_character_is_dropped(text):
    # Blank out every token: what is left holds no letters or digits.
    tokens = tokenise(text)
    chars = list(text)
    for start, end in zip(tokens.starts, tokens.ends, strict=True):
        chars[start:end] = " " * (end - start)
    assert not re.search(r"\w", "".join(chars))


@given(text=TEXT)
def test_curly_and_straight_quotes_give_the_same_words(text):
    assert tokenise(text).words == tokenise(text.translate(CURLY_TO_STRAIGHT)).words


@pytest.mark.parametrize("apostrophe", ["`", "\u2018", "\u2032"])
def test_every_character_folded_to_an_apostrophe_joins_a_word(apostrophe):
    spelled = f"don{apostrophe}t"
    assert normalise(spelled) == "don't"
    assert tokenise(spelled).words == tokenise("don't").words == ["don't"]


@given(text=TEXT)
def test_crlf_and_lf_give_the_same_words(text):
    assert tokenise(text).words == tokenise(text.replace("\r\n", "\n")).words


def test_words_are_case_folded_and_compatibility_forms_unfolded():
    text = "The \ufb01nal \uff21\uff22\uff23 STRASSE Stra\u00dfe don\u2019t DON'T"
    assert tokenise(text).words == [
        "the", "final", "abc", "strasse", "strasse", "don't", "don't",
    ]  # fmt: skip


def test_apostrophe_joins_a_word_but_quotes_do_not():
    text = "\u2018Rock\u2019n\u2019roll\u2019 isn't \u201cdead\u201d"
    tokens = tokenise(text)
    assert tokens.words == ["rock'n'roll", "isn't", "dead"]
    spans = [(int(s), int(e)) for s, e in zip(tokens.starts, tokens.ends, strict=True)]
    assert [text[s:e] for s, e in spans] == ["Rock\u2019n\u2019roll", "isn't", "dead"]


def test_offsets_point_into_a_crlf_text():
    text = "One two\r\n\r\nthree\r\n"
    tokens = tokenise(text)
    assert [text[s:e] for s, e in zip(tokens.starts, tokens.ends, strict=True)] == [
        "One", "two", "three",
    ]  # fmt: skip


def test_index_at_finds_the_first_token_at_or_after_a_char():
    text = "alpha beta  gamma"
    tokens = tokenise(text)
    assert [tokens.index_at(c) for c in (0, 1, 5, 6, 7, 11, 12, 16, 17, 99)] == [
        0, 1, 1, 1, 2, 2, 2, 3, 3, 3,
    ]  # fmt: skip


def test_normalise_folds_quotes_dashes_case_and_spaces():
    text = "  The \u201cQuick\u201d\r\n\u2014 Fox\u2019s\u00a0 \ufb01ne\u00ad day \t"
    assert normalise(text) == 'the "quick" - fox\'s fine day'


@given(text=TEXT)
def test_normalise_leaves_no_runs_of_space_and_no_curly_quotes(text):
    result = normalise(text)
    assert result == result.strip()
    assert "  " not in result
    assert not set(result) & set("\u2018\u2019\u201c\u201d\u2013\u2014\u00ad\ufeff\n\r\t")


# Tokens are found in the raw text and only then normalised, so characters that NFKC
# would compose into a letter, or that the fold table deletes, split a word in two: the
# decomposed (NFD) spelling of a word does not give the same token as the composed one,
# and a soft hyphen inside a word (common in text pasted from PDFs or web pages) breaks
# it although ``normalise`` removes it.
@pytest.mark.parametrize("word", ["caf\u00e9", "na\u00efve", "\u00c5ngstr\u00f6m", "Se\u00f1or"])
def test_decomposed_and_composed_spellings_give_the_same_tokens(word):
    nfd = unicodedata.normalize("NFD", word)
    assert nfd != word
    assert tokenise(nfd).words == tokenise(word).words


def test_soft_hyphen_inside_a_word_does_not_split_it():
    assert normalise("co\u00adoperation") == "cooperation"
    assert tokenise("co\u00adoperation").words == ["cooperation"]


@given(text=st.text(alphabet=st.characters(categories=["L", "Nd", "Zs"]), max_size=60))
def test_on_plain_letters_tokens_agree_with_normalise(text):
    # Without punctuation or marks, the tokens are the words of the normalised text.
    assert " ".join(tokenise(text).words) == normalise(" ".join(re.findall(r"\w+", text)))


def _regex_tokens(text: str) -> tuple[list[str], list[int], list[int]]:
    """Tokens as the general (regular expression) path finds them."""
    found = [(normalise_word(m.group()), m.start(), m.end()) for m in WORD.finditer(text)]
    found = [t for t in found if t[0]]
    return [w for w, _, _ in found], [s for _, s, _ in found], [e for _, _, e in found]


@settings(max_examples=500)
@given(text=st.text(alphabet="aZ9_ '`'\n\t.,-\x00\x0b\x7f", max_size=40))
@example(text="don't rock'n'roll `tis a''b 'quoted' x`y")
def test_the_ascii_fast_path_finds_what_the_general_path_finds(text):
    tokens = tokenise(text)
    assert (tokens.words, tokens.starts.tolist(), tokens.ends.tolist()) == _regex_tokens(text)


@settings(max_examples=500)
@given(
    text=st.text(
        alphabet=st.one_of(
            st.sampled_from("a9_ '`\u2019\u2018\u201b\u2032\n.\u00ad\u200b\ufb01\u0301\u00e9"),
            st.characters(codec="utf-8"),
        ),
        max_size=40,
    )
)
@example(text="caf\u00e9 l\u2019\u00e9t\u00e9 \u00ad co\u00adop \ufb01ne e\u0301t\u00e9")
def test_the_unicode_path_finds_what_the_regular_expression_finds(text):
    tokens = tokenise(text)
    assert (tokens.words, tokens.starts.tolist(), tokens.ends.tolist()) == _regex_tokens(text)
