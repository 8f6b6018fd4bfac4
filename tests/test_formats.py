"""Reading a file by its format: the reader chosen by extension, ``PATH#RECORD`` names,
missing libraries, failing extractors, and converted documents through scan, index and
duplicates."""

from __future__ import annotations

import json
import os
import sys

import pytest

from dedupe.parameters import Parameters
from dedupe.pipeline.scan import scan
from dedupe.read.files import Skipped, read_file
from dedupe.read.formats import read_document, read_documents, split_name

from .format_files import (
    ARTICLE,
    BRIDGE_URI,
    LEGACY,
    RAIL_URI,
    SHARED,
    documents,
    page,
    response,
    skipped,
    write_docx,
    write_warc,
)

# --- names -------------------------------------------------------------------------


def test_a_hash_in_a_plain_file_name_is_not_a_record(tmp_path):
    jsonl = tmp_path / "data.jsonl"
    jsonl.write_text(json.dumps({"id": "1", "text": "the record"}) + "\n")
    plain = tmp_path / "data.jsonl#1.txt"  # looks like a record of data.jsonl, is a file
    plain.write_text("the plain file\n")
    hashed = tmp_path / "notes#2.txt"
    hashed.write_text("notes\n")
    for path in (plain, hashed):
        assert read_documents(str(path)) == [read_file(str(path))]
        assert read_document(str(path)) == read_file(str(path))
    assert read_document(f"{jsonl}#1").text == "the record"
    assert split_name(f"{jsonl}#1") == (str(jsonl), "1")
    assert split_name(str(hashed)) == (str(hashed), None)
    # A container whose own name holds '#': split where the container's file is.
    odd = tmp_path / "a.jsonl#b.jsonl"
    odd.write_text(json.dumps({"id": "x.jsonl#y", "text": "nested"}) + "\n")
    [doc] = read_documents(str(odd))
    assert doc.path == f"{odd}#x.jsonl#y"
    assert split_name(doc.path) == (str(odd), "x.jsonl#y")
    assert split_name(str(odd)) == (str(odd), None)
    assert read_document(doc.path) == doc


def test_a_container_named_without_a_record_and_a_vanished_container(tmp_path):
    path = tmp_path / "data.jsonl"
    path.write_text(json.dumps({"id": "1", "text": "x"}) + "\n")
    assert read_document(str(path)).reason.startswith("a container")
    gone = f"{tmp_path / 'gone.warc.gz'}#https://example.org/"
    assert read_document(gone) == Skipped(gone, "unreadable: No such file or directory")


def test_plain_text_and_unknown_binary_files_are_read_as_before(tmp_path):
    text = tmp_path / "a.txt"
    text.write_bytes(LEGACY.encode("cp1252"))
    blob = tmp_path / "blob.bin"
    blob.write_bytes(bytes(range(256)) * 20)
    empty = tmp_path / "empty.pdf"
    empty.write_bytes(b"")
    assert read_documents(str(text)) == [read_file(str(text))]
    assert read_documents(str(blob)) == [Skipped(str(blob), "binary")]
    assert read_documents(str(empty)) == [Skipped(str(empty), "empty")]


# --- missing libraries --------------------------------------------------------------


@pytest.mark.parametrize(
    ("module", "name", "extra", "distribution"),
    [
        ("pypdf", "x.pdf", "pdf", "pypdf"),
        ("docx", "x.docx", "docx", "python-docx"),
        ("trafilatura", "x.html", "html", "trafilatura"),
        ("warcio.archiveiterator", "x.warc.gz", "warc", "warcio"),
    ],
)
def test_a_missing_library_skips_the_file_with_an_install_hint(
    tmp_path, monkeypatch, module, name, extra, distribution
):
    path = tmp_path / name
    path.write_bytes(b"some bytes, not read for want of a library\n")
    monkeypatch.setitem(sys.modules, module, None)  # import fails as if not installed
    hint = f"needs {distribution}: pip install 'dedupe-provenance[{extra}]'"
    expected = Skipped(str(path), hint)
    assert read_documents(str(path)) == [expected]


# --- end to end --------------------------------------------------------------------


def test_scan_finds_a_paragraph_shared_by_a_text_file_and_a_docx(tmp_path):
    (tmp_path / "notes.txt").write_text(
        "Notes taken at the meeting.\n\n" + SHARED + "\n\nNothing else was decided.\n"
    )
    write_docx(tmp_path / "minutes.docx", ["Present: six members.", SHARED])
    result = scan([str(tmp_path)], Parameters())
    assert result.skipped == []
    pairs = {(p.source.path, p.copy.path) for p in result.passages}
    assert {frozenset(pair) for pair in pairs} == {
        frozenset({str(tmp_path / "notes.txt"), str(tmp_path / "minutes.docx")})
    }


def test_an_extractor_failing_skips_the_file_or_record_and_no_more(tmp_path, monkeypatch):
    import trafilatura

    html = tmp_path / "page.html"
    html.write_text(page("Harbour bridge reopens", ARTICLE))
    legacy = "https://gazette.example/cafe.txt"
    extra = [lambda w: response(w, legacy, LEGACY.encode(), "text/plain", "2019-05-05T00:00Z")]
    warc = write_warc(tmp_path / "crawl.warc.gz", extra=extra)

    def fail(*args, **kwargs):
        raise RuntimeError("tree\ntoo deep")

    monkeypatch.setattr(trafilatura, "extract", fail)
    assert read_documents(str(html)) == [Skipped(str(html), "unreadable HTML: tree too deep")]
    items = read_documents(str(warc))
    assert [d.path for d in documents(items)] == [f"{warc}#{legacy}"]
    assert skipped(items) == [
        Skipped(f"{warc}#{uri}", "unreadable record: tree too deep")
        for uri in (BRIDGE_URI, RAIL_URI)
    ]


def test_index_and_duplicates_read_a_docx_as_the_document_it_is(tmp_path):
    """Whole-file commands (index, query, duplicates) read HTML, PDF and DOCX files as
    one document each; a container of many documents is skipped with the reason."""
    from dedupe.duplicates.find import DuplicateParameters, find_duplicate_files
    from dedupe.pipeline.indexed import scan_indexed
    from dedupe.read.formats import read_whole
    from dedupe.store.index import Index

    folder = tmp_path / "docs"
    folder.mkdir()
    text = "Notes taken at the meeting.\n\n" + SHARED + "\n\nNothing else was decided.\n"
    (folder / "notes.txt").write_text(text)
    write_docx(folder / "minutes.docx", text.split("\n\n"))
    (folder / "records.jsonl").write_text(json.dumps({"id": "a", "text": SHARED}) + "\n")

    assert isinstance(read_whole(str(folder / "records.jsonl")), Skipped)
    with Index(str(tmp_path / "i.sqlite"), Parameters()) as index:
        result, stats = scan_indexed([str(folder)], index)
    assert sorted(os.path.basename(p) for p in stats.signed) == ["minutes.docx", "notes.txt"]
    assert {os.path.basename(p.source.path) for p in result.passages} | {
        os.path.basename(p.copy.path) for p in result.passages
    } == {"minutes.docx", "notes.txt"}
    groups = find_duplicate_files([str(folder)], DuplicateParameters()).groups
    assert [
        sorted(os.path.basename(p) for p in [g.representative.path, *(m.path for m in g.members)])
        for g in groups
    ] == [["minutes.docx", "notes.txt"]]
