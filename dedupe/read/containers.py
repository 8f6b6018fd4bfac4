"""Readers of containers, files holding many documents: WARC (one per HTML or text
response record) and JSON Lines (one per line), with an index of recently read
containers so that reading one record again does not convert them all."""

from __future__ import annotations

import gzip
import json
import os
import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator
from datetime import date, datetime

from .files import Document, RawFile, Skipped, content_digest, decode, looks_binary
from .markup import (
    HTML_TYPES,
    TEXT_TYPES,
    MissingLibrary,
    declared_charset,
    decode_markup,
    html_text,
    library,
    one_line,
    text_document,
)

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


_INDEXES_KEPT = 8


class _Indexes:
    """Where each record of a few recently read containers is (a WARC record's offset,
    a JSON line's number), so that reading one record again does not convert them all.
    Keyed by path, size and mtime: a changed file is indexed again."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._kept: OrderedDict[tuple[str, int, int], dict] = OrderedDict()

    @staticmethod
    def _key(path: str) -> tuple[str, int, int] | None:
        try:
            stat = os.stat(path)
        except OSError:
            return None
        return (os.path.abspath(path), stat.st_size, stat.st_mtime_ns)

    def get(self, path: str) -> dict | None:
        key = self._key(path)
        with self._lock:
            if key in self._kept:
                self._kept.move_to_end(key)
                return self._kept[key]
        return None

    def put(self, path: str, index: dict) -> None:
        key = self._key(path)
        if key is None:
            return
        with self._lock:
            self._kept[key] = index
            while len(self._kept) > _INDEXES_KEPT:
                self._kept.popitem(last=False)


_INDEXES = _Indexes()


def _warc_kind(record) -> str | None:
    if record.rec_type != "response" or record.http_headers is None:
        return None
    status = record.http_headers.get_statuscode() or ""
    if not status.startswith("2"):
        return None
    mime = (record.http_headers.get_header("Content-Type") or "").split(";")[0].strip().lower()
    if mime in HTML_TYPES:
        return "html"
    return "text" if mime in TEXT_TYPES else None


def _warc_date(value: str | None) -> date | None:
    try:
        return date.fromisoformat((value or "")[:10])
    except ValueError:
        return None


def _warc_records(handle, warcio) -> Iterator[tuple[str, str, object, int]]:
    """``(key, kind, record, offset)`` for each HTML or text response record."""
    iterator = warcio.ArchiveIterator(handle)
    captures: dict[str, int] = {}
    for record in iterator:
        kind = _warc_kind(record)
        if kind is None:
            continue
        uri = record.rec_headers.get_header("WARC-Target-URI") or ""
        captures[uri] = captures.get(uri, 0) + 1
        key = uri if captures[uri] == 1 else f"{uri} (capture {captures[uri]})"
        yield key, kind, record, iterator.offset


def _open_warc(path: str, single_gzip: bool):
    # warcio seeks record by record in a WARC gzipped record by record (the standard);
    # one gzipped as a whole is read through gzip instead.
    return gzip.open(path, "rb") if single_gzip else open(path, "rb")


def _warc_document(name: str, kind: str, record, file: RawFile) -> Document | Skipped:
    """The document of a response record (its payload not read yet)."""
    try:
        payload = record.content_stream().read()
    except Exception as err:  # a damaged chunked or compressed payload
        return Skipped(name, f"unreadable payload: {one_line(err)}")
    if not payload.strip():
        return Skipped(name, "empty")
    header = record.http_headers.get_header("Content-Type")
    decoded = decode_markup(payload, declared_charset(payload if kind == "html" else b"", header))
    if decoded is None or looks_binary(decoded[0]):
        return Skipped(name, "binary")
    text, encoding = decoded
    if kind == "html":
        uri = record.rec_headers.get_header("WARC-Target-URI")
        extracted = html_text(text, url=uri)
        if extracted is None:
            return Skipped(name, "no main text")
        text = extracted
    elif not text.strip():
        return Skipped(name, "empty")
    return text_document(
        name,
        text,
        encoding,
        file,
        digest=content_digest(text.encode("utf-8", "surrogatepass")),
        date=_warc_date(record.rec_headers.get_header("WARC-Date")),
    )


def _scan_warc(path: str, convert: Callable[[str, str, object], object]) -> tuple[list, str]:
    """``convert(key, kind, record)`` of each HTML or text response record of the WARC
    at ``path``, in order, and why reading stopped early ("" when it did not). Notes
    each record's offset in the index."""
    warcio = library("warcio.archiveiterator", "warc")
    for single_gzip in (False, True):
        offsets: dict[str, int] = {}
        results = []
        try:
            with _open_warc(path, single_gzip) as handle:
                for key, kind, record, offset in _warc_records(handle, warcio):
                    offsets[key] = offset
                    results.append(convert(key, kind, record))
        except Exception as err:
            if not single_gzip and "non-chunked gzip" in str(err):
                continue  # warcio stops at the second record of such a file: start again
            stopped = f"unreadable WARC after {len(offsets)} records: {one_line(err)}"
        else:
            stopped = ""
        _INDEXES.put(path, {"single_gzip": single_gzip, "offsets": offsets})
        return results, stopped
    raise AssertionError("unreachable")


