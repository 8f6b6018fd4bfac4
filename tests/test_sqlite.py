"""Stage 8, report as an SQLite database (``--format sqlite -o FILE``)."""

from __future__ import annotations

import json
import os
import sqlite3
from dataclasses import asdict
from datetime import date
from pathlib import Path

import pytest

from dedupe.errors import DedupeError, InvalidParameter
from dedupe.model import DocumentInfo, Location, Passage, ScanResult
from dedupe.parameters import Parameters
from dedupe.pipeline.scan import scan
from dedupe.report import sqlite as sqlite_report
from dedupe.report.sqlite import (
    APPLICATION_ID,
    REUSES_OF_FILE_SQL,
    SCHEMA_VERSION,
    check_target,
    is_dedupe_report,
    write_sqlite,
)
from dedupe.report.tables import to_dict

from .strategies import prose

SHARED = prose(77, sentences=5, words=12)


def _passage(cluster, source, copy, kind="verbatim", boilerplate=False) -> Passage:
    return Passage(
        cluster=cluster,
        kind=kind,
        similarity=0.8123,
        words=42,
        evidence="date: source dated 2019-12-09, copy dated 2019-12-11",
        source=Location(*source),
        copy=Location(*copy),
        excerpt='He said "yes", then \u201cno\u201d\u2026',
        boilerplate=boilerplate,
    )


def _made() -> ScanResult:
    """Four documents (one undated, one with a non-ASCII name, one in no passage);
    cluster 1 spans three documents and is boilerplate, cluster 2 is one pair."""
    documents = [
        DocumentInfo("docs/a.txt", date(2019, 12, 9), 500, 40, "utf-8"),
        DocumentInfo("docs/b, with comma.txt", date(2019, 12, 11), 300, 20, "cp1252"),
        DocumentInfo("docs/éte\u0301.txt", None, 120, 9, "utf-16"),
        DocumentInfo("docs/alone.txt", None, 80, 5, "utf-8"),
    ]
    a, b, c = (d.path for d in documents[:3])
    passages = [
        _passage(1, (a, 1, 2, 0, 90), (b, 1, 2, 0, 90), boilerplate=True),
        _passage(1, (a, 1, 2, 0, 90), (c, 3, 4, 10, 100), boilerplate=True),
        _passage(2, (a, 10, 12, 500, 900), (b, 7, 8, 300, 700), kind="paraphrase"),
        _passage(1, (b, 1, 2, 0, 90), (c, 3, 4, 10, 100), kind="near", boilerplate=True),
    ]
    return ScanResult(Parameters(threshold=0.6, paraphrase_max_bucket=None), documents, passages)


@pytest.fixture(scope="module")
def scanned(tmp_path_factory) -> ScanResult:
    """A scan of three small files: b.txt copies a paragraph of a.txt; c.txt is alone."""
    root = tmp_path_factory.mktemp("sqlite") / "docs"
    root.mkdir()
    texts = {
        "a.txt": f"Briefing\n\nDec. 9, 2019\n\n{prose(10)}\n\n{SHARED}\n\n{prose(11)}\n",
        "b.txt": f"Digest\n\nDecember 11, 2019\n\n{prose(20)}\n\n{SHARED}\n",
        "c.txt": "Other\n\n" + "\n\n".join(prose(s) for s in range(30, 36)) + "\n",
    }
    for name, text in texts.items():
        (root / name).write_text(text, encoding="utf-8")
    return scan([str(root)], Parameters())


@pytest.fixture(params=["corpus", "scanned", "made", "empty"])
def result(request) -> ScanResult:
    if request.param == "corpus":
        return request.getfixturevalue("corpus_scan")
    if request.param == "scanned":
        return request.getfixturevalue("scanned")
    if request.param == "made":
        return _made()
    return ScanResult(Parameters(), [], [])


def _written(result: ScanResult, folder: Path) -> Path:
    out = folder / "out.db"
    write_sqlite(result, str(out))
    return out


def _query(db_path: Path, sql: str, params=()) -> list[tuple]:
    db = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        return db.execute(sql, params).fetchall()
    finally:
        db.close()


def _snapshot(path: Path) -> tuple[bytes, int]:
    return path.read_bytes(), path.stat().st_mtime_ns


# --- the tables hold the result -------------------------------------------------------


def test_corpus_scan_has_passages(corpus_scan, scanned):
    assert corpus_scan.passages and scanned.passages  # the cases below are not vacuous


