"""Smoke tests of the pure helpers of ``benchmarks/throughput.py`` (no scan is run)."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parent.parent / "benchmarks" / "throughput.py"


def _load():
    spec = importlib.util.spec_from_file_location("throughput_bench", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses and worker processes look it up
    spec.loader.exec_module(module)
    return module


tp = _load()


@pytest.mark.parametrize(
    ("text", "size"),
    [("10MB", 10**7), ("1GB", 10**9), ("500kb", 5 * 10**5), ("1.5 MB", 1_500_000),
     ("2MiB", 2 * 2**20), ("123", 123), ("7B", 7)],
)  # fmt: skip
def test_parse_size(text, size):
    assert tp.parse_size(text) == size


@pytest.mark.parametrize("text", ["", "MB", "10TB", "-1MB", "0", "ten"])
def test_parse_size_refuses(text):
    with pytest.raises(ValueError):
        tp.parse_size(text)


def test_format_size():
    assert [tp.format_size(s) for s in (10**7, 10**9, 1_500_000, 500)] == [
        "10MB", "1GB", "1.5MB", "500B"
    ]  # fmt: skip


def test_parse_stages_and_passages():
    stderr = (
        "stage read: 0.25 s\nread 5 documents\n  stage verbatim: 1.5 s\n"
        "stage sign content : 2 s\nstage read: 0.75 s\n5 documents scanned, 0 skipped, "
        "14 reused passages\n"
    )
    assert tp.parse_stages(stderr) == {"read": 1.0, "verbatim": 1.5, "sign content": 2.0}
    assert tp.parse_passages(stderr) == 14
    assert tp.parse_stages("no timings\n") == {}
    assert tp.parse_passages("") is None


def test_plan_is_deterministic_and_plants_five_percent():
    plan = tp.plan_corpus(3, 2_000_000)
    assert plan == tp.plan_corpus(3, 2_000_000)
    assert plan != tp.plan_corpus(4, 2_000_000)
    assert len(plan.plants) == round(0.05 * len(plan.words))
    assert all(p.source != copy for copy, p in plan.plants.items())


def test_planted_paragraph_is_copied():
    plan = tp.plan_corpus(1, 300_000)
    copy, plant = next(iter(plan.plants.items()))
    source = set(tp._paragraphs(tp.document_text(plan, plant.source)))
    assert source & set(tp._paragraphs(tp.document_text(plan, copy)))


def test_corpus_is_byte_identical_whatever_the_jobs(tmp_path):
    plan = tp.plan_corpus(7, 150_000)
    one = tp.generate(tmp_path / "one", plan, 1)
    two = tp.generate(tmp_path / "two", plan, 2)
    assert one == two
    assert abs(one["bytes"] - 150_000) < 0.03 * 150_000
    files = tp.list_files(tmp_path / "one")
    assert len(files) == one["files"] and all(".throughput" not in f.name for f in files)
    for path in files:
        twin = tmp_path / "two" / path.relative_to(tmp_path / "one")
        assert path.read_bytes() == twin.read_bytes()


def test_kept_corpus_is_reused_and_checked(tmp_path):
    with tp.corpus(2, 60_000, 1, tmp_path, lambda _: None) as first:
        assert first.seconds is not None
    with tp.corpus(2, 60_000, 1, tmp_path, lambda _: None) as again:
        assert again.seconds is None and again.bytes == first.bytes
    assert not list(tmp_path.glob(".partial-*"))
    (first.root / tp.doc_path(0)).write_text("changed\n", encoding="utf-8")
    with pytest.raises(SystemExit, match="do not match"), tp.corpus(2, 60_000, 1, tmp_path, print):
        pass


def test_temporary_corpus_is_removed():
    with tp.corpus(0, 30_000, 1, None, lambda _: None) as found:
        root = found.root
        assert root.is_dir()
    assert not root.exists()


def test_baselines_count(tmp_path):
    tp.generate(tmp_path, tp.plan_corpus(0, 60_000), 1)
    floor = tp.run_baseline("floor", tmp_path, None)
    naive = tp.run_baseline("naive", tmp_path, 1)
    assert floor["shingles"] > 0 and floor["bytes"] > 50_000
    assert naive["files"] == 1 and naive["paragraphs"] > 0
    assert json.dumps(floor) and json.dumps(naive)
