"""Stage 2b, segment: paragraphs, and overlapping sentence windows inside long ones.

A segment is a run of tokens ``[start, end)`` of one document plus the character span
it covers, so a match on a segment can always be pointed back at the file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from .normalise import Tokens

_BLOCK = re.compile(r"(?:[^\n]*\S[^\n]*(?:\n|$))+")
_SENTENCE_END = re.compile(r"[.!?][\"'\u201d\u2019)\]]*\s+(?=[\"'\u201c\u2018(\[*]*[A-Z0-9])")
_OPEN_ENDING = tuple(".!?:;\"'\u201d\u2019)]*")


@dataclass(frozen=True)
class Segment:
    """Tokens ``[start, end)`` of document ``doc``, covering ``[start_char, end_char)``."""

    doc: int
    start: int
    end: int
    start_char: int
    end_char: int

    @property
    def words(self) -> int:
        return self.end - self.start


def paragraphs(text: str) -> list[tuple[int, int]]:
    """Character spans of the paragraphs of ``text``.

    Paragraphs are blocks of non-blank lines. A block that ends without closing
    punctuation and is followed by one starting in lower case is the same paragraph
    broken by a stray blank line, and is joined to it.
    """
    spans: list[tuple[int, int]] = []
    for match in _BLOCK.finditer(text):
        block = match.group()
        start = match.start() + len(block) - len(block.lstrip())
        end = match.start() + len(block.rstrip())
        if spans and _is_broken(text[spans[-1][1] - 1], text[start]):
            spans[-1] = (spans[-1][0], end)
        else:
            spans.append((start, end))
    return spans


def _is_broken(last: str, first: str) -> bool:
    """Whether a paragraph ending with the character ``last`` and the next one, starting
    with ``first``, are one paragraph broken by a stray blank line."""
    return last not in _OPEN_ENDING and first.islower()


def sentence_starts(text: str, start: int, end: int) -> list[int]:
    """Character offsets where the sentences of ``text[start:end]`` begin."""
    return [start] + [m.end() for m in _SENTENCE_END.finditer(text, start, end)]


def windows(bounds: list[int], size: int) -> list[tuple[int, int]]:
    """Token ranges of windows of whole sentences, about ``size`` tokens, overlapping by half.

    ``bounds`` are the token indices where sentences start, ending with the index one
    past the last token.
    """
    result: list[tuple[int, int]] = []
    first = 0
    last = len(bounds) - 1
    while True:
        stop = first + 1
        while stop < last and bounds[stop] - bounds[first] < size:
            stop += 1
        result.append((bounds[first], bounds[stop]))
        if stop == last:
            return result
        step = first + 1
        while step < stop and bounds[step] - bounds[first] < size // 2:
            step += 1
        first = step


def segment_ranges(
    text: str,
    tokens: Tokens,
    window_words: int,
    spans: list[tuple[int, int]] | None = None,
) -> list[tuple[int, int]]:
    """The token ranges ``[start, end)`` of the segments of one document, in order of
    their start.

    A paragraph of up to ``1.5 * window_words`` tokens is one segment; a longer one is
    split into sentence windows of about ``window_words`` tokens overlapping by half.
    ``spans`` are the text's ``paragraphs`` if already found.
    """
    spans = paragraphs(text) if spans is None else spans
    token_spans = np.searchsorted(tokens.starts, spans).reshape(-1, 2).tolist()
    ranges: list[tuple[int, int]] = []
    for (char_start, char_end), (first, stop) in zip(spans, token_spans, strict=True):
        if stop <= first:
            continue
        if stop - first <= window_words * 3 // 2:
            ranges.append((first, stop))
        else:
            starts = sentence_starts(text, char_start, char_end)
            bounds = np.searchsorted(tokens.starts, starts).tolist()
            ranges += windows(sorted(set(bounds) | {first, stop}), window_words)
    return [(a, b) for a, b in ranges if b > a]


def sentence_bounds(
    text: str, tokens: Tokens, spans: list[tuple[int, int]] | None = None
) -> list[int]:
    """Token indices where the sentences of ``text`` start (each paragraph starts one),
    followed by the token count. ``spans`` are the text's ``paragraphs`` if already
    found.
    """
    spans = paragraphs(text) if spans is None else spans
    # Every sentence end is followed by a word inside some paragraph.
    starts = [start for start, _ in spans] + [m.end() for m in _SENTENCE_END.finditer(text)]
    return sorted(set(np.searchsorted(tokens.starts, starts).tolist()) | {len(tokens)})
