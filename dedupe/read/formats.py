"""Readers for the formats archivists hand over: HTML, PDF, DOCX, WARC and JSON Lines.

``read_documents(path)`` returns every document of one file, chosen by its extension
(case ignored); any other file is read as plain text by ``read_file``, as before:

=================  ==========================================================  ========
extension          documents                                                   extra
=================  ==========================================================  ========
``.html .htm``     one: the page's main text (trafilatura), not navigation     ``html``
``.pdf``           one: the text layer, page by page (pypdf)                   ``pdf``
``.docx``          one: the paragraphs, tables' included, in order             ``docx``
``.warc``          one per HTML or text/plain ``response`` record with a 2xx   ``warc``
``.warc.gz``       status, named ``PATH#TARGET-URI``, dated by its WARC-Date
``.jsonl``         one per line ``{"id": ..., "text": ..., "date": ...}``,     (none)
                   named ``PATH#ID``, dated by its optional ``date``
=================  ==========================================================  ========

Only WARC and JSON Lines files (the containers) give ``#`` names, and ``read_document``
only splits a name at a ``#`` that follows a container's extension, so a plain file
called ``notes#2.txt`` keeps its name. A target URI captured again in the same WARC
names its later captures ``PATH#URI (capture 2)``, ``(capture 3)``...

A converted document's ``text`` is the extracted text, paragraphs separated by a blank
line, so line and character offsets refer to that text. Its ``digest`` is that of the
file's bytes for HTML, PDF and DOCX, and that of the record's extracted text for WARC
and JSON Lines records; ``size`` and ``mtime`` are always the file's.

A reader whose library is not installed skips the file with a one-line reason that says
what to install. Nothing here raises for a bad file: it is ``Skipped`` with a reason.
Records that cannot be used are ``Skipped`` under their own name; a JSON line that has
none (not JSON, no id, a repeated id) is ``Skipped`` under the file's path, its line
number in the reason.
"""

from __future__ import annotations

import codecs
import gzip
import importlib
import io
import json
import logging
import os
import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator
from datetime import date, datetime
from types import ModuleType

from .files import Document, RawFile, Skipped, content_digest, decode, load, looks_binary, read_file

DISTRIBUTION = "dedupe-provenance"

HTML = (".html", ".htm")
PDF = (".pdf",)
DOCX = (".docx",)
WARC = (".warc", ".warc.gz")
JSONL = (".jsonl",)
CONTAINERS = WARC + JSONL

HTML_TYPES = ("text/html", "application/xhtml+xml")
TEXT_TYPES = ("text/plain",)

