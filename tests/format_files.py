"""Real files of every format the readers take, built for the tests: HTML pages, PDFs,
DOCX documents and WARC archives, and what the tests check of what is read from them."""

from __future__ import annotations

import io
from pathlib import Path

import docx  # the readers' libraries: pip install -e '.[test]' (or '.[formats]')
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from dedupe.read import containers
from dedupe.read.files import Document, Skipped
from dedupe.read.formats import read_document

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


def forget_indexes(monkeypatch):
    monkeypatch.setattr(containers, "_INDEXES", containers._Indexes())


def assert_round_trip(items, monkeypatch) -> None:
    """Every document reads again the same by its name, with and without the index
    that reading the whole container left behind."""
    for doc in documents(items):
        assert read_document(doc.path) == doc
    forget_indexes(monkeypatch)
    for doc in reversed(documents(items)):
        assert read_document(doc.path) == doc
