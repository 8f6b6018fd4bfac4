"""Stage 1, read: find text files under the given paths and decode them.

Nothing is ever written to the input. Files that cannot be used (empty, binary) are
returned as ``Skipped`` with a reason instead of raising; a missing path raises
``DedupeError`` because the user asked for something that is not there.

``read_file`` reads one plain text file; ``read_documents`` reads every document of any
file, converting HTML, PDF, DOCX, WARC and JSON Lines with the readers of
``dedupe.formats``, and ``read_document`` reads one of them again by its name.
"""

from __future__ import annotations

import bisect
import os
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property

import xxhash
from charset_normalizer import from_bytes

from .errors import DedupeError

_SNIFF_CHARS = 8192
_BINARY = {"Cc", "Cn", "Co", "Cs"}
_ASCII_CONTROL = re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f]")  # Cc but tab, newlines, form feed


@dataclass(frozen=True)
class Document:
    """A decoded text file, or the text of a converted document. Offsets elsewhere in
    dedupe index into ``text``.

    ``path`` names the document: the file's path, or ``CONTAINER#RECORD`` for a record
    of a WARC or JSON Lines file (see ``dedupe.formats``). ``size`` and ``mtime`` are
    those of the file holding it. ``digest`` identifies the content: the xxh3-128 of the
    file's bytes, or of a record's text (UTF-8). ``date`` is a date the container states
    for the document (a WARC-Date, a JSON Lines ``date``), None when it states none.
    """

    path: str
    text: str
    encoding: str
    size: int
    mtime: float
    digest: str
    date: date | None = None

    @cached_property
    def line_starts(self) -> list[int]:
        """Character offset at which each line begins (line 1 at index 0)."""
        starts = [0]
        find = self.text.find
        pos = find("\n")
        while pos != -1:
            starts.append(pos + 1)
            pos = find("\n", pos + 1)
        return starts

    def line_of(self, char: int) -> int:
        """1-based line number holding character offset ``char``."""
        return bisect.bisect_right(self.line_starts, char)


@dataclass(frozen=True)
class Skipped:
    """A file that was found but not used, and why."""

    path: str
    reason: str


@dataclass
class Collection:
    """What ``read_paths`` found: usable documents, skipped files and decoding notes."""

    documents: list[Document] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def content_digest(data: bytes) -> str:
    """The xxh3-128 hex digest of a file's bytes: equal digests mean identical files."""
    return xxhash.xxh3_128_hexdigest(data)


def iter_files(paths: list[str]) -> list[str]:
    """Every regular file under ``paths`` (recursively, hidden entries skipped), sorted.

    Raises ``DedupeError`` for a path that does not exist.
    """
    found: list[str] = []
    for path in paths:
        if os.path.isdir(path):
            for root, dirs, files in os.walk(path):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                found.extend(os.path.join(root, f) for f in files if not f.startswith("."))
        elif os.path.isfile(path):
            found.append(path)
        else:
            raise DedupeError(f"no such file or directory: {path}")
    return sorted(dict.fromkeys(os.path.normpath(p) for p in found))


def decode(data: bytes) -> tuple[str, str] | None:
    """Decoded text and encoding name of ``data``, or None when it looks binary.

    UTF-8 (with or without BOM) is tried first; other encodings, UTF-16 included,
    are detected by charset-normalizer.
    """
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        pass
    results = from_bytes(data)
    if not results:
        return None
    # Single-byte Western text fits several legacy code pages equally well; of those
    # charset-normalizer finds plausible, Windows-1252 is by far the most common.
    western = [m for m in results if m.encoding == "cp1252"]
    chosen = western[0] if western else results.best()
    return str(chosen), chosen.encoding


def looks_binary(text: str) -> bool:
    """True when more than 1% of the first characters are control or unassigned code points."""
    sample = text[:_SNIFF_CHARS]
    if sample.isascii():
        bad = len(_ASCII_CONTROL.findall(sample))
    else:
        bad = sum(
            1 for ch in sample if ch not in "\t\n\r\f" and unicodedata.category(ch) in _BINARY
        )
    return bad > len(sample) // 100


@dataclass(frozen=True)
class RawFile:
    """A file's bytes and what its directory entry says of it."""

    path: str
    data: bytes
    size: int
    mtime: float


def load(path: str) -> RawFile | Skipped:
    """The bytes of the file at ``path``, or ``Skipped`` if unreadable or blank."""
    try:
        with open(path, "rb") as handle:
            data = handle.read()
        stat = os.stat(path)
    except OSError as err:
        return Skipped(path, f"unreadable: {err.strerror}")
    if not data.strip():
        return Skipped(path, "empty")
    return RawFile(path, data, stat.st_size, stat.st_mtime)


def read_file(path: str) -> Document | Skipped:
    """The decoded document at ``path``, or ``Skipped`` saying why it cannot be used."""
    raw = load(path)
    if isinstance(raw, Skipped):
        return raw
    decoded = decode(raw.data)
    if decoded is None or looks_binary(decoded[0]):
        return Skipped(path, "binary")
    text, encoding = decoded
    if not text.strip():
        return Skipped(path, "empty")
    return Document(path, text, encoding, raw.size, raw.mtime, content_digest(raw.data))


def decoding_note(doc: Document) -> str | None:
    """``PATH: decoded as ENCODING`` when ``doc``'s text was decoded from anything but
    UTF-8, else None (PDF and DOCX text comes out of its reader already decoded)."""
    if doc.encoding in ("utf-8", "pdf", "docx"):
        return None
    return f"{doc.path}: decoded as {doc.encoding}"


def read_paths(paths: list[str]) -> Collection:
    """Read every file under ``paths`` into a ``Collection`` of whole-file documents
    (``read_whole``; deterministic order)."""
    collection = Collection()
    for path in iter_files(paths):
        item = read_whole(path)
        if isinstance(item, Skipped):
            collection.skipped.append(item)
        else:
            collection.documents.append(item)
            note = decoding_note(item)
            if note:
                collection.notes.append(note)
    return collection


def read_documents(path: str) -> list[Document | Skipped]:
    """Every document in the file at ``path``, and what was skipped in it, in file order.

    A plain text file holds one document (``read_file``); HTML, PDF and DOCX files one
    each, their extracted text; WARC and JSON Lines files one per record, named
    ``PATH#RECORD``. See ``dedupe.formats``.
    """
    from .formats import read_documents as read  # formats imports this module

    return read(path)


def read_whole(path: str) -> Document | Skipped:
    """The one document the file at ``path`` is: its text, or the text extracted from an
    HTML, PDF or DOCX file. A WARC or JSON Lines file holds many documents and is
    skipped here (only ``scan`` reads those, through ``read_documents``)."""
    from .formats import CONTAINERS

    if path.lower().endswith(CONTAINERS):
        return Skipped(path, "holds many documents (WARC, JSON Lines): only scan reads those")
    return read_documents(path)[0]


def read_document(name: str) -> Document | Skipped:
    """The document called ``name`` (a path, or ``CONTAINER#RECORD``) read again."""
    from .formats import read_document as read

    return read(name)