_META_CHARSET = re.compile(rb"""<meta[^>]*?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
_SNIFF_BYTES = 4096
# Labels that browsers read as Windows-1252 (WHATWG Encoding Standard).
_WINDOWS_1252 = {"ascii", "iso8859-1", "cp1252"}
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_INDEXES_KEPT = 8


class MissingLibrary(Exception):
    """A reader's library is not installed; ``str()`` is the one-line reason."""


def install_hint(extra: str) -> str:
    """The command that installs the readers of ``extra``."""
    return f"pip install '{DISTRIBUTION}[{extra}]'"


def _library(module: str, extra: str, distribution: str | None = None) -> ModuleType:
    """The imported ``module``; raises ``MissingLibrary`` naming the ``distribution``
    (default: the module's top package) and the extra that installs it."""
    try:
        return importlib.import_module(module)
    except ImportError as err:
        needed = distribution or module.split(".")[0]
        raise MissingLibrary(f"needs {needed}: {install_hint(extra)}") from err


def _one_line(err: BaseException) -> str:
    text = " ".join(str(err).split()) or type(err).__name__
    return text if len(text) <= 200 else text[:199] + "…"


def kind_of(path: str) -> str | None:
    """``html``, ``pdf``, ``docx``, ``warc`` or ``jsonl`` by the file's extension, None
    for a plain text file."""
    lower = path.lower()
    for kind, suffixes in (("html", HTML), ("pdf", PDF), ("docx", DOCX), ("warc", WARC)):
        if lower.endswith(suffixes):
            return kind
    return "jsonl" if lower.endswith(JSONL) else None


def split_name(name: str) -> tuple[str, str | None]:
    """``(container, record)`` for a ``CONTAINER#RECORD`` name, ``(name, None)`` for a
    file's own name.

    A name splits only at a ``#`` that follows a container's extension: the first such
    ``#`` whose left side is an existing file, else (the container is gone) the first
    such ``#``. A name that is itself an existing file, and not a container, or an
    existing container with no such ``#``, is not split.
    """
    if "#" not in name or (os.path.isfile(name) and kind_of(name) not in ("warc", "jsonl")):
        return name, None
    cuts = [k for k, ch in enumerate(name) if ch == "#" and name[:k].lower().endswith(CONTAINERS)]
    for cut in cuts:
        if os.path.isfile(name[:cut]):
            return name[:cut], name[cut + 1 :]
    if not cuts or os.path.isfile(name):  # a container whose own name holds a '#'
        return name, None
    return name[: cuts[0]], name[cuts[0] + 1 :]


# --- reading the file and decoding markup -----------------------------------------


def _codec(label: str | None) -> str | None:
    if not label:
        return None
    try:
        name = codecs.lookup(label.strip().strip("\"'")).name
    except LookupError:
        return None
    return "cp1252" if name in _WINDOWS_1252 else name


def declared_charset(data: bytes, header: str | None = None) -> str | None:
    """The codec a page declares: the ``charset`` of an HTTP Content-Type ``header``,
    else of a ``<meta>`` near the start of ``data``; Latin-1 and ASCII labels mean
    Windows-1252, as in browsers."""
    if header:
        for param in header.split(";")[1:]:
            key, _, value = param.partition("=")
            if key.strip().lower() == "charset":
                return _codec(value)
    found = _META_CHARSET.search(data[:_SNIFF_BYTES])
    return _codec(found.group(1).decode("ascii")) if found else None


def decode_markup(data: bytes, declared: str | None = None) -> tuple[str, str] | None:
    """Text and codec of a page's bytes, or None when they look binary: UTF-8 when they
    are valid UTF-8, else the ``declared`` charset when they decode with it, else the
    encoding charset-normalizer detects (``read.decode``)."""
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        pass
    if declared and declared not in ("utf_8", "utf-8"):
        try:
            return data.decode(declared), declared
        except (UnicodeDecodeError, LookupError):
            pass
    return decode(data)


def html_text(markup: str, url: str | None = None) -> str | None:
    """The main text of an HTML page (trafilatura: article, not menus, footers or
    comments), one paragraph per block separated by blank lines; None when it has none.

    Raises ``MissingLibrary`` without trafilatura.
    """
    trafilatura = _library("trafilatura", "html")
    extracted = trafilatura.extract(
        markup, url=url, include_comments=False, include_tables=True, output_format="txt"
    )
    return _paragraphs((extracted or "").splitlines())


def _paragraphs(blocks) -> str | None:
    kept = [b.strip() for b in blocks if b and b.strip()]
    return "\n\n".join(kept) + "\n" if kept else None


def _text_document(name: str, text: str, encoding: str, file: RawFile, **kw) -> Document:
    return Document(name, text, encoding, file.size, file.mtime, **kw)


# --- HTML, PDF, DOCX: one document per file ---------------------------------------


def read_html(file: RawFile) -> Document | Skipped:
    decoded = decode_markup(file.data, declared_charset(file.data))
    if decoded is None or looks_binary(decoded[0]):
        return Skipped(file.path, "binary")
    markup, encoding = decoded
    text = html_text(markup)
    if text is None:
        return Skipped(file.path, "no main text")
    return _text_document(file.path, text, encoding, file, digest=content_digest(file.data))


def read_pdf(file: RawFile) -> Document | Skipped:
    pypdf = _library("pypdf", "pdf")
    # pypdf logs each damage it works around; what cannot be read is Skipped, with why.
    logging.getLogger("pypdf").setLevel(logging.ERROR)
    try:
        reader = pypdf.PdfReader(io.BytesIO(file.data))
        if reader.is_encrypted:
            try:
                opened = reader.decrypt("")
            except Exception:  # an unsupported cipher, or a library missing for it
                opened = 0
            if not opened:
                return Skipped(file.path, "encrypted PDF")
        pages = [page.extract_text() or "" for page in reader.pages]
    except Exception as err:  # pypdf raises many kinds of errors on damaged files
        return Skipped(file.path, f"unreadable PDF: {_one_line(err)}")
    text = _paragraphs(pages)
    if text is None:
        return Skipped(file.path, "no text layer")
    if looks_binary(text):
        return Skipped(file.path, "text layer is not text (fonts without a Unicode map)")
    return _text_document(file.path, text, "pdf", file, digest=content_digest(file.data))


def _docx_blocks(container) -> Iterator[str]:
    from docx.table import Table

    for block in container.iter_inner_content():
        if isinstance(block, Table):
            seen = set()  # a merged cell is returned once per grid column it spans
            for row in block.rows:
                for cell in row.cells:
                    if cell._tc not in seen:
                        seen.add(cell._tc)
                        yield from _docx_blocks(cell)
        else:
            yield block.text


def read_docx(file: RawFile) -> Document | Skipped:
    docx = _library("docx", "docx", "python-docx")
    try:
        blocks = list(_docx_blocks(docx.Document(io.BytesIO(file.data))))
    except Exception as err:  # not a zip, no document part, bad XML...
        return Skipped(file.path, f"unreadable DOCX: {_one_line(err)}")
    text = _paragraphs(blocks)
    if text is None:
        return Skipped(file.path, "empty")
    return _text_document(file.path, text, "docx", file, digest=content_digest(file.data))


# --- indexes of containers, for reading one record again -----------------------------


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


# --- WARC: one document per HTML or text response record -----------------------------


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
        return Skipped(name, f"unreadable payload: {_one_line(err)}")
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
    return _text_document(
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
    warcio = _library("warcio.archiveiterator", "warc")
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
            stopped = f"unreadable WARC after {len(offsets)} records: {_one_line(err)}"
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
            return Skipped(name, f"unreadable record: {_one_line(err)}")

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
    warcio = _library("warcio.archiveiterator", "warc")
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
        return Skipped(name, f"unreadable WARC: {_one_line(err)}")


# --- JSON Lines: one document per line ---------------------------------------------


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
    return _text_document(name, text, encoding, file, digest=digest, date=when)


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


# --- dispatch ----------------------------------------------------------------------

_SINGLE = {"html": read_html, "pdf": read_pdf, "docx": read_docx}


def read_documents(path: str) -> list[Document | Skipped]:
    """Every document in the file at ``path`` (see the module's docstring)."""
    kind = kind_of(path)
    if kind is None:
        return [read_file(path)]
    file = load(path)
    if isinstance(file, Skipped):
        return [file]
    try:
        if kind in _SINGLE:
            return [_SINGLE[kind](file)]
        return read_warc(file) if kind == "warc" else read_jsonl(file)
    except MissingLibrary as missing:
        return [Skipped(path, str(missing))]
    except Exception as err:  # a library failing on a damaged file: skip it, go on
        return [Skipped(path, f"unreadable {kind.upper()}: {_one_line(err)}")]


def read_document(name: str) -> Document | Skipped:
    """The document called ``name`` read again: a file, or ``CONTAINER#RECORD``. A
    record is found through an index of its container, made on the first such read."""
    path, key = split_name(name)
    if key is None:
        if kind_of(path) in ("warc", "jsonl"):
            return Skipped(name, "a container: name one of its records, PATH#RECORD")
        return read_documents(path)[0]
    file = load(path)
    if isinstance(file, Skipped):
        return Skipped(name, file.reason)
    try:
        if kind_of(path) == "warc":
            return read_warc_record(file, key)
        return read_jsonl_record(file, key)
    except MissingLibrary as missing:
        return Skipped(name, str(missing))
    except Exception as err:
        return Skipped(name, f"unreadable: {_one_line(err)}")
