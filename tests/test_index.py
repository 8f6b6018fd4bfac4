"""The persistent index: incremental adds, what it refuses, its commands, and its
reliability under SIGKILL and concurrent writers (scans and queries through it are in
test_indexed)."""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from dedupe.cli import main
from dedupe.errors import DamagedIndex, IndexMismatch, NotAnIndex
from dedupe.evaluation.language import generate_text
from dedupe.parameters import Parameters
from dedupe.pipeline.executors import Local
from dedupe.pipeline.indexed import add_files
from dedupe.store.index import BATCH_FILES, Index, open_index
from dedupe.store.schema import VERSION

from .conftest import CORPUS
from .strategies import write_docs


def contents(index_path: Path) -> dict:
    """What an index holds, independent of row ids and timestamps."""
    db = sqlite3.connect(index_path)
    try:
        docs = sorted(db.execute("SELECT path, digest, words FROM documents"))
        segments = sorted(
            db.execute(
                "SELECT d.path, s.start, s.end, s.ngram_keys, s.content_keys, s.ngram_bands, "
                "s.content_bands FROM segments s JOIN documents d ON d.id = s.doc_id"
            )
        )
        df = sorted(db.execute("SELECT key, df FROM content_df"))
    finally:
        db.close()
    return {"documents": docs, "segments": segments, "df": df}


def integrity(index_path: Path) -> str:
    db = sqlite3.connect(index_path)
    try:
        return db.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        db.close()


def test_adding_one_file_to_an_index_signs_only_that_file(tmp_path):
    docs = write_docs(tmp_path / "collection", 6)
    with Index(str(tmp_path / "i.sqlite"), Parameters()) as index:
        first = index.add([str(tmp_path / "collection")])
        assert sorted(first.signed) == sorted(str(p) for p in docs)
        write_docs(tmp_path / "elsewhere", 1, seed=100)[0].rename(
            tmp_path / "collection" / "new.txt"
        )
        second = index.add([str(tmp_path / "collection")])
    assert second.signed == [str(tmp_path / "collection" / "new.txt")]
    assert second.unchanged == 6


def test_a_changed_file_is_reindexed_and_a_touched_one_is_not(tmp_path):
    docs = write_docs(tmp_path / "c", 3)
    with Index(str(tmp_path / "i.sqlite"), Parameters()) as index:
        index.add([str(tmp_path / "c")])
        os.utime(docs[0], (1, 1))
        docs[1].write_text(generate_text(np.random.default_rng(55), 500))
        again = index.add([str(tmp_path / "c")])
        assert again.signed == [str(docs[1])]
        assert {s.state for s in index.status()} == {"indexed"}
        docs[2].unlink()
        assert [s.state for s in index.status()] == ["indexed", "indexed", "vanished"]
        assert index.prune() == [str(docs[2].resolve())]
        assert len(index.paths()) == 2


def test_other_parameters_and_foreign_files_are_refused(tmp_path):
    path = tmp_path / "i.sqlite"
    Index(str(path), Parameters()).close()
    with pytest.raises(IndexMismatch, match="num_perm 128 \\(asked 64\\)") as refused:
        open_index(str(path), {"num_perm": 64})
    assert refused.value.settings == ("num_perm",)
    runner = CliRunner()
    add = ["index", "add", str(CORPUS), "--index", str(path), "--num-perm", "64"]
    other = runner.invoke(main, add)
    assert other.exit_code == 2 and "--num-perm 128 (asked 64)" in other.stderr
    with open_index(str(path), {"num_perm": None}) as index:
        assert index.params.num_perm == 128
    foreign = tmp_path / "notes.txt"
    foreign.write_text("not a database at all\n" * 100)
    other_sqlite = tmp_path / "other.db"
    sqlite3.connect(other_sqlite).execute("CREATE TABLE t (x)").connection.close()
    for bad in (foreign, other_sqlite, tmp_path):
        with pytest.raises(NotAnIndex):
            open_index(str(bad), {}, create=False)
    for bad in (foreign, other_sqlite):
        result = runner.invoke(main, ["index", "status", "--index", str(bad)])
        assert result.exit_code == 2
        assert result.stderr.count("\n") == 1 and "not a dedupe index" in result.stderr
        assert "rebuild" not in result.stderr  # never advice to remove a file not ours
        assert "Traceback" not in result.output + result.stderr
    damaged = tmp_path / "damaged.sqlite"
    damaged.write_bytes(path.read_bytes()[:100] + b"\xff" * 8192)
    with pytest.raises(DamagedIndex):
        open_index(str(damaged), {}, create=False)
    result = runner.invoke(main, ["index", "status", "--index", str(damaged)])
    assert result.exit_code == 2 and "rebuild it: remove the file" in result.stderr


