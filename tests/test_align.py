"""Stage 6b, align: anchors, chains, merged boxes, and splitting at inserted paragraphs."""

from __future__ import annotations

from itertools import groupby

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from dedupe.match.align import (
    Alignment,
    Span,
    align,
    anchors,
    chain_labels,
    covered_share,
    merge_close,
    split_at_inserted_paragraphs,
    union,
)
from dedupe.text.shingle import ngram_hashes, word_hashes

N = 3


def _box(a0: int, a1: int, b0: int, b1: int) -> Alignment:
    return Alignment(Span(0, a0, a1), Span(1, b0, b1))


def _spans(alignments: list[Alignment]) -> list[tuple[int, int, int, int]]:
    return [(x.a.start, x.a.end, x.b.start, x.b.end) for x in alignments]


def _words(prefix: str, count: int) -> list[str]:
    return [f"{prefix}{k}" for k in range(count)]


def _ngrams(words: list[str]) -> np.ndarray:
    return ngram_hashes(word_hashes(words), N)


# --- anchors ----------------------------------------------------------------------


def test_anchors_pair_equal_ngrams_inside_the_regions_only():
    shared = _words("s", 6)
    a = _words("a", 5) + shared + _words("a", 3)  # "a0..a2" again at the end
    b = shared + _words("b", 4)
    ngrams_a, ngrams_b = _ngrams(a), _ngrams(b)
    whole = [(Span(0, 0, len(a)), Span(1, 0, len(b)))]
    # The 4 trigrams of the shared run: A positions 5..8, B positions 0..3.
    assert _points(anchors(ngrams_a, ngrams_b, whole)) == [(5 + k, k) for k in range(4)]
    # A region of A that stops before the shared run finds nothing.
    assert _points(anchors(ngrams_a, ngrams_b, [(Span(0, 0, 5), Span(1, 0, len(b)))])) == []


def test_anchors_pair_every_occurrence_once():
    a = ["x", "y", "z", "x", "y", "z"]
    b = ["x", "y", "z"]
    regions = [(Span(0, 0, 6), Span(1, 0, 3))] * 2  # the same region twice
    assert _points(anchors(_ngrams(a), _ngrams(b), regions)) == [(0, 0), (3, 0)]


def _points(found: tuple[np.ndarray, np.ndarray]) -> list[tuple[int, int]]:
    return list(zip(found[0].tolist(), found[1].tolist(), strict=True))


# --- chains -----------------------------------------------------------------------


def chains(points: list[tuple[int, int]], max_gap: int, max_shift: int) -> list[list[tuple]]:
    """The anchors of each chain (``chain_labels``), chains in label order."""
    if not points:
        return []
    i, j = np.array(points, dtype=np.int64).T
    labels = chain_labels(i, j, max_gap, max_shift).tolist()
    found: list[list[tuple]] = [[] for _ in range(max(labels) + 1)]
    for point, label in zip(points, labels, strict=True):
        found[label].append(point)
    return found


def test_clean_diagonal_is_one_chain():
    points = [(i, i + 40) for i in range(30)]
    assert chains(points, max_gap=20, max_shift=10) == [points]


def test_diagonal_with_small_gaps_and_a_small_shift_is_one_chain():
    points = [(i, i) for i in range(10)] + [(i, i + 3) for i in range(15, 30)]
    assert chains(points, max_gap=20, max_shift=10) == [points]


def test_two_diagonals_far_apart_in_a_are_two_chains():
    first = [(i, i) for i in range(10)]
    second = [(i, i) for i in range(200, 210)]
    result = chains(first + second, max_gap=20, max_shift=10)
    assert sorted(result) == [first, second]


def test_two_diagonals_far_apart_in_b_are_two_chains():
    # Same rows in A, copies far apart in B: each row offers two anchors.
    near = [(i, i) for i in range(10)]
    far = [(i, i + 500) for i in range(10)]
    result = chains(sorted(near + far), max_gap=20, max_shift=10)
    assert sorted(result) == [near, far]


def test_a_shift_beyond_max_shift_starts_a_new_chain():
    first = [(i, i) for i in range(10)]
    shifted = [(i, i + 15) for i in range(10, 20)]
    result = chains(first + shifted, max_gap=20, max_shift=10)
    assert sorted(result) == [first, shifted]


def _reference_chains(points, max_gap, max_shift):
    """The chaining rule written plainly (``chains`` runs it compiled)."""
    active, done = [], []
    for i, group in groupby(points, key=lambda p: p[0]):
        js = [j for _, j in group]
        done.extend(c for c in active if i - c[-1][0] > max_gap)
        active = [c for c in active if i - c[-1][0] <= max_gap]
        offers = sorted(
            (abs((j - i) - (c[-1][1] - c[-1][0])), -len(c), n, j)
            for n, c in enumerate(active)
            for j in js
            if c[-1][1] < j <= c[-1][1] + max_gap
            and abs((j - i) - (c[-1][1] - c[-1][0])) <= max_shift
        )
        taken_chains, taken_js = set(), set()
        for _, _, n, j in offers:
            if n not in taken_chains and j not in taken_js:
                active[n].append((i, j))
                taken_chains.add(n)
                taken_js.add(j)
        active.extend([(i, j)] for j in js if j not in taken_js)
    return done + active