def test_row_counts_match_the_result(result, tmp_path):
    out = _written(result, tmp_path)

    def count(table: str) -> int:
        return _query(out, f"SELECT count(*) FROM {table}")[0][0]

    assert count("documents") == len(result.documents)
    assert count("passages") == len(result.passages)
    assert count("clusters") == len({p.cluster for p in result.passages})
    assert count("parameters") == len(asdict(result.parameters))
    assert count("reuses") == len(result.passages)


def test_documents_are_the_json_documents(result, tmp_path):
    out = _written(result, tmp_path)
    rows = _query(out, "SELECT id, path, date, words, lines, encoding FROM documents ORDER BY id")
    assert [r[0] for r in rows] == list(range(1, len(rows) + 1))
    keys = ("path", "date", "words", "lines", "encoding")
    assert [dict(zip(keys, r[1:], strict=True)) for r in rows] == to_dict(result)["documents"]


def test_passages_resolve_through_the_foreign_keys(result, tmp_path):
    """Every passage, its source and copy joined back to their paths, is the JSON one."""
    out = _written(result, tmp_path)
    loc = ("start_line", "end_line", "start_char", "end_char")

    def side(name: str) -> str:
        return ", ".join(f"p.{name}_{k}" for k in loc)

    rows = _query(
        out,
        f"""SELECT p.id, p.cluster, p.kind, p.similarity, p.words, p.evidence, p.boilerplate,
                   s.path, {side("source")}, c.path, {side("copy")}, p.excerpt
            FROM passages AS p
            JOIN documents AS s ON s.id = p.source_document
            JOIN documents AS c ON c.id = p.copy_document
            ORDER BY p.id""",
    )
    assert [r[0] for r in rows] == list(range(1, len(result.passages) + 1))
    rebuilt = [
        {
            "cluster": r[1],
            "kind": r[2],
            "similarity": r[3],
            "words": r[4],
            "evidence": r[5],
            "boilerplate": bool(r[6]),
            "source": {"path": r[7], **dict(zip(loc, r[8:12], strict=True))},
            "copy": {"path": r[12], **dict(zip(loc, r[13:17], strict=True))},
            "excerpt": r[17],
        }
        for r in rows
    ]
    assert rebuilt == to_dict(result)["passages"]
    assert all(isinstance(r[6], int) and r[6] in (0, 1) for r in rows)


def test_clusters_count_passages_and_documents(result, tmp_path):
    out = _written(result, tmp_path)
    expected = {}
    for p in result.passages:
        count, paths, boilerplate = expected.get(p.cluster, (0, set(), False))
        paths = paths | {p.source.path, p.copy.path}
        expected[p.cluster] = (count + 1, paths, boilerplate or p.boilerplate)
    rows = _query(out, "SELECT id, passages, documents, boilerplate FROM clusters ORDER BY id")
    assert rows == [(k, n, len(paths), int(b)) for k, (n, paths, b) in sorted(expected.items())]


def test_clusters_of_the_made_result(tmp_path):
    out = _written(_made(), tmp_path)
    assert _query(out, "SELECT * FROM clusters ORDER BY id") == [(1, 3, 3, 1), (2, 1, 2, 0)]
    assert _query(out, "SELECT id, date FROM documents WHERE date IS NULL") == [
        (3, None),
        (4, None),
    ]


def test_parameters_are_json(result, tmp_path):
    out = _written(result, tmp_path)
    rows = _query(out, "SELECT name, value FROM parameters ORDER BY rowid")
    assert {name: json.loads(value) for name, value in rows} == asdict(result.parameters)
    assert [name for name, _ in rows] == list(asdict(result.parameters))


def test_a_passage_file_missing_from_documents_gets_a_row(tmp_path):
    made = _made()
    made.passages.append(_passage(3, ("docs/a.txt", 1, 1, 0, 5), ("docs/ghost.txt", 1, 1, 0, 5)))
    out = _written(made, tmp_path)
    assert _query(out, "SELECT * FROM documents WHERE path = 'docs/ghost.txt'") == [
        (5, "docs/ghost.txt", None, None, None, None)
    ]
    assert _query(out, "PRAGMA foreign_key_check") == []


# --- keys, indexes, the README query ---------------------------------------------------


def test_foreign_keys_are_declared_and_hold(result, tmp_path):
    out = _written(result, tmp_path)
    assert _query(out, "PRAGMA foreign_key_check") == []
    declared = {(r[3], r[2], r[4]) for r in _query(out, "PRAGMA foreign_key_list(passages)")}
    assert declared == {
        ("cluster", "clusters", "id"),
        ("source_document", "documents", "id"),
        ("copy_document", "documents", "id"),
    }
    for table, key in (("documents", "id"), ("passages", "id"), ("clusters", "id")):
        columns = _query(out, f"PRAGMA table_info({table})")
        assert [c[1] for c in columns if c[5]] == [key]
    assert [c[1] for c in _query(out, "PRAGMA table_info(parameters)") if c[5]] == ["name"]