def _add_process(folder: Path, index: Path, tmp: Path | None = None) -> subprocess.Popen:
    """``dedupe index add`` of ``folder`` into ``index``, started; ``tmp`` its ``TMPDIR``."""
    env = os.environ | ({"TMPDIR": str(tmp)} if tmp else {})
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "dedupe",
            "index",
            "add",
            str(folder),
            "--index",
            str(index),
            "--quiet",
        ],  # fmt: skip
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=env,
    )


def indexed_count(index_path: Path) -> int:
    if not index_path.exists():
        return 0
    db = sqlite3.connect(index_path, timeout=30)
    try:
        return db.execute("SELECT COUNT(*) FROM documents").fetchone()[0]
    except sqlite3.OperationalError:  # the schema is not there yet
        return 0
    finally:
        db.close()


def test_an_index_of_another_format_version_is_refused_with_what_to_do(tmp_path):
    path = tmp_path / "i.sqlite"
    Index(str(path), Parameters()).close()
    db = sqlite3.connect(path)
    db.execute("UPDATE meta SET value = '3' WHERE key = 'version'")
    db.commit()
    db.close()
    result = CliRunner().invoke(main, ["scan", str(CORPUS), "--index", str(path)])
    assert result.exit_code == 2 and result.stderr.count("\n") == 1
    assert f"is a version 3 index; this dedupe reads version {VERSION}" in result.stderr
    assert "remove the file and index the collection again" in result.stderr


def test_signing_in_worker_processes_writes_what_signing_in_this_one_does(tmp_path):
    folder = tmp_path / "collection"
    write_docs(folder, BATCH_FILES + 9, words=300)  # more than one batch, several runs
    (folder / "notes.warc").write_text("WARC/1.0\n")  # skipped, as in this process
    with Index(str(tmp_path / "here.sqlite"), Parameters()) as here:
        serial = here.add([str(folder)])
    with Index(str(tmp_path / "workers.sqlite"), Parameters()) as there, Local(2) as local:
        parallel = add_files([str(folder)], there, executor=local)
    assert parallel == serial and len(parallel.signed) == BATCH_FILES + 9
    assert [s.path for s in parallel.skipped] == [str(folder / "notes.warc")]
    assert contents(tmp_path / "workers.sqlite") == contents(tmp_path / "here.sqlite")


