"""The format readers: HTML, PDF, DOCX, WARC and JSON Lines, built here with real files."""

from __future__ import annotations

import gzip
import io
import json
import os
import sys
from datetime import date
from pathlib import Path

import docx  # the readers' libraries: pip install -e '.[test]' (or '.[formats]')
import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from dedupe.parameters import Parameters
from dedupe.pipeline.scan import scan
from dedupe.read import formats
from dedupe.read.files import Document, Skipped, read_document, read_documents, read_file

ARTICLE = [
    "The old harbour bridge reopened to traffic on Monday after two years of repairs, the "
    "city council said in a statement published on its website.",
    "Engineers replaced the rusted suspension cables and the whole of the road deck, and "
    "strengthened the towers against the storms that close the bridge each winter.",
    "Traffic on the ring road, which carried most of the diverted cars and lorries, is "
    "expected to return to normal by the end of the month, the council added.",
]
MENU = ["Home", "World news", "Local politics", "Sport results", "Weather forecast"]
FURNITURE = [*MENU, "Most read", "Council tax rises again", "Copyright", "Privacy policy"]

# Only characters that cp1252 and its Central European sibling spell alike, so that
# whichever of the two is detected, the text decodes to the original.
LEGACY = (
    "The caf\u00e9 on the corner closed last winter. \u201cWe could not pay the rent,\u201d "
    "the owner said \u2013 and the r\u00e9sum\u00e9 she sent out listed twelve years of it."
)

SHARED = (
    "Minutes of the parish council, third session: the members agreed that the footpath "
    "along the river should be repaired before the spring floods, that the cost should be "
    "shared with the county, and that the clerk should write to the landowners asking for "
    "access across their fields while the work is carried out during the coming months."
)


def page(title: str, paragraphs: list[str], head: str = "") -> str:
    """An HTML page with a menu, a sidebar and a footer around an article."""
    menu = "".join(f'<li><a href="/{k}">{w}</a></li>' for k, w in enumerate(MENU))
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return (
        f"<!DOCTYPE html><html><head>{head}<title>{title} | Harbour Gazette</title></head>"
        f'<body><header><div class="logo">Harbour Gazette</div><nav class="menu"><ul>{menu}'
        '</ul></nav></header><div class="sidebar"><h3>Most read</h3><ul><li><a href="/x">'
        "Council tax rises again</a></li></ul></div><main><article>"
        f"<h1>{title}</h1>{body}</article></main><footer><p>Copyright 2020 Harbour Gazette."
        '</p><a href="/privacy">Privacy policy</a></footer></body></html>'
    )


def pdf_string(text: str) -> str:
    return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def pdf(pages: list[list[str]] | None) -> bytes:
    """A minimal PDF, written by hand: one page per list of lines in Helvetica, or (for
    ``None``) one page holding only a filled rectangle, no text layer."""
    bodies = [b"<< /Type /Catalog /Pages 2 0 R >>", b"", b""]
    drawn = pages if pages is not None else [[]]
    for lines in drawn:
        if pages is None:
            ops = "0 0 1 rg 100 100 200 200 re f"
        else:
            shown = " ".join(f"({pdf_string(line)}) Tj T*" for line in lines)
            ops = f"BT /F1 11 Tf 14 TL 72 720 Td {shown} ET"
        stream = ops.encode("latin-1")
        number = len(bodies) + 1
        bodies.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
            b"/Resources << /Font << /F1 3 0 R >> >> /Contents %d 0 R >>" % (number + 1)
        )
        bodies.append(b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream))
    kids = " ".join(f"{4 + 2 * k} 0 R" for k in range(len(drawn)))
    bodies[1] = f"<< /Type /Pages /Kids [{kids}] /Count {len(drawn)} >>".encode()
    bodies[2] = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(bodies, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(bodies) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(bodies) + 1,
        xref,
    )
    return bytes(out)


def write_docx(path: Path, paragraphs: list[str], table: list[list[str]] | None = None) -> Path:
    document = docx.Document()
    document.add_heading("Parish council", level=1)
    for text in paragraphs:
        document.add_paragraph(text)
        document.add_paragraph("")  # an empty paragraph is not a paragraph of text
    if table:
        grid = document.add_table(rows=len(table), cols=len(table[0]))
        for r, row in enumerate(table):
            for c, text in enumerate(row):
                grid.cell(r, c).text = text
    document.save(str(path))
    return path


