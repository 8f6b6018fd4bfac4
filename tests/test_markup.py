"""The single-document readers, HTML, PDF and DOCX, on real files built here."""

from __future__ import annotations

import docx  # the readers' libraries: pip install -e '.[test]' (or '.[formats]')
import pytest

from dedupe.read.files import Document, Skipped, content_digest
from dedupe.read.formats import read_documents

from .format_files import (
    ARTICLE,
    FURNITURE,
    LEGACY,
    SHARED,
    assert_round_trip,
    page,
    pdf,
    write_docx,
)


def test_html_main_text_without_navigation(tmp_path, monkeypatch):
    path = tmp_path / "bridge.html"
    path.write_text(page("Harbour bridge reopens", ARTICLE), encoding="utf-8")
    [doc] = read_documents(str(path))
    assert isinstance(doc, Document)
    assert doc.path == str(path) and doc.encoding == "utf-8" and doc.date is None
    assert doc.text == "\n\n".join(["Harbour bridge reopens", *ARTICLE]) + "\n"
    for furniture in FURNITURE:
        assert furniture not in doc.text
    assert doc.digest == content_digest(path.read_bytes())  # the file's bytes
    assert doc.size == path.stat().st_size and doc.mtime == path.stat().st_mtime
    assert read_documents(str(path)) == [doc]
    assert_round_trip([doc], monkeypatch)


def test_html_in_cp1252_without_a_declared_charset_is_detected(tmp_path):
    path = tmp_path / "legacy.htm"
    data = page("Caf\u00e9 closes", [LEGACY, *ARTICLE]).encode("cp1252")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    path.write_bytes(data)
    [doc] = read_documents(str(path))
    assert isinstance(doc, Document)
    assert LEGACY in doc.text and "Caf\u00e9 closes" in doc.text
    assert doc.encoding in ("cp1252", "cp1250")


def test_html_declaring_latin_1_is_read_as_windows_1252(tmp_path):
    # Curly quotes and dashes are not Latin-1: a page saying iso-8859-1 means cp1252.
    path = tmp_path / "legacy.HTML"
    head = '<meta http-equiv="Content-Type" content="text/html; charset=iso-8859-1">'
    path.write_bytes(page("Caf\u00e9 closes", [LEGACY, *ARTICLE], head).encode("cp1252"))
    [doc] = read_documents(str(path))
    assert isinstance(doc, Document)
    assert LEGACY in doc.text and doc.encoding == "cp1252"


def test_html_without_text_is_skipped(tmp_path):
    path = tmp_path / "blank.html"
    path.write_text("<html><head><title></title></head><body><div></div></body></html>")
    assert read_documents(str(path)) == [Skipped(str(path), "no main text")]


def test_pdf_text_layer(tmp_path, monkeypatch):
    path = tmp_path / "minutes.pdf"
    path.write_bytes(
        pdf([["Minutes of the parish council", "Third session (June)"], ["Page two."]])
    )
    [doc] = read_documents(str(path))
    assert isinstance(doc, Document)
    assert doc.encoding == "pdf" and doc.date is None
    lines = [line.strip() for line in doc.text.splitlines()]
    assert lines == ["Minutes of the parish council", "Third session (June)", "", "Page two."]
    assert doc.digest == content_digest(path.read_bytes())
    assert read_documents(str(path)) == [doc]
    assert_round_trip([doc], monkeypatch)


def test_pdf_without_a_text_layer_is_skipped(tmp_path):
    path = tmp_path / "scan.pdf"
    path.write_bytes(pdf(None))
    assert read_documents(str(path)) == [Skipped(str(path), "no text layer")]


def test_damaged_pdf_is_skipped_with_a_one_line_reason(tmp_path):
    path = tmp_path / "broken.pdf"
    path.write_bytes(b"%PDF-1.4\n" + bytes(range(256)) * 4)
    [item] = read_documents(str(path))
    assert isinstance(item, Skipped) and item.reason.startswith("unreadable PDF")
    assert "\n" not in item.reason


def test_docx_paragraphs_and_tables_in_order(tmp_path, monkeypatch):
    table = [["Item", "Cost"], ["Footpath", "\u00a31,200"]]
    path = write_docx(tmp_path / "minutes.docx", [SHARED, "Any other business: none."], table)
    [doc] = read_documents(str(path))
    assert isinstance(doc, Document)
    blocks = ["Parish council", SHARED, "Any other business: none.", *table[0], *table[1]]
    assert doc.text == "\n\n".join(blocks) + "\n"
    assert doc.encoding == "docx"
    assert doc.digest == content_digest(path.read_bytes())
    assert read_documents(str(path)) == [doc]
    assert_round_trip([doc], monkeypatch)


def test_a_merged_table_cell_is_read_once(tmp_path):
    document = docx.Document()
    table = document.add_table(rows=1, cols=3)
    table.cell(0, 0).merge(table.cell(0, 2)).text = "Spans three columns"
    document.save(str(tmp_path / "merged.docx"))
    [doc] = read_documents(str(tmp_path / "merged.docx"))
    assert doc.text == "Spans three columns\n"


def test_damaged_docx_is_skipped(tmp_path):
    path = tmp_path / "broken.docx"
    path.write_bytes(b"PK\x03\x04" + bytes(range(256)) * 4)
    [item] = read_documents(str(path))
    assert isinstance(item, Skipped) and item.reason.startswith("unreadable DOCX")