@settings(max_examples=200, deadline=None)
@given(
    st.sets(st.tuples(st.integers(0, 80), st.integers(0, 80)), max_size=120),
    st.integers(1, 20),
    st.integers(0, 10),
)
def test_chains_follow_the_chaining_rule(points, max_gap, max_shift):
    points = sorted(points)
    assert chains(points, max_gap, max_shift) == _reference_chains(points, max_gap, max_shift)


def test_a_gap_beyond_max_gap_starts_a_new_chain():
    first = [(i, i) for i in range(10)]
    later = [(i, i) for i in range(40, 50)]
    assert sorted(chains(first + later, max_gap=20, max_shift=10)) == [first, later]
    assert chains(first + later, max_gap=40, max_shift=10) == [first + later]


# --- merge_close ------------------------------------------------------------------


def _reference_merge(boxes, max_gap):
    """The merging rule written plainly (``merge_close`` runs it compiled)."""

    def gap(start1, end1, start2, end2):
        return max(start1, start2) - min(end1, end2)

    merged = sorted(boxes, key=lambda x: (x.a.start, x.b.start))
    changed = True
    while changed:
        changed = False
        result = []
        for box in merged:
            for k, other in enumerate(result):
                if (
                    gap(box.a.start, box.a.end, other.a.start, other.a.end) <= max_gap
                    and gap(box.b.start, box.b.end, other.b.start, other.b.end) <= max_gap
                ):
                    result[k] = union(other, box)
                    changed = True
                    break
            else:
                result.append(box)
        merged = sorted(result, key=lambda x: (x.a.start, x.b.start))
    return merged


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 300), st.integers(1, 40), st.integers(0, 300), st.integers(1, 40)),
        max_size=40,
    ),
    st.integers(0, 30),
)
def test_merge_close_follows_the_merging_rule(spans, max_gap):
    boxes = [_box(a, a + n, b, b + m) for a, n, b, m in spans]
    assert merge_close(boxes, max_gap) == _reference_merge(boxes, max_gap)


def test_boxes_within_max_gap_in_both_documents_merge():
    boxes = [_box(0, 10, 100, 110), _box(25, 35, 125, 135)]  # 15 apart in both
    assert merge_close(boxes, max_gap=20) == [Alignment(Span(0, 0, 35), Span(1, 100, 135), 2)]
    assert _spans(merge_close(boxes, max_gap=15)) == [(0, 35, 100, 135)]
    assert merge_close(boxes, max_gap=14) == boxes


def test_boxes_close_in_one_document_only_stay_apart():
    close_in_a = [_box(0, 10, 0, 10), _box(15, 25, 300, 310)]
    close_in_b = [_box(0, 10, 0, 10), _box(300, 310, 15, 25)]
    assert merge_close(close_in_a, max_gap=20) == close_in_a
    assert merge_close(close_in_b, max_gap=20) == close_in_b


def test_reordered_boxes_merge_and_merging_is_transitive():
    # Sentences swapped in B (a block moved), then a third box close to the union.
    boxes = [_box(0, 10, 12, 22), _box(12, 22, 0, 10), _box(40, 50, 40, 50)]
    assert _spans(merge_close(boxes, max_gap=20)) == [(0, 50, 0, 50)]
    assert merge_close(boxes, max_gap=20)[0].support == 3
    assert _spans(merge_close(boxes, max_gap=5)) == [(0, 22, 0, 22), (40, 50, 40, 50)]


# --- align ------------------------------------------------------------------------


def _align(a: list[str], b: list[str], max_gap: int = 20, max_shift: int = 10):
    regions = [(Span(0, 0, len(a)), Span(1, 0, len(b)))]
    return align(0, 1, _ngrams(a), _ngrams(b), regions, N, max_gap, max_shift)


def test_align_finds_a_shared_passage_exactly():
    shared = _words("s", 40)
    a = _words("a", 20) + shared + _words("a", 20)[::-1]
    b = _words("b", 30) + shared + _words("b", 10)
    (found,) = _align(a, b)
    assert _spans([found]) == [(20, 60, 30, 70)]
    assert (found.a.doc, found.b.doc) == (0, 1)
    assert found.support == 40 - N + 1  # one anchor per shared trigram


