"""The recall benchmark (``benchmarks/recall.py``) on a small generated corpus: the exact
pair finder against verification and a direct recomputation, and the summary."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import numpy as np
import pytest

from dedupe.match.verify import idf_weights, verify, verify_weighted
from dedupe.parameters import CONTENT, VERBATIM, Parameters
from dedupe.pipeline.executors import Local
from dedupe.text.shingle import SetTable

SCRIPT = Path(__file__).resolve().parent.parent / "benchmarks" / "recall.py"


def _load():
    spec = importlib.util.spec_from_file_location("recall_bench", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses and worker processes look it up
    spec.loader.exec_module(module)
    return module


rb = _load()
PARAMS = Parameters()


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    root = tmp_path_factory.mktemp("recall") / "corpus"
    rb.throughput.generate(root, rb.throughput.plan_corpus(5, 300_000), 1)
    paths = [str(root)]
    with Local() as executor:
        lsh = rb.run_scan("lsh", paths, PARAMS, rb.Recorded(), executor, lambda _: None)
        exact = rb.run_scan("exact", paths, PARAMS, rb.ExactPairs(), executor, lambda _: None)
    return root, lsh, exact


def _set(pairs) -> set[tuple[int, int]]:
    return {(int(a), int(b)) for a, b in np.asarray(pairs).reshape(-1, 2)}


def test_exact_pairs_are_well_formed(runs):
    _, lsh, exact = runs
    assert np.array_equal(lsh.finder.ranges, exact.finder.ranges)
    docs = exact.finder.ranges[:, 0]
    for family in PARAMS.families():
        pairs = exact.finder.pairs[family]
        assert pairs.dtype == np.int64 and pairs.ndim == 2 and pairs.shape[1] == 2
        assert np.all(pairs[:, 0] < pairs[:, 1])
        assert np.all(docs[pairs[:, 0]] != docs[pairs[:, 1]])
        codes = (pairs[:, 0] << 32) | pairs[:, 1]
        assert np.all(np.diff(codes) > 0)  # sorted and distinct
        assert exact.finder.sharing[family] >= len(pairs)


def test_exact_sets_are_those_verification_uses(runs):
    _, lsh, exact = runs
    content = exact.finder.sets[CONTENT]
    assert np.array_equal(content.offsets, lsh.finder.content.offsets)
    assert np.array_equal(content.values, lsh.finder.content.values)
    assert len(exact.finder.sets[VERBATIM]) == len(exact.finder.ranges)


def test_exact_pairs_hold_every_verified_lsh_candidate(runs):
    _, lsh, exact = runs
    sets, weights = exact.finder.sets, exact.finder.weights
    verbatim = verify(lsh.finder.pairs[VERBATIM], sets[VERBATIM], PARAMS.candidate_threshold)
    content = verify_weighted(
        lsh.finder.pairs[CONTENT], sets[CONTENT], weights, PARAMS.paraphrase_window_threshold
    )
    assert verbatim, "the planted paragraphs give verbatim candidates"
    assert {(m.a, m.b) for m in verbatim} <= _set(exact.finder.pairs[VERBATIM])
    assert {(m.a, m.b) for m in content} <= _set(exact.finder.pairs[CONTENT])


def _verbatim_similarity(a: np.ndarray, b: np.ndarray) -> float:
    shared = len(np.intersect1d(a, b))
    return max(shared / len(np.union1d(a, b)), shared / min(len(a), len(b)))


def _content_similarity(a: np.ndarray, b: np.ndarray, weights) -> float:
    total = weights.of(np.union1d(a, b)).sum()
    return weights.of(np.intersect1d(a, b)).sum() / total if total > 0 else 0.0


def test_exact_pairs_are_the_pairs_reaching_the_threshold(runs):
    """Every exact pair reaches the threshold, recomputed directly; and every pair of a
    segment of a document with planted reuse and any segment of another document is
    an exact pair exactly when it reaches the threshold."""
    _, _, exact = runs
    sets, weights = exact.finder.sets, exact.finder.weights
    docs = exact.finder.ranges[:, 0]
    thresholds = {VERBATIM: PARAMS.candidate_threshold, CONTENT: PARAMS.paraphrase_window_threshold}
    planted_doc = docs[exact.finder.pairs[VERBATIM][0, 0]]
    for family, threshold in thresholds.items():
        pairs, table = exact.finder.pairs[family], sets[family]
        assert len(pairs), family

        def measure(i: int, j: int, family=family, table=table) -> float:
            if family == VERBATIM:
                return _verbatim_similarity(table[i], table[j])
            return _content_similarity(table[i], table[j], weights)

        for i, j in pairs.tolist():
            assert measure(i, j) >= threshold - 1e-9
        found = _set(pairs)
        for i in np.flatnonzero(docs == planted_doc).tolist():
            for j in np.flatnonzero(docs != planted_doc).tolist():
                if not len(table[i]) or not len(table[j]):
                    continue
                pair = (min(i, j), max(i, j))
                assert (pair in found) == (measure(i, j) >= threshold), (family, pair)


@pytest.mark.parametrize("weighted", [False, True])
def test_all_pairs_is_brute_force_all_pairs(weighted):
    """On random sets (one shingle in most of them, so it weighs nothing), in chunks of
    a few rows: the pairs of different documents at the threshold, and only those."""
    rng = np.random.default_rng(3)
    sets = []
    for _ in range(150):
        values = rng.integers(1, 40, size=rng.integers(0, 12)).tolist()
        sets.append(np.unique(values + [0] * (rng.random() < 0.7)).astype(np.uint32))
    table, docs = SetTable.of(sets), rng.integers(0, 40, size=len(sets))
    weights = idf_weights(table) if weighted else None
    threshold = 0.2 if weighted else 0.3
    found = rb.all_pairs(table, docs, weights, threshold, not weighted, budget=40)
    expected = set()
    for i in range(len(sets)):
        for j in range(i + 1, len(sets)):
            if docs[i] == docs[j] or not len(sets[i]) or not len(sets[j]):
                continue
            if weighted:
                similarity = _content_similarity(sets[i], sets[j], weights)
            else:
                similarity = _verbatim_similarity(sets[i], sets[j])
            if similarity >= threshold - rb.SLACK:  # all_pairs leaves the rest to verify
                expected.add((i, j))
    assert expected and _set(found.pairs) == expected
    assert found.sharing >= len(expected)


def test_summary_reports_recall_and_planted_reuse(runs):
    root, lsh, exact = runs
    summary = rb.compare(lsh, exact, root, PARAMS)
    json.dumps(summary)
    assert 0.0 <= summary["recall"] <= 1.0 and 0.0 <= summary["precision"] <= 1.0
    assert summary["exact_passages"] == len(exact.result.passages) > 0
    assert summary["found"] == summary["exact_passages"] - len(summary["missed"])
    assert summary["planted"] >= 1
    for run in summary["runs"].values():
        assert run["planted_linked"] == summary["planted"]
    for family, pairs in summary["pairs"].items():
        assert pairs["lsh_candidates"] == len(lsh.finder.pairs[family])
        assert pairs["lsh_verified"] <= min(pairs["lsh_candidates"], pairs["exact"])
        assert 0.0 <= pairs["pair_recall"] <= 1.0
    text = rb.render(summary)
    assert "recall" in text and "acceptance" in text


def test_passage_matching_needs_half_of_each_side():
    from dedupe.model import Location, Passage

    def passage(a: tuple[int, int], b: tuple[int, int], paths=("x", "y")) -> Passage:
        source = Location(paths[0], 1, 1, *a)
        copy = Location(paths[1], 1, 1, *b)
        return Passage(1, "verbatim", 1.0, 10, "", source, copy, "")

    exact = passage((0, 100), (200, 300))
    assert rb.covers(exact, exact)
    assert rb.covers(passage((50, 150), (150, 250)), exact)  # exactly half on each side
    assert not rb.covers(passage((51, 150), (150, 250)), exact)
    assert not rb.covers(passage((0, 100), (200, 300), ("x", "z")), exact)
    assert rb.covers(passage((200, 300), (0, 100), ("y", "x")), exact)  # other orientation
    assert rb.matched([exact], [passage((60, 100), (200, 300))]) == [False]
