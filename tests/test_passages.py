"""One alignment task's wiring (``dedupe.match.passages``): candidate pairs named by path
become segments of the prepared documents, found passages are grouped by document pair.
What the task finds is tested on real text by the corpus, fill and planted tests."""

from __future__ import annotations

import numpy as np

from dedupe.match.align import Alignment, Span
from dedupe.match.passages import KnownPairs, by_pair
from dedupe.match.verify import Weights
from dedupe.parameters import Parameters
from dedupe.read.files import Document
from dedupe.text.prepared import prepare

PARAMS = Parameters()


def _prepared(path: str, words: int):
    text = " ".join(f"w{k}" for k in range(words)) + "."
    return prepare(Document(path, text, "utf-8", len(text), 0.0, path), PARAMS)


def test_known_pairs_become_segments_of_the_prepared_documents_in_order():
    prepared = [_prepared("a.txt", 40), _prepared("b.txt", 40)]
    collisions = {
        "verbatim": [
            (("b.txt", 10, 20), ("a.txt", 0, 10)),
            (("a.txt", 0, 10), ("b.txt", 10, 20)),  # the same pair, the other way round
            (("a.txt", 20, 30), ("b.txt", 0, 10)),
            (("a.txt", 0, 10), ("a.txt", 20, 30)),  # one document: no pair
            (("a.txt", 0, 10), ("gone.txt", 0, 5)),  # a document not in this task
        ]
    }
    known = KnownPairs(["a.txt", "b.txt"], collisions, Weights(np.empty(0), np.empty(0)))
    segments, pairs = known.pairs("verbatim", prepared)
    assert [(s.doc, s.start, s.end) for s in segments] == [
        (0, 0, 10),
        (0, 20, 30),
        (1, 0, 10),
        (1, 10, 20),
    ]
    assert pairs.tolist() == [[0, 3], [1, 2]]
    # Character spans come from the prepared tokens: "w0" starts at 0, "w9" ends at 29.
    assert (segments[0].start_char, segments[0].end_char) == (0, 29)
    assert known.pairs("content", prepared)[1].shape == (0, 2)


def test_found_passages_are_grouped_by_document_pair_in_order():
    def found(a: int, b: int, start: int):
        return (Alignment(Span(a, start, start + 5), Span(b, start, start + 5)), "near", 0.6)

    items = [found(1, 2, 0), found(0, 1, 10), found(1, 2, 30), found(0, 1, 5)]
    groups = by_pair(items)
    assert [pair for pair, _ in groups] == [(0, 1), (1, 2)]
    assert groups[0][1] == [items[1], items[3]]  # in the order found
    assert groups[1][1] == [items[0], items[2]]
    assert by_pair([]) == []
