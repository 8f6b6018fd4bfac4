"""Readers of single-document formats, HTML, PDF and DOCX, and what converted formats
share: decoding markup by its declared charset, extracting a page's main text, and
``MissingLibrary`` for a reader whose optional library is not installed."""

from __future__ import annotations

import codecs
import importlib
import io
import logging
import re
from collections.abc import Iterator
from types import ModuleType

from .files import Document, RawFile, Skipped, content_digest, decode, looks_binary

# Labels that browsers read as Windows-1252 (WHATWG Encoding Standard).
_WINDOWS_1252 = {"ascii", "iso8859-1", "cp1252"}

DISTRIBUTION = "dedupe-provenance"


HTML_TYPES = ("text/html", "application/xhtml+xml")


TEXT_TYPES = ("text/plain",)


_META_CHARSET = re.compile(rb"""<meta[^>]*?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)


_SNIFF_BYTES = 4096


class MissingLibrary(Exception):
    """A reader's library is not installed; ``str()`` is the one-line reason."""


def install_hint(extra: str) -> str:
    """The command that installs the readers of ``extra``."""
    return f"pip install '{DISTRIBUTION}[{extra}]'"


def library(module: str, extra: str, distribution: str | None = None) -> ModuleType:
    """The imported ``module``; raises ``MissingLibrary`` naming the ``distribution``
    (default: the module's top package) and the extra that installs it."""
    try:
        return importlib.import_module(module)
    except ImportError as err:
        needed = distribution or module.split(".")[0]
        raise MissingLibrary(f"needs {needed}: {install_hint(extra)}") from err


def one_line(err: BaseException) -> str:
    text = " ".join(str(err).split()) or type(err).__name__
    return text if len(text) <= 200 else text[:199] + "…"


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
    trafilatura = library("trafilatura", "html")
    extracted = trafilatura.extract(
        markup, url=url, include_comments=False, include_tables=True, output_format="txt"
    )
    return paragraphs((extracted or "").splitlines())


def paragraphs(blocks) -> str | None:
    kept = [b.strip() for b in blocks if b and b.strip()]
    return "\n\n".join(kept) + "\n" if kept else None


def text_document(name: str, text: str, encoding: str, file: RawFile, **kw) -> Document:
    return Document(name, text, encoding, file.size, file.mtime, **kw)


def read_html(file: RawFile) -> Document | Skipped:
    decoded = decode_markup(file.data, declared_charset(file.data))
    if decoded is None or looks_binary(decoded[0]):
        return Skipped(file.path, "binary")
    markup, encoding = decoded
    text = html_text(markup)
    if text is None:
        return Skipped(file.path, "no main text")
    return text_document(file.path, text, encoding, file, digest=content_digest(file.data))


def read_pdf(file: RawFile) -> Document | Skipped:
    pypdf = library("pypdf", "pdf")
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
        return Skipped(file.path, f"unreadable PDF: {one_line(err)}")
    text = paragraphs(pages)
    if text is None:
        return Skipped(file.path, "no text layer")
    if looks_binary(text):
        return Skipped(file.path, "text layer is not text (fonts without a Unicode map)")
    return text_document(file.path, text, "pdf", file, digest=content_digest(file.data))


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
    docx = library("docx", "docx", "python-docx")
    try:
        blocks = list(_docx_blocks(docx.Document(io.BytesIO(file.data))))
    except Exception as err:  # not a zip, no document part, bad XML...
        return Skipped(file.path, f"unreadable DOCX: {one_line(err)}")
    text = paragraphs(blocks)
    if text is None:
        return Skipped(file.path, "empty")
    return text_document(file.path, text, "docx", file, digest=content_digest(file.data))
