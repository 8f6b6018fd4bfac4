"""Stage 7, provenance: direction, locations, clusters, excerpts."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dedupe.model import EXCERPT_CHARS, Facts, Location, Reuse, Side, excerpt, locate
from dedupe.provenance.orient import MTIME_SLACK, clusters, direction, orient

from .strategies import TEXT, make_document

# --- direction --------------------------------------------------------------------

DAY = 86400.0


def _mtimes(*args):
    return tuple(d.mtime for d in _docs(*args))


def _docs(mtime_a: float = 0.0, mtime_b: float = 0.0):
    return (make_document("a", "a.txt", mtime_a), make_document("b", "b.txt", mtime_b))


def test_dates_win_over_containment_and_mtime():
    early, late = date(2019, 12, 9), date(2019, 12, 11)
    # Document 0 is mostly contained in 1 and older on disk, yet its date is later.
    way = direction(_mtimes(0.0, 30 * DAY), (late, early), (0.9, 0.1))
    assert (way.source, way.basis) == (1, "date")
    assert way.evidence == "date: source dated 2019-12-09, copy dated 2019-12-11"
    way = direction(_mtimes(), (early, late), (0.9, 0.1))
    assert (way.source, way.basis) == (0, "date")


@pytest.mark.parametrize(
    "dates",
    [(None, None), (date(2020, 1, 1), None), (None, date(2020, 1, 1)), (date(2020, 1, 1),) * 2],
)
def test_containment_decides_when_dates_do_not(dates):
    # Document 1 is an excerpt: 80% of it is shared, 10% of document 0 is.
    way = direction(_mtimes(), dates, (0.1, 0.8))
    assert (way.source, way.basis) == (0, "containment")
    assert way.evidence.startswith("containment: 80% of the copy's file")
    assert "10% the other way" in way.evidence
    way = direction(_mtimes(), dates, (0.8, 0.1))
    assert (way.source, way.basis) == (1, "containment")


def test_containment_threshold_is_half():
    assert direction(_mtimes(), (None, None), (0.5, 0.49)).basis == "containment"
    assert direction(_mtimes(), (None, None), (0.49, 0.2)).basis == "unknown"


def test_mtime_only_when_more_than_a_day_apart():
    way = direction(_mtimes(10 * DAY, 8 * DAY), (None, None), (0.9, 0.9))
    assert (way.source, way.basis) == (1, "mtime")
    assert way.evidence.startswith("mtime:")
    way = direction(_mtimes(5 * DAY, 5 * DAY + MTIME_SLACK + 1), (None, None), (0.1, 0.1))
    assert (way.source, way.basis) == (0, "mtime")
    for apart in (0.0, 3600.0, MTIME_SLACK):
        way = direction(_mtimes(5 * DAY + apart, 5 * DAY), (None, None), (0.2, 0.2))
        assert (way.source, way.basis) == (0, "unknown")
        assert way.evidence.startswith("unknown:")


# --- locate -----------------------------------------------------------------------


def test_locate_gives_inclusive_lines_and_the_char_span():
    text = "first line\nsecond line\n\nfourth line has the end\n"
    doc = make_document(text, "d.txt")
    start, end = text.index("second"), text.index(" has")
    assert locate(doc, start, end) == Location("d.txt", 2, 4, start, end)
    # A span ending just before a newline stays on its line.
    end_of_second = text.index("\n", start)
    assert locate(doc, start, end_of_second).end_line == 2


@given(text=TEXT, data=st.data())
def test_locate_lines_agree_with_counting_newlines(text, data):
    if not text:
        return
    start = data.draw(st.integers(0, len(text) - 1))
    end = data.draw(st.integers(start + 1, len(text)))
    loc = locate(make_document(text), start, end)
    assert loc.start_line == text.count("\n", 0, start) + 1
    assert loc.end_line == text.count("\n", 0, end - 1) + 1
    assert (loc.start_char, loc.end_char) == (start, end)


# --- clusters ---------------------------------------------------------------------


def _loc(path: str, start: int, end: int) -> Location:
    return Location(path, 1, 1, start, end)


def test_pairs_overlapping_in_a_file_share_a_cluster():
    spans = [
        (_loc("a", 0, 100), _loc("b", 0, 100)),
        (_loc("c", 0, 50), _loc("d", 0, 50)),  # unrelated to the others
        (_loc("e", 500, 600), _loc("a", 90, 200)),  # overlaps the first pair in a
        (_loc("e", 550, 560), _loc("f", 0, 10)),  # overlaps the third in e
    ]
    assert clusters(spans) == [1, 2, 1, 1]


def test_touching_or_disjoint_spans_stay_apart():
    spans = [
        (_loc("a", 0, 100), _loc("b", 0, 100)),
        (_loc("a", 100, 200), _loc("c", 0, 100)),  # touches at 100: no shared char
        (_loc("b", 300, 400), _loc("c", 200, 300)),
    ]
    assert clusters(spans) == [1, 2, 3]


def test_same_offsets_in_different_files_do_not_join():
    spans = [(_loc("a", 0, 10), _loc("b", 0, 10)), (_loc("c", 0, 10), _loc("d", 0, 10))]
    assert clusters(spans) == [1, 2]


def test_a_long_span_joins_everything_it_overlaps():
    spans = [
        (_loc("a", 0, 10), _loc("x", 0, 1)),
        (_loc("a", 20, 30), _loc("y", 0, 1)),
        (_loc("a", 5, 25), _loc("z", 0, 1)),  # bridges the first two
    ]
    assert clusters(spans) == [1, 1, 1]
    assert clusters([]) == []


@given(
    st.lists(
        st.tuples(st.sampled_from("abc"), st.integers(0, 50), st.integers(1, 20)),
        min_size=2,
        max_size=12,
    )
)
def test_clusters_match_a_brute_force_grouping(items):
    spans = [(_loc(p, s, s + n), _loc(f"other{k}", 0, 1)) for k, (p, s, n) in enumerate(items)]
    numbers = clusters(spans)
    # Brute force: connected components of "shares a character in the same file".
    group = list(range(len(spans)))
    for _ in spans:
        for i, (x, _) in enumerate(spans):
            for j, (y, _) in enumerate(spans):
                if x.path == y.path and x.start_char < y.end_char and y.start_char < x.end_char:
                    group[i] = group[j] = min(group[i], group[j])
    for i in range(len(spans)):
        for j in range(len(spans)):
            assert (numbers[i] == numbers[j]) == (group[i] == group[j])
    # Numbered from 1 in order of first appearance.
    first_seen = list(dict.fromkeys(numbers))
    assert first_seen == list(range(1, len(first_seen) + 1))


# --- excerpt ----------------------------------------------------------------------


def test_excerpt_short_text_is_flattened_only():
    assert excerpt("  Two\nlines\t here ") == "Two lines here"


def test_excerpt_cuts_at_a_word_boundary_with_an_ellipsis():
    text = (
        "Yomiuri Shimbun: Recently, it was reported that the United States House of\n"
        "Representatives passed the bill."
    )
    # Character 60 falls inside "States": the cut goes back to the space before it.
    assert excerpt(text) == "Yomiuri Shimbun: Recently, it was reported that the United\u2026"


def test_excerpt_keeps_a_last_word_that_fits_exactly():
    text = "Xinjiang, especially southern Xinjiang, is a neighborhood of the region " * 3
    assert len("Xinjiang, especially southern Xinjiang, is a neighborhood of") == EXCERPT_CHARS
    assert excerpt(text) == "Xinjiang, especially southern Xinjiang, is a neighborhood of\u2026"


@given(text=st.text(alphabet=st.sampled_from("ab \n\t"), max_size=200), limit=st.integers(5, 80))
def test_excerpt_is_a_prefix_of_the_flattened_text(text, limit):
    flat = " ".join(text.split())
    result = excerpt(text, limit)
    if len(flat) <= limit:
        assert result == flat
    else:
        assert result.endswith("\u2026")
        body = result[:-1]
        assert len(body) <= limit and flat.startswith(body)
        # Cut between words, unless the first word alone is over the limit.
        assert flat[len(body)] == " " or " " not in flat[:limit]


def test_a_pair_without_evidence_is_listed_in_path_order_whichever_side_came_first():
    def side(path: str) -> Side:
        return Side(_loc(path, 0, 50), 0, 10, "text")

    facts = {p: Facts(100, None, 0.0) for p in ("a.txt", "b.txt")}
    for first, second in (("a.txt", "b.txt"), ("b.txt", "a.txt")):
        (passage,) = orient([Reuse(side(first), side(second), "verbatim", 1.0)], facts)
        assert (passage.source.path, passage.copy.path) == ("a.txt", "b.txt")
        assert passage.evidence.startswith("unknown:")