def response(writer, uri: str, body: bytes, content_type: str, when: str, status="200 OK"):
    headers = StatusAndHeaders(status, [("Content-Type", content_type)], protocol="HTTP/1.1")
    return writer.create_warc_record(
        uri,
        "response",
        payload=io.BytesIO(body),
        http_headers=headers,
        warc_headers_dict={"WARC-Date": when},
    )


BRIDGE_URI = "https://gazette.example/2020/06/bridge"
RAIL_URI = "https://gazette.example/2021/01/rail?id=7#top"
RAIL = [
    "The new rail line to the airport opened to passengers this morning, on schedule and "
    "under budget, the transport authority announced at a crowded press conference.",
    "Trains will run every ten minutes from six in the morning until midnight, and a single "
    "ticket will cost the same as the bus it replaces, the authority said.",
]


def write_warc(path: Path, compress: bool = True, extra=()) -> Path:
    """Two HTML responses, a request, an image and whatever ``extra`` adds."""
    with open(path, "wb") as out:
        writer = WARCWriter(out, gzip=compress)
        request = StatusAndHeaders(
            "GET /2020/06/bridge HTTP/1.1", [("Host", "gazette.example")], is_http_request=True
        )
        records = [
            writer.create_warc_record(
                BRIDGE_URI, "request", payload=io.BytesIO(b""), http_headers=request
            ),
            response(
                writer,
                BRIDGE_URI,
                page("Harbour bridge reopens", ARTICLE).encode(),
                "text/html; charset=utf-8",
                "2020-06-19T10:15:00Z",
            ),
            response(
                writer,
                "https://gazette.example/logo.png",
                b"\x89PNG\r\n\x1a\n" + bytes(range(256)),
                "image/png",
                "2020-06-19T10:15:01Z",
            ),
            response(
                writer,
                RAIL_URI,
                page("Airport line opens", RAIL).encode(),
                "text/html",
                "2021-01-02T03:04:05.123456Z",
            ),
        ]
        records += [make(writer) for make in extra]
        for record in records:
            writer.write_record(record)
    return path


def documents(items) -> list[Document]:
    return [i for i in items if isinstance(i, Document)]


def skipped(items) -> list[Skipped]:
    return [i for i in items if isinstance(i, Skipped)]


@pytest.fixture(autouse=True)
def fresh_indexes(monkeypatch):
    """Each test starts as a new process would: no container indexed yet."""
    monkeypatch.setattr(formats, "_INDEXES", formats._Indexes())


def forget_indexes(monkeypatch):
    monkeypatch.setattr(formats, "_INDEXES", formats._Indexes())


def assert_round_trip(items, monkeypatch) -> None:
    """Every document reads again the same by its name, with and without the index
    that reading the whole container left behind."""
    for doc in documents(items):
        assert read_document(doc.path) == doc
    forget_indexes(monkeypatch)
    for doc in reversed(documents(items)):
        assert read_document(doc.path) == doc


# --- HTML --------------------------------------------------------------------------


def test_html_main_text_without_navigation(tmp_path, monkeypatch):
    path = tmp_path / "bridge.html"
    path.write_text(page("Harbour bridge reopens", ARTICLE), encoding="utf-8")
    [doc] = read_documents(str(path))
    assert isinstance(doc, Document)
    assert doc.path == str(path) and doc.encoding == "utf-8" and doc.date is None
    assert doc.text == "\n\n".join(["Harbour bridge reopens", *ARTICLE]) + "\n"
    for furniture in FURNITURE:
        assert furniture not in doc.text
    assert doc.digest == formats.content_digest(path.read_bytes())  # the file's bytes
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


# --- PDF ---------------------------------------------------------------------------


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
    assert doc.digest == formats.content_digest(path.read_bytes())
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


# --- DOCX --------------------------------------------------------------------------


def test_docx_paragraphs_and_tables_in_order(tmp_path, monkeypatch):
    table = [["Item", "Cost"], ["Footpath", "\u00a31,200"]]
    path = write_docx(tmp_path / "minutes.docx", [SHARED, "Any other business: none."], table)
    [doc] = read_documents(str(path))
    assert isinstance(doc, Document)
    blocks = ["Parish council", SHARED, "Any other business: none.", *table[0], *table[1]]
    assert doc.text == "\n\n".join(blocks) + "\n"
    assert doc.encoding == "docx"
    assert doc.digest == formats.content_digest(path.read_bytes())
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