def test_indexes_exist(tmp_path):
    out = _written(_made(), tmp_path)

    def indexed(table: str) -> dict[tuple[str, ...], bool]:
        return {
            tuple(c[2] for c in _query(out, f"PRAGMA index_info('{name}')")): bool(unique)
            for _, name, unique, *_ in _query(out, f"PRAGMA index_list({table})")
        }

    assert indexed("passages") == {
        ("source_document",): False,
        ("copy_document",): False,
        ("cluster",): False,
        ("kind",): False,
    }
    assert indexed("documents") == {("path",): True}


def test_reuses_of_file_lists_exactly_its_passages(result, tmp_path):
    out = _written(result, tmp_path)
    for doc in result.documents:
        rows = _query(out, REUSES_OF_FILE_SQL, {"path": doc.path})
        expected = [
            k
            for k, p in enumerate(result.passages, start=1)
            if doc.path in (p.source.path, p.copy.path)
        ]
        assert [r[0] for r in rows] == expected
        for row in rows:
            passage = result.passages[row[0] - 1]
            assert (row[5], row[6], row[7]) == (
                passage.source.path,
                passage.source.start_line,
                passage.source.end_line,
            )
            assert (row[8], row[9], row[10]) == (
                passage.copy.path,
                passage.copy.start_line,
                passage.copy.end_line,
            )
    assert _query(out, REUSES_OF_FILE_SQL, {"path": "no/such/file.txt"}) == []


def test_the_readme_shows_the_same_query():
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    if "--format sqlite" not in readme:
        pytest.skip("the README does not document --format sqlite yet")
    assert REUSES_OF_FILE_SQL in readme


def test_reuses_of_file_uses_the_indexes(tmp_path):
    out = _written(_made(), tmp_path)
    plan = " ".join(
        str(r[3]) for r in _query(out, f"EXPLAIN QUERY PLAN {REUSES_OF_FILE_SQL}", {"path": "x"})
    )
    assert "passages_source_document" in plan and "passages_copy_document" in plan


def test_reuses_view_joins_the_paths(tmp_path):
    made = _made()
    out = _written(made, tmp_path)
    rows = _query(out, "SELECT passage, source, copy, kind, boilerplate FROM reuses")
    assert rows == [
        (k, p.source.path, p.copy.path, p.kind, int(p.boilerplate))
        for k, p in enumerate(made.passages, start=1)
    ]


# --- the file: marked, deterministic, written atomically, never over a stranger -------


def test_same_result_gives_the_same_database(result, tmp_path):
    first, second = tmp_path / "one.db", tmp_path / "two.db"
    write_sqlite(result, str(first))
    write_sqlite(result, str(second))
    dumps = []
    for path in (first, second):
        db = sqlite3.connect(path)
        dumps.append(list(db.iterdump()))
        db.close()
    assert dumps[0] == dumps[1]
    assert first.read_bytes() == second.read_bytes()


def test_the_file_is_marked_as_a_dedupe_report(tmp_path):
    out = _written(_made(), tmp_path)
    assert _query(out, "PRAGMA application_id") == [(APPLICATION_ID,)]
    assert _query(out, "PRAGMA user_version") == [(SCHEMA_VERSION,)]
    assert _query(out, "PRAGMA journal_mode") == [("delete",)]
    assert is_dedupe_report(str(out))
    assert sorted(os.listdir(tmp_path)) == ["out.db"]  # no temporary or journal file left


@pytest.mark.parametrize("path", [None, "-"])
def test_standard_output_is_refused(path):
    with pytest.raises(InvalidParameter, match=r"^output is needed for an SQLite report") as e:
        write_sqlite(_made(), path)
    assert e.value.name == "output"


def _other_sqlite(path: Path) -> None:
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE documents (id INTEGER PRIMARY KEY, path TEXT)")
    db.execute("INSERT INTO documents VALUES (1, 'precious')")
    db.commit()
    db.close()


