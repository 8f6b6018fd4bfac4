"""Scale-out: --jobs worker processes and the Dask executor give the same report as a
run in one process; their bad uses are one error line."""

from __future__ import annotations

import json
import operator
import os
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

import dedupe.pipeline.cluster
import dedupe.pipeline.scan
from dedupe.cli import main
from dedupe.errors import DedupeError
from dedupe.evaluation.synthetic import generate_corpus
from dedupe.parameters import Parameters
from dedupe.pipeline.cluster import dask_executor
from dedupe.pipeline.executors import Local
from dedupe.pipeline.scan import scan
from dedupe.report.tables import render

pytest.importorskip("distributed")

CORPUS = Path(__file__).resolve().parent.parent / "corpus"


@pytest.fixture(scope="module")
def dask():
    """One LocalCluster of two worker processes for the module."""
    with dask_executor("local:2") as executor:
        yield executor


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory) -> Path:
    """200 short documents, 20 of them with a passage planted from another."""
    root = tmp_path_factory.mktemp("synthetic")
    generate_corpus(
        root,
        seed=11,
        n_docs=200,
        cases_per_obfuscation=4,
        doc_words=(120, 250),
        passage_words=(40, 100),
    )
    (root / "truth.json").unlink()
    return root


@pytest.fixture
def small_tasks(monkeypatch) -> dict[str, list[int]]:
    """Small partitions and alignment groups, so there are many of each; the number of
    each in every scan is recorded."""
    monkeypatch.setattr(dedupe.pipeline.scan, "PARTITION_BYTES", 20_000)
    monkeypatch.setattr(dedupe.pipeline.scan, "GROUP_DOCUMENTS", 8)
    counts: dict[str, list[int]] = {"partitions": [], "groups": []}
    for name in counts:
        original = getattr(dedupe.pipeline.scan, name)

        def recording(*args, _name=name, _original=original):
            tasks = _original(*args)
            counts[_name].append(len(tasks))
            return tasks

        monkeypatch.setattr(dedupe.pipeline.scan, name, recording)
    return counts


def _json(paths: list[str], executor) -> str:
    return render(scan(paths, Parameters(), executor=executor), "json")


def _run(*args: str):
    return CliRunner().invoke(main, list(args))


def _one_error_line(result) -> str:
    assert result.exit_code == 2, result.stderr
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("dedupe: error: ")
    assert "Traceback" not in result.stderr
    return lines[0]


# ------------------------------------------------------------------------------ Dask


def test_dask_counts_the_cluster_workers_and_keeps_item_order(dask):
    assert dask.workers == 2
    # more items than the window of tasks submitted ahead (AHEAD per worker)
    items = list(range(10 * dedupe.pipeline.cluster.AHEAD * dask.workers))
    assert list(dask.map(operator.add, items, 1000)) == [1000 + i for i in items]
    assert list(dask.map(abs, [-3])) == [3]
    assert list(dask.map(operator.add, [], 1)) == []


def test_dask_matches_local_on_the_sample_corpus(dask):
    with Local() as local:
        expected = _json([str(CORPUS)], local)
    assert _json([str(CORPUS)], dask) == expected
    assert json.loads(expected)["passages"]


def test_dask_matches_local_on_many_partitions_and_groups(dask, synthetic, small_tasks):
    with Local(2) as local:
        expected = _json([str(synthetic)], local)
    assert _json([str(synthetic)], dask) == expected
    assert json.loads(expected)["passages"]
    assert len(set(small_tasks["partitions"])) == 1 and small_tasks["partitions"][0] > 1
    assert len(set(small_tasks["groups"])) == 1 and small_tasks["groups"][0] > 1


def test_cli_dask_local_gives_the_same_json(tmp_path):
    local = _run("scan", str(CORPUS), "--format", "json", "--quiet")
    on_dask = _run("scan", str(CORPUS), "--format", "json", "--quiet", "--dask", "local:2")
    assert local.exit_code == 0, local.stderr
    assert on_dask.exit_code == 0, on_dask.stderr
    assert on_dask.stdout == local.stdout
    assert on_dask.stderr == ""


def test_relative_paths_must_mean_the_same_on_the_workers(dask, tmp_path, monkeypatch):
    dask.check_paths(["corpus", str(CORPUS)])  # the local workers run in this folder too
    monkeypatch.chdir(tmp_path)
    with pytest.raises(DedupeError, match="corpus is a relative path, .* give absolute paths"):
        dask.check_paths([str(CORPUS), "corpus"])
    dask.check_paths([str(CORPUS)])