def test_index_survives_sigkill_and_completes_like_an_uninterrupted_run(tmp_path):
    folder = tmp_path / "collection"
    count = 4 * BATCH_FILES - 5  # several batches, the last one short
    write_docs(folder, count, words=400)
    reference = tmp_path / "reference.sqlite"
    assert _add_process(folder, reference).wait() == 0
    index = tmp_path / "killed.sqlite"
    tmp = tmp_path / "tmp"  # the killed runs' TMPDIR: nothing may be left in it
    tmp.mkdir()
    rng = random.Random(2)
    # Ten kills at random points of the runs: each once the index holds a random number
    # of documents, so that it lands while later files are signed or written (or, once
    # the index holds that many, while the run starts), after a further random delay.
    held_after_kills = []
    for target in sorted(rng.sample(range(1, count), 10)):
        process = _add_process(folder, index, tmp)
        deadline = time.monotonic() + 60
        while indexed_count(index) < target and process.poll() is None:
            assert time.monotonic() < deadline, "index add made no progress"
            time.sleep(0.005)
        time.sleep(rng.uniform(0, 0.02))
        process.send_signal(signal.SIGKILL)
        process.wait()
        assert integrity(index) == "ok"
        with Index(str(index), Parameters()) as opened:
            held_after_kills.append(len(opened.paths()))
    assert any(0 < held < count for held in held_after_kills), held_after_kills
    assert list(tmp.iterdir()) == []
    assert _add_process(folder, index).wait() == 0
    assert integrity(index) == "ok"
    assert contents(index) == contents(reference)


def test_two_concurrent_adds_both_finish_and_lose_nothing(tmp_path):
    first, second = tmp_path / "a", tmp_path / "b"
    write_docs(first, 12, words=1500, seed=0)
    write_docs(second, 12, words=1500, seed=500)
    index = tmp_path / "shared.sqlite"
    processes = [_add_process(first, index), _add_process(second, index)]
    errors = [p.communicate()[1].decode() for p in processes]
    assert [p.returncode for p in processes] == [0, 0], errors
    held = contents(index)
    assert len(held["documents"]) == 24
    reference = tmp_path / "reference.sqlite"
    with Index(str(reference), Parameters()) as serial:
        serial.add([str(first), str(second)])
    assert held == contents(reference)


def test_cli_index_add_status_query_and_scan(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    docs = write_docs(Path("collection"), 3)
    runner = CliRunner()
    added = runner.invoke(main, ["index", "add", "collection"])
    assert added.exit_code == 0, added.stderr
    assert added.stdout.count("signed") == 3
    assert Path(".dedupe/index.sqlite").is_file()
    assert runner.invoke(main, ["index", "add", "collection"]).stdout == ""
    status = json.loads(runner.invoke(main, ["index", "status", "--format", "json"]).stdout)
    assert [s["state"] for s in status] == ["indexed"] * 3
    Path("accession.txt").write_text(docs[1].read_text().split("\n\n")[1] + "\n")
    queried = runner.invoke(
        main, ["query", "accession.txt", "--index", ".dedupe/index.sqlite", "--format", "json"]
    )
    assert queried.exit_code == 0, queried.stderr
    passages = json.loads(queried.stdout)["passages"]
    assert len(passages) == 1 and passages[0]["kind"] == "verbatim"
    assert {passages[0]["source"]["path"], passages[0]["copy"]["path"]} == {
        str(docs[1].resolve()),
        "accession.txt",
    }
    missing = runner.invoke(main, ["query", "accession.txt", "--index", "nowhere.sqlite"])
    assert missing.exit_code == 2
    assert "no index at nowhere.sqlite (create it with: dedupe index add PATH)" in missing.stderr


def test_duplicates_of_an_indexed_collection(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    docs = write_docs(Path("collection"), 3, words=800)
    Path("collection/copy.txt").write_bytes(docs[2].read_bytes())
    runner = CliRunner()
    assert runner.invoke(main, ["index", "add", "collection"]).exit_code == 0
    result = runner.invoke(
        main,
        [
            "duplicates",
            "--index",
            ".dedupe/index.sqlite",
            "--keep",
            "path",
            "--format",
            "json",
        ],  # fmt: skip
    )
    assert result.exit_code == 0, result.stderr
    groups = json.loads(result.stdout)["groups"]
    assert len(groups) == 1
    assert groups[0]["representative"]["path"] == str(Path("collection/copy.txt").resolve())
    assert [(m["path"], m["relation"]) for m in groups[0]["members"]] == [
        (str(docs[2].resolve()), "exact")
    ]
