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

import os

from .containers import read_jsonl, read_jsonl_record, read_warc, read_warc_record
from .files import (
    Collection,
    Document,
    Skipped,
    decoding_note,
    list_files,
    load,
    read_file,
)
from .markup import MissingLibrary, one_line, read_docx, read_html, read_pdf

HTML = (".html", ".htm")
PDF = (".pdf",)
DOCX = (".docx",)
WARC = (".warc", ".warc.gz")
JSONL = (".jsonl",)
CONTAINERS = WARC + JSONL


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
        return [Skipped(path, f"unreadable {kind.upper()}: {one_line(err)}")]


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
        return Skipped(name, f"unreadable: {one_line(err)}")


def read_paths(
    paths: list[str], exclude: tuple[str, ...] | list[str] = (), links: bool = True
) -> Collection:
    """Read every file under ``paths`` (``list_files``) into a ``Collection`` of
    whole-file documents (``read_whole``; deterministic order)."""
    listing = list_files(paths, exclude, links)
    collection = Collection(skipped=listing.skipped)
    for path in listing.files:
        item = read_whole(path)
        if isinstance(item, Skipped):
            collection.skipped.append(item)
        else:
            collection.documents.append(item)
            note = decoding_note(item)
            if note:
                collection.notes.append(note)
    return collection


def read_whole(path: str) -> Document | Skipped:
    """The one document the file at ``path`` is: its text, or the text extracted from an
    HTML, PDF or DOCX file. A WARC or JSON Lines file holds many documents and is
    skipped here (only ``scan`` reads those, through ``read_documents``)."""
    if path.lower().endswith(CONTAINERS):
        return Skipped(path, "holds many documents (WARC, JSON Lines): only scan reads those")
    return read_documents(path)[0]
