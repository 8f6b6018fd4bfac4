"""The container readers, WARC and JSON Lines, on real files built here: records as
documents, reading one record again, what is left out and why."""

from __future__ import annotations

import gzip
import json
import sys
from datetime import date

import pytest

from dedupe.read.files import Skipped, content_digest
from dedupe.read.formats import read_document, read_documents

from .format_files import (
    ARTICLE,
    BRIDGE_URI,
    FURNITURE,
    LEGACY,
    RAIL,
    RAIL_URI,
    SHARED,
    assert_round_trip,
    documents,
    page,
    response,
    skipped,
    write_warc,
)


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
    assert bridge.digest == content_digest(bridge.text.encode("utf-8"))
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
    assert first.digest == content_digest(SHARED.encode("utf-8"))
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
