"""Tests for the PAN text-alignment measures."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dedupe.evaluation.plagdet import as_detection, orient_to_cases, score, score_by_obfuscation
from dedupe.evaluation.synthetic import PlantedCase

CASE = PlantedCase("verbatim", "src.txt", 100, 200, "copy.txt", 1000, 1100)


def test_perfect_detection():
    result = score([CASE], [as_detection(CASE)])
    assert (result.precision, result.recall, result.granularity) == (1, 1, 1)
    assert result.plagdet == 1 and result.f1 == 1
    assert (result.cases, result.detections) == (1, 1)


def test_split_detection_has_granularity_two():
    halves = [
        ("copy.txt", 1000, 1050, "src.txt", 100, 150),
        ("copy.txt", 1050, 1100, "src.txt", 150, 200),
    ]
    result = score([CASE], halves)
    assert result.recall == 1 and result.precision == 1
    assert result.granularity == 2
    assert result.plagdet == pytest.approx(1 / math.log2(3))


def test_wrong_document_pair_scores_zero():
    result = score([CASE], [("copy.txt", 1000, 1100, "other.txt", 100, 200)])
    assert (result.precision, result.recall, result.plagdet) == (0, 0, 0)
    assert result.granularity == 1


def test_overlap_in_one_document_only_is_no_detection():
    result = score([CASE], [("copy.txt", 1000, 1100, "src.txt", 300, 400)])
    assert (result.precision, result.recall) == (0, 0)


def test_half_length_detection():
    result = score([CASE], [("copy.txt", 1000, 1050, "src.txt", 100, 150)])
    assert result.recall == 0.5 and result.precision == 1


def test_overshooting_detection_loses_precision():
    result = score([CASE], [("copy.txt", 900, 1100, "src.txt", 0, 200)])
    assert result.recall == 1 and result.precision == 0.5


def test_overlapping_detections_are_not_double_counted():
    dets = [
        ("copy.txt", 1000, 1080, "src.txt", 100, 180),
        ("copy.txt", 1020, 1100, "src.txt", 120, 200),
    ]
    result = score([CASE], dets)
    assert result.recall == 1 and result.granularity == 2


def test_pan_conventions_for_empty_inputs():
    assert score([], []).precision == 1 and score([], []).recall == 1
    nothing_found = score([CASE], [])
    assert (nothing_found.precision, nothing_found.recall, nothing_found.plagdet) == (0, 0, 0)
    assert score([], [as_detection(CASE)]).precision == 0


def test_empty_span_is_rejected():
    with pytest.raises(ValueError):
        score([CASE], [("copy.txt", 10, 10, "src.txt", 100, 200)])


def test_orient_swaps_reversed_detections():
    reversed_det = ("src.txt", 100, 200, "copy.txt", 1000, 1100)
    unrelated = ("a.txt", 0, 5, "b.txt", 0, 5)
    assert orient_to_cases([reversed_det, unrelated], [CASE]) == [as_detection(CASE), unrelated]


def test_score_by_obfuscation_attribution():
    light = PlantedCase("light", "src2.txt", 0, 100, "copy.txt", 0, 100)
    detections = [
        as_detection(CASE),
        ("copy.txt", 500, 600, "src2.txt", 500, 600),  # near miss on the light pair
        ("x.txt", 0, 10, "y.txt", 0, 10),  # unrelated pair: overall score only
    ]
    per_type = score_by_obfuscation([light, CASE], detections)
    assert list(per_type) == ["verbatim", "light"]
    assert per_type["verbatim"].precision == 1 and per_type["verbatim"].detections == 1
    assert per_type["light"].precision == 0 and per_type["light"].detections == 1
    assert score([light, CASE], detections).precision == pytest.approx(1 / 3)


DOCS = st.sampled_from(["a", "b", "c"])


@st.composite
def spans(draw):
    c0, s0 = draw(st.integers(0, 200)), draw(st.integers(0, 200))
    c_len, s_len = draw(st.integers(1, 80)), draw(st.integers(1, 80))
    return draw(DOCS), c0, c0 + c_len, draw(DOCS), s0, s0 + s_len


def to_case(span) -> PlantedCase:
    copy_path, c0, c1, source_path, s0, s1 = span
    return PlantedCase("verbatim", source_path, s0, s1, copy_path, c0, c1)


@settings(max_examples=200, deadline=None)
@given(st.lists(spans(), max_size=6), st.lists(spans(), max_size=8))
def test_measures_are_bounded(case_spans, detections):
    result = score([to_case(s) for s in case_spans], detections)
    assert 0 <= result.precision <= 1 and 0 <= result.recall <= 1
    assert 1 <= result.granularity <= max(1, len(detections))
    assert 0 <= result.plagdet <= result.f1 + 1e-12


@settings(max_examples=200, deadline=None)
@given(st.lists(spans(), max_size=6), st.lists(spans(), max_size=8))
def test_precision_is_recall_with_roles_swapped(case_spans, detections):
    forward = score([to_case(s) for s in case_spans], detections)
    backward = score([to_case(d) for d in detections], case_spans)
    assert forward.precision == pytest.approx(backward.recall)
    assert forward.recall == pytest.approx(backward.precision)


@settings(max_examples=100, deadline=None)
@given(st.lists(spans(), min_size=1, max_size=6))
def test_detecting_the_cases_themselves_gives_full_recall(case_spans):
    result = score([to_case(s) for s in case_spans], case_spans)
    assert result.recall == 1 and result.precision == 1