def test_align_bridges_a_substituted_word():
    shared = _words("s", 40)
    edited = shared[:20] + ["CHANGED"] + shared[21:]
    a = _words("a", 5) + shared
    b = _words("b", 5) + edited
    (found,) = _align(a, b)
    assert _spans([found]) == [(5, 45, 5, 45)]
    assert found.support == 40 - N + 1 - N  # the N trigrams holding the changed word


def test_align_ignores_a_lone_shared_ngram():
    a = _words("a", 10) + ["in", "the", "end"] + _words("a", 10)
    b = _words("b", 10) + ["in", "the", "end"] + _words("b", 10)
    assert _align(a, b) == []


def test_align_reports_two_separate_passages():
    one, two = _words("p", 20), _words("q", 20)
    a = one + _words("a", 100) + two
    b = two + _words("b", 100) + one
    assert _spans(_align(a, b)) == [(0, 20, 120, 140), (120, 140, 0, 20)]


# --- split_at_inserted_paragraphs -------------------------------------------------


def _split(whole, words_a, words_b, breaks_a, breaks_b):
    hashes_a, hashes_b = word_hashes(words_a), word_hashes(words_b)
    return split_at_inserted_paragraphs(whole, hashes_a, hashes_b, breaks_a, breaks_b)


def _breaks(*paragraph_lengths: int) -> np.ndarray:
    return np.cumsum([0, *paragraph_lengths])


def test_split_at_a_whole_paragraph_inserted_in_b():
    p1, p2 = _words("one", 15), _words("two", 15)
    words_a = p1 + p2
    words_b = p1 + ["xinhua"] + p2  # a speaker label on its own paragraph
    whole = _box(0, 30, 0, 31)
    pieces = _split(whole, words_a, words_b, _breaks(15, 15), _breaks(15, 1, 15))
    assert _spans(pieces) == [(0, 15, 0, 15), (15, 30, 16, 31)]


def test_split_at_a_whole_paragraph_that_only_a_has():
    p1, p2 = _words("one", 12), _words("two", 12)
    caption = ["photo", "by", "staff"]
    words_a = p1 + caption + p2
    words_b = p1 + p2
    whole = _box(0, 27, 0, 24)
    pieces = _split(whole, words_a, words_b, _breaks(12, 3, 12), _breaks(12, 12))
    assert _spans(pieces) == [(0, 12, 0, 12), (15, 27, 12, 24)]


def test_an_alignment_with_a_substituted_word_stays_whole():
    p1 = _words("one", 30)
    words_b = p1[:10] + ["other"] + p1[11:]
    whole = _box(0, 30, 0, 30)
    assert _split(whole, p1, words_b, _breaks(30), _breaks(30)) == [whole]


def test_inserted_words_that_are_not_a_whole_paragraph_keep_it_whole():
    p1, p2 = _words("one", 15), _words("two", 15)
    words_b = p1 + ["inserted", "words"] + p2
    whole = _box(0, 30, 0, 32)
    # B's paragraphs: one of 32 words, so the insertion is inside a paragraph.
    pieces = _split(whole, p1 + p2, words_b, _breaks(15, 15), _breaks(32))
    assert pieces == [whole]


def test_identical_sides_are_one_piece():
    words = _words("w", 20)
    whole = _box(0, 20, 0, 20)
    pieces = _split(whole, words, words, _breaks(20), _breaks(20))
    assert _spans(pieces) == [(0, 20, 0, 20)]


# --- coverage and reordered pieces -------------------------------------------------


def test_covered_share_is_the_larger_side_share():
    alignment = _box(0, 10, 0, 20)
    assert covered_share(alignment, [_box(0, 5, 0, 20)]) == 1.0
    assert covered_share(alignment, [_box(0, 5, 0, 5)]) == 0.5
    assert covered_share(alignment, [_box(0, 5, 0, 5), _box(5, 10, 50, 60)]) == 1.0
    assert covered_share(alignment, [_box(30, 40, 30, 40)]) == 0.0
    assert covered_share(alignment, []) == 0.0


def test_reordered_pieces_of_one_passage_are_grouped():
    from dedupe.match.align import reordered_runs

    # Sentences 1-2-3 of the first document appear as 3-1-2 in the second.
    pieces = [_box(0, 20, 130, 150), _box(22, 40, 150, 170), _box(41, 60, 100, 128)]
    assert reordered_runs(pieces, 20) == [[0, 1, 2]]


def test_pieces_in_order_far_apart_or_scattered_are_not_grouped():
    from dedupe.match.align import reordered_runs

    in_order = [_box(0, 20, 100, 120), _box(25, 40, 125, 140)]
    far_in_first = [_box(0, 20, 120, 140), _box(200, 220, 100, 120)]
    scattered_in_second = [_box(0, 20, 500, 520), _box(22, 40, 100, 120)]
    for boxes in (in_order, far_in_first, scattered_in_second):
        assert reordered_runs(boxes, 20) == []