def read_warc(file: RawFile) -> list[Document | Skipped]:
    def convert(key: str, kind: str, record) -> Document | Skipped | MissingLibrary:
        name = f"{file.path}#{key}"
        try:
            return _warc_document(name, kind, record, file)
        except MissingLibrary as missing:
            return missing
        except Exception as err:  # one record the extractor fails on, not the WARC
            return Skipped(name, f"unreadable record: {one_line(err)}")

    results, stopped = _scan_warc(file.path, convert)
    items = [r for r in results if not isinstance(r, MissingLibrary)]
    missing = [str(r) for r in results if isinstance(r, MissingLibrary)]
    if missing:
        items.append(Skipped(file.path, f"{len(missing)} HTML records not read: {missing[0]}"))
    if stopped:
        items.append(Skipped(file.path, stopped))
    return items


def read_warc_record(file: RawFile, key: str) -> Document | Skipped:
    """The record ``key`` of a WARC file, read again through the container's index."""
    name = f"{file.path}#{key}"
    warcio = library("warcio.archiveiterator", "warc")
    try:
        index = _INDEXES.get(file.path)
        if index is None:
            _scan_warc(file.path, lambda *_: None)
            index = _INDEXES.get(file.path) or {"offsets": {}}
        if key not in index["offsets"]:
            return Skipped(name, "no such record in the WARC")
        with _open_warc(file.path, index["single_gzip"]) as handle:
            handle.seek(index["offsets"][key])
            record = next(iter(warcio.ArchiveIterator(handle)), None)
            uri = key.rsplit(" (capture ", 1)[0] if key.endswith(")") else key
            kind = _warc_kind(record) if record is not None else None
            if kind is None or record.rec_headers.get_header("WARC-Target-URI") != uri:
                return Skipped(name, "record moved in its WARC; read again")
            return _warc_document(name, kind, record, file)
    except MissingLibrary:
        raise
    except Exception as err:
        return Skipped(name, f"unreadable WARC: {one_line(err)}")


def _jsonl_date(value) -> date | None:
    if value is None:
        return None
    if isinstance(value, str):
        if _ISO_DATE.fullmatch(value):
            return date.fromisoformat(value)
        stamp = value[:-1] + "+00:00" if value.endswith(("Z", "z")) else value
        return datetime.fromisoformat(stamp).date()
    raise ValueError(value)


def _jsonl_line(line: str, number: int) -> tuple[str, str, date | None] | str:
    """``(id, text, date)`` of a JSON line, or why it is not a document."""
    try:
        obj = json.loads(line)
    except json.JSONDecodeError as err:
        return f"line {number}: not JSON ({err.msg})"
    if not isinstance(obj, dict):
        return f"line {number}: not a JSON object"
    ident = obj.get("id")
    if isinstance(ident, bool) or not isinstance(ident, (str, int)) or ident == "":
        return f'line {number}: no "id" (a string or an integer)'
    if not isinstance(obj.get("text"), str):
        return f'line {number}: no "text" string'
    try:
        when = _jsonl_date(obj.get("date"))
    except ValueError:
        return f'line {number}: "date" is not an ISO date (YYYY-MM-DD) or date-time'
    return str(ident), obj["text"], when


def _jsonl_lines(file: RawFile) -> tuple[list[str], str] | None:
    decoded = decode(file.data)
    if decoded is None:
        return None
    text, encoding = decoded
    # JSON strings hold no raw newline, but may hold U+2028: split on "\n" only.
    return [line.rstrip("\r") for line in text.split("\n")], encoding


def _jsonl_document(
    file: RawFile, key: str, text: str, when, encoding, number
) -> Document | Skipped:
    name = f"{file.path}#{key}"
    if not text.strip():
        return Skipped(name, f"line {number}: empty")
    digest = content_digest(text.encode("utf-8", "surrogatepass"))
    return text_document(name, text, encoding, file, digest=digest, date=when)


def read_jsonl(file: RawFile) -> list[Document | Skipped]:
    split = _jsonl_lines(file)
    if split is None:
        return [Skipped(file.path, "binary")]
    lines, encoding = split
    items: list[Document | Skipped] = []
    first: dict[str, int] = {}
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        parsed = _jsonl_line(line, number)
        if isinstance(parsed, str):
            items.append(Skipped(file.path, parsed))
            continue
        key, text, when = parsed
        if key in first:
            reason = f"line {number}: id {key!r} repeated (first on line {first[key]})"
            items.append(Skipped(file.path, reason))
            continue
        first[key] = number
        items.append(_jsonl_document(file, key, text, when, encoding, number))
    _INDEXES.put(file.path, {"lines": first})
    return items


def read_jsonl_record(file: RawFile, key: str) -> Document | Skipped:
    """The record ``key`` of a JSON Lines file, read again through its index."""
    index = _INDEXES.get(file.path)
    if index is None:
        return next(
            (i for i in read_jsonl(file) if i.path == f"{file.path}#{key}"),
            Skipped(f"{file.path}#{key}", "no such record"),
        )
    number = index["lines"].get(key)
    if number is None:
        return Skipped(f"{file.path}#{key}", "no such record")
    split = _jsonl_lines(file)
    if split is None:
        return Skipped(f"{file.path}#{key}", "binary")
    lines, encoding = split
    parsed = _jsonl_line(lines[number - 1], number)
    if isinstance(parsed, str) or parsed[0] != key:
        return Skipped(f"{file.path}#{key}", "record moved in its file; read again")
    return _jsonl_document(file, key, parsed[1], parsed[2], encoding, number)