@pytest.mark.parametrize("kind", ["text", "empty", "sqlite", "short"])
def test_an_existing_stranger_is_left_untouched(kind, tmp_path):
    out = tmp_path / "out.db"
    if kind == "text":
        out.write_text("field notes, not a report\n", encoding="utf-8")
    elif kind == "empty":
        out.write_bytes(b"")
    elif kind == "short":  # the start of an SQLite header, cut short
        out.write_bytes(b"SQLite format 3\x00")
    else:
        _other_sqlite(out)
    before = _snapshot(out)
    with pytest.raises(DedupeError, match="is not a dedupe SQLite report") as err:
        write_sqlite(_made(), str(out))
    assert "\n" not in str(err.value)
    assert _snapshot(out) == before
    assert sorted(os.listdir(tmp_path)) == ["out.db"]


def test_a_symlink_to_a_stranger_is_left_untouched(tmp_path):
    other = tmp_path / "other.db"
    _other_sqlite(other)
    link = tmp_path / "out.db"
    link.symlink_to(other)
    before = _snapshot(other)
    with pytest.raises(DedupeError, match="is not a dedupe SQLite report"):
        write_sqlite(_made(), str(link))
    assert _snapshot(other) == before and link.is_symlink()


def test_a_previous_report_is_replaced(corpus_scan, tmp_path):
    out = _written(_made(), tmp_path)
    os.chmod(out, 0o640)
    write_sqlite(corpus_scan, str(out))
    paths = [r[0] for r in _query(out, "SELECT path FROM documents ORDER BY id")]
    assert paths == [d.path for d in corpus_scan.documents]
    assert _query(out, "SELECT count(*) FROM passages") == [(len(corpus_scan.passages),)]
    assert out.stat().st_mode & 0o777 == 0o640
    assert sorted(os.listdir(tmp_path)) == ["out.db"]


def test_a_report_behind_a_symlink_is_replaced_in_place(tmp_path):
    real = tmp_path / "real.db"
    write_sqlite(ScanResult(Parameters(), [], []), str(real))
    link = tmp_path / "out.db"
    link.symlink_to(real)
    write_sqlite(_made(), str(link))
    assert link.is_symlink()
    assert _query(real, "SELECT count(*) FROM passages") == [(len(_made().passages),)]


def test_a_failed_write_keeps_the_previous_report(tmp_path, monkeypatch):
    out = _written(_made(), tmp_path)
    before = _snapshot(out)

    def broken(path: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(sqlite_report, "_fsync", broken)
    with pytest.raises(DedupeError, match="cannot write .*No space left on device"):
        write_sqlite(ScanResult(Parameters(), [], []), str(out))
    assert _snapshot(out) == before
    assert sorted(os.listdir(tmp_path)) == ["out.db"]


def test_an_interrupted_write_leaves_no_file(tmp_path, monkeypatch):
    def interrupted(result):
        raise KeyboardInterrupt

    monkeypatch.setattr(sqlite_report, "tables", interrupted)
    with pytest.raises(KeyboardInterrupt):
        write_sqlite(_made(), str(tmp_path / "out.db"))
    assert os.listdir(tmp_path) == []


def test_a_report_in_use_is_not_replaced(tmp_path):
    out = _written(_made(), tmp_path)
    (tmp_path / "out.db-journal").write_bytes(b"hot")
    before = _snapshot(out)
    with pytest.raises(DedupeError, match="out.db-journal exists"):
        write_sqlite(_made(), str(out))
    assert _snapshot(out) == before


def test_folders_are_refused(tmp_path):
    with pytest.raises(DedupeError, match="is a folder"):
        write_sqlite(_made(), str(tmp_path))
    with pytest.raises(InvalidParameter, match="^output .*out.db: no such folder"):
        write_sqlite(_made(), str(tmp_path / "missing" / "out.db"))
    assert os.listdir(tmp_path) == []


def test_check_target_writes_nothing(tmp_path):
    check_target(str(tmp_path / "new.db"))
    check_target(str(_written(_made(), tmp_path)))
    assert sorted(os.listdir(tmp_path)) == ["out.db"]


def test_sqlite_utils_reads_it(tmp_path):
    """Optional: only when sqlite-utils happens to be installed."""
    sqlite_utils = pytest.importorskip("sqlite_utils")
    made = _made()
    db = sqlite_utils.Database(str(_written(made, tmp_path)))
    try:
        assert {t.name: t.count for t in db.tables} == {
            "documents": 4,
            "clusters": 2,
            "passages": 4,
            "parameters": len(asdict(made.parameters)),
        }
        assert db.view_names() == ["reuses"]
        assert {fk.column for fk in db["passages"].foreign_keys} == {
            "cluster",
            "source_document",
            "copy_document",
        }
    finally:
        db.close()