# --- WARC --------------------------------------------------------------------------


def test_warc_html_responses_are_documents_named_by_target_uri(tmp_path, monkeypatch):
    path = write_warc(tmp_path / "crawl.warc.gz")
    items = read_documents(str(path))
    assert skipped(items) == []
    bridge, rail = items  # the request and the image are not documents
    assert bridge.path == f"{path}#{BRIDGE_URI}"
    assert rail.path == f"{path}#{RAIL_URI}"  # a '#' in the URI is kept as it is
    assert (bridge.date, rail.date) == (date(2020, 6, 19), date(2021, 1, 2))
    assert bridge.text == "\n\n".join(["Harbour bridge reopens", *ARTICLE]) + "\n"
    assert rail.text == "\n\n".join(["Airport line opens", *RAIL]) + "\n"
    for furniture in FURNITURE:
        assert furniture not in bridge.text + rail.text
    assert bridge.digest == formats.content_digest(bridge.text.encode("utf-8"))
    stat = path.stat()
    assert {(d.size, d.mtime) for d in items} == {(stat.st_size, stat.st_mtime)}
    assert read_documents(str(path)) == items  # stable digests, same names
    assert_round_trip(items, monkeypatch)


@pytest.mark.parametrize("packing", ["plain", "gzipped-whole"])
def test_uncompressed_and_whole_file_gzipped_warcs(tmp_path, monkeypatch, packing):
    plain = write_warc(tmp_path / "crawl.warc", compress=False)
    path = plain
    if packing == "gzipped-whole":  # gzip crawl.warc: one gzip member, not one per record
        path = tmp_path / "whole.warc.gz"
        path.write_bytes(gzip.compress(plain.read_bytes()))
    items = read_documents(str(path))
    assert [d.path for d in documents(items)] == [f"{path}#{BRIDGE_URI}", f"{path}#{RAIL_URI}"]
    assert skipped(items) == []
    assert_round_trip(items, monkeypatch)


def test_warc_text_records_captures_and_what_is_left_out(tmp_path, monkeypatch):
    legacy = "https://gazette.example/archive/cafe.txt"
    extra = [
        lambda w: response(w, legacy, LEGACY.encode("cp1252"), "text/plain", "2019-05-05T00:00Z"),
        lambda w: response(  # a later capture of the same page, changed
            w, BRIDGE_URI, page("Bridge", ARTICLE[:2]).encode(), "text/html", "2020-07-01T00:00Z"
        ),
        lambda w: response(  # an error page is not a document
            w,
            "https://gazette.example/gone",
            page("Not found", RAIL).encode(),
            "text/html",
            "2020-07-01T00:00:00Z",
            status="404 Not Found",
        ),
        lambda w: response(w, "https://gazette.example/e", b"  \n", "text/plain", "2020-07-01"),
    ]
    path = write_warc(tmp_path / "crawl.warc.gz", extra=extra)
    items = read_documents(str(path))
    names = [i.path.split("#", 1)[1] for i in items]
    assert names == [
        BRIDGE_URI,
        RAIL_URI,
        legacy,
        f"{BRIDGE_URI} (capture 2)",
        "https://gazette.example/e",
    ]
    text = items[2]
    assert text.text == LEGACY and text.encoding != "utf-8"  # detected, not declared
    assert text.date == date(2019, 5, 5)
    assert items[3].date == date(2020, 7, 1) and ARTICLE[2] not in items[3].text
    assert items[4] == Skipped(f"{path}#https://gazette.example/e", "empty")
    assert_round_trip(items, monkeypatch)
    assert read_document(f"{path}#https://gazette.example/gone") == Skipped(
        f"{path}#https://gazette.example/gone", "no such record in the WARC"
    )


def test_truncated_warc_keeps_the_records_before_the_damage(tmp_path, monkeypatch):
    whole = write_warc(tmp_path / "crawl.warc", compress=False).read_bytes()
    path = tmp_path / "cut.warc"
    path.write_bytes(whole[: whole.index(b"Airport line opens") + 10])
    items = read_documents(str(path))
    assert [d.path for d in documents(items)] == [f"{path}#{BRIDGE_URI}"]
    assert read_document(f"{path}#{BRIDGE_URI}") == documents(items)[0]


# --- JSON Lines --------------------------------------------------------------------