class FakeClient:
    def __init__(self, versions: dict):
        self.versions = versions

    def wait_for_workers(self, n, timeout):
        pass

    def run(self, fn, *args, **kwargs):
        return self.versions


def test_workers_without_this_dedupe_are_refused():
    missing = FakeClient({"tcp://w:1": dedupe.__version__, "tcp://w:2": ImportError("x")})
    with pytest.raises(DedupeError, match="not installed on the Dask worker tcp://w:2"):
        dedupe.pipeline.cluster._check_workers(missing, "tcp://s:8786")
    other = FakeClient({"tcp://w:1": "0.0.1"})
    with pytest.raises(DedupeError, match="tcp://w:1 has dedupe 0.0.1"):
        dedupe.pipeline.cluster._check_workers(other, "tcp://s:8786")
    dedupe.pipeline.cluster._check_workers(FakeClient({"tcp://w:1": dedupe.__version__}), "s")


# ------------------------------------------------------------------------------ --jobs


PIDS: list[str] = []  # where _recording_sketch writes the ids of its processes


def _recording_sketch(part, params, store):
    Path(PIDS[0], str(os.getpid())).touch()
    time.sleep(0.02)
    return SKETCH_FILES(part, params, store)


SKETCH_FILES = dedupe.pipeline.scan.sketch_files


def test_jobs_1_and_2_give_the_same_json(synthetic, small_tasks, tmp_path, monkeypatch):
    monkeypatch.setattr(dedupe.pipeline.scan, "sketch_files", _recording_sketch)
    outputs, processes = [], []
    for jobs in ("1", "2"):
        folder = tmp_path / f"pids-{jobs}"
        folder.mkdir()
        monkeypatch.setattr(sys.modules[__name__], "PIDS", [str(folder)])
        result = _run("scan", str(synthetic), "--format", "json", "--quiet", "--jobs", jobs)
        assert result.exit_code == 0, result.stderr
        outputs.append(result.stdout)
        processes.append({int(p.name) for p in folder.iterdir()})
    assert outputs[0] == outputs[1]
    assert json.loads(outputs[0])["passages"]
    assert small_tasks["partitions"][0] > 1
    assert processes[0] == {os.getpid()}
    assert len(processes[1]) == 2 and os.getpid() not in processes[1]


# ------------------------------------------------------------------------------ errors


@pytest.mark.parametrize(
    ("args", "mentions"),
    [
        (["--jobs", "0"], "--jobs"),
        (["--jobs", "-3"], "--jobs"),
        (["--dask", "local:0"], "local:N"),
        (["--dask", "local:x"], "local:N"),
        (["--dask", "nowhere"], "scheduler address"),
        (["--dask", "local:2", "--jobs", "2"], "--jobs and --dask"),
    ],
)
def test_bad_jobs_and_dask_uses_are_one_error_line(args, mentions, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert mentions in _one_error_line(_run("scan", str(CORPUS), *args))
    assert not (tmp_path / "x.sqlite").exists()


def test_an_indexed_scan_on_two_workers_reports_what_a_plain_scan_does(tmp_path):
    plain = _run("scan", str(CORPUS), "--format", "json", "--quiet", "--jobs", "1")
    index = str(tmp_path / "x.sqlite")
    indexed = _run(
        "scan", str(CORPUS), "--format", "json", "--quiet", "--jobs", "2", "--index", index
    )
    assert plain.exit_code == indexed.exit_code == 0, indexed.stderr
    assert json.loads(indexed.stdout) == json.loads(plain.stdout)


def test_unreachable_scheduler_is_one_error_line(monkeypatch):
    monkeypatch.setattr(dedupe.pipeline.cluster, "CONNECT_TIMEOUT", 1)
    line = _one_error_line(_run("scan", str(CORPUS), "--dask", "tcp://127.0.0.1:1"))
    assert "cannot connect to the Dask scheduler at tcp://127.0.0.1:1" in line


def test_missing_dask_is_one_error_line_with_the_install_hint(monkeypatch):
    monkeypatch.setitem(sys.modules, "distributed", None)  # import fails
    line = _one_error_line(_run("scan", str(CORPUS), "--dask", "local:2"))
    assert "pip install 'dedupe-provenance[dask]'" in line