def test_jsonl_records_dates_and_bad_lines(tmp_path, monkeypatch):
    lines = [
        json.dumps({"id": "a-1", "text": SHARED, "date": "2020-06-19"}),
        "",
        "{not json",
        json.dumps({"id": 7, "text": "Numbered\u2028record.", "date": "2021-01-02T23:30:00Z"}),
        json.dumps({"text": "no id"}),
        json.dumps({"id": "a-1", "text": "repeated id"}),
        json.dumps({"id": "b", "text": "bad date", "date": "19 June 2020"}),
        json.dumps(["a", "list"]),
        json.dumps({"id": "c#d", "text": "Crlf line end and a hash in the id."}) + "\r",
        json.dumps({"id": "e", "text": "   "}),
    ]
    path = tmp_path / "records.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    items = read_documents(str(path))
    assert [(d.path, d.text, d.date) for d in documents(items)] == [
        (f"{path}#a-1", SHARED, date(2020, 6, 19)),
        (f"{path}#7", "Numbered\u2028record.", date(2021, 1, 2)),
        (f"{path}#c#d", "Crlf line end and a hash in the id.", None),
    ]
    assert [(s.path, s.reason) for s in skipped(items)] == [
        (str(path), "line 3: not JSON (Expecting property name enclosed in double quotes)"),
        (str(path), 'line 5: no "id" (a string or an integer)'),
        (str(path), "line 6: id 'a-1' repeated (first on line 1)"),
        (str(path), 'line 7: "date" is not an ISO date (YYYY-MM-DD) or date-time'),
        (str(path), "line 8: not a JSON object"),
        (f"{path}#e", "line 10: empty"),
    ]
    first = documents(items)[0]
    assert first.digest == formats.content_digest(SHARED.encode("utf-8"))
    assert first.encoding == "utf-8"
    assert read_documents(str(path)) == items
    assert_round_trip(items, monkeypatch)
    assert read_document(f"{path}#zz") == Skipped(f"{path}#zz", "no such record")


def test_jsonl_in_a_legacy_encoding_is_detected(tmp_path):
    path = tmp_path / "legacy.jsonl"
    rows = [{"id": k, "text": f"{LEGACY} ({k})"} for k in range(5)]
    path.write_bytes("\n".join(json.dumps(r, ensure_ascii=False) for r in rows).encode("cp1252"))
    items = read_documents(str(path))
    assert [d.text for d in documents(items)] == [r["text"] for r in rows]
    assert all(d.encoding != "utf-8" for d in documents(items))


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
    assert formats.split_name(f"{jsonl}#1") == (str(jsonl), "1")
    assert formats.split_name(str(hashed)) == (str(hashed), None)
    # A container whose own name holds '#': split where the container's file is.
    odd = tmp_path / "a.jsonl#b.jsonl"
    odd.write_text(json.dumps({"id": "x.jsonl#y", "text": "nested"}) + "\n")
    [doc] = read_documents(str(odd))
    assert doc.path == f"{odd}#x.jsonl#y"
    assert formats.split_name(doc.path) == (str(odd), "x.jsonl#y")
    assert formats.split_name(str(odd)) == (str(odd), None)
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


def test_a_warc_without_trafilatura_still_gives_its_text_records(tmp_path, monkeypatch):
    legacy = "https://gazette.example/cafe.txt"
    extra = [lambda w: response(w, legacy, LEGACY.encode(), "text/plain", "2019-05-05T00:00Z")]
    path = write_warc(tmp_path / "crawl.warc.gz", extra=extra)
    monkeypatch.setitem(sys.modules, "trafilatura", None)
    items = read_documents(str(path))
    assert [d.path for d in documents(items)] == [f"{path}#{legacy}"]
    hint = "needs trafilatura: pip install 'dedupe-provenance[html]'"
    assert skipped(items) == [Skipped(str(path), f"2 HTML records not read: {hint}")]
    assert read_document(f"{path}#{BRIDGE_URI}") == Skipped(f"{path}#{BRIDGE_URI}", hint)


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
    from dedupe.duplicates.find import DuplicateParameters, duplicates
    from dedupe.pipeline.indexed import scan_indexed
    from dedupe.read.files import read_whole
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
    groups = duplicates([str(folder)], DuplicateParameters()).groups
    assert [
        sorted(os.path.basename(p) for p in [g.representative.path, *(m.path for m in g.members)])
        for g in groups
    ] == [["minutes.docx", "notes.txt"]]
