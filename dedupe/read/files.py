"""Stage 1, read: find text files under the given paths and decode them.

Nothing is ever written to the input, and only regular files are read. Files that cannot
be used (empty, binary, a FIFO or device) are returned as ``Skipped`` with a reason
instead of raising; a missing path raises ``MissingInput`` because the user asked for
something that is not there.

``read_file`` reads one plain text file; ``dedupe.read.formats`` reads the documents of
files of other formats, and whole collections (``read_paths``).
"""

from __future__ import annotations

import os
import re
import stat
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property

import numpy as np
import xxhash
from charset_normalizer import from_bytes

from ..arrays import code_points
from ..errors import MissingInput

_SNIFF_CHARS = 8192
UTF8_SHARE = 1  # valid multi-byte characters per damaged byte, at least, to read as UTF-8
LEGACY_HIGH_SHARE = 0.1  # bytes above 127, at most, for mostly-ASCII legacy text
_HIGH_BYTES = bytes(range(128, 256))
_BINARY = {"Cc", "Cn", "Co", "Cs"}
_ASCII_CONTROL = re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f]")  # Cc but tab, newlines, form feed


@dataclass(frozen=True)
class Document:
    """A decoded text file, or the text of a converted document. Offsets elsewhere in
    dedupe index into ``text``.

    ``path`` names the document: the file's path, or ``CONTAINER#RECORD`` for a record
    of a WARC or JSON Lines file (see ``dedupe.read.formats``). ``size`` and ``mtime`` are
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
    def line_starts(self) -> np.ndarray:
        """Character offset at which each line begins (line 1 at index 0)."""
        newlines = np.flatnonzero(code_points(self.text) == ord("\n"))
        return np.concatenate([[0], newlines + 1])

    def line_of(self, char: int) -> int:
        """1-based line number holding character offset ``char``."""
        return int(np.searchsorted(self.line_starts, char, side="right"))


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


@dataclass
class Listing:
    """What ``list_files`` found: the files to read, and the entries that cannot be read
    (a FIFO, a device, a broken link, an unreadable folder) with why."""

    files: list[str] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)


def list_files(
    paths: list[str], exclude: tuple[str, ...] | list[str] = (), links: bool = True
) -> Listing:
    """Every regular file under ``paths`` (recursively, hidden entries skipped), sorted.

    Anything else found (a FIFO, a device, a socket, a broken link, a folder that cannot
    be listed) is skipped with the reason, and so is a symbolic link unless ``links``.
    Files and folders in ``exclude`` (such as an index or a quarantine folder inside a
    scanned folder) are left out silently. Raises ``MissingInput`` for a path that does
    not exist.
    """
    excluded = {os.path.realpath(e) for e in exclude}
    found: list[str] = []
    skipped: list[Skipped] = []

    def unlisted(err: OSError) -> None:
        skipped.append(Skipped(err.filename, f"unreadable folder: {err.strerror}"))

    for path in paths:
        if not os.path.lexists(path):
            raise MissingInput(f"no such file or directory: {path}")
        if os.path.isdir(path) and (links or not os.path.islink(path)):
            for root, dirs, files in os.walk(path, onerror=unlisted):
                dirs[:] = sorted(
                    d
                    for d in dirs
                    if not d.startswith(".")
                    and os.path.realpath(os.path.join(root, d)) not in excluded
                )
                found.extend(os.path.join(root, f) for f in files if not f.startswith("."))
        else:
            found.append(path)
    listing = Listing(skipped=skipped)
    for path in sorted(dict.fromkeys(os.path.normpath(p) for p in found)):
        if os.path.realpath(path) in excluded:
            continue
        why = _not_regular(path, links)
        if why:
            listing.skipped.append(Skipped(path, why))
        else:
            listing.files.append(path)
    listing.skipped.sort(key=lambda s: s.path)
    return listing


def _not_regular(path: str, links: bool) -> str | None:
    """Why ``path`` is not a regular file to read, or None when it is one."""
    if not links and os.path.islink(path):
        return "symbolic link (not followed here)"
    try:
        mode = os.stat(path).st_mode
    except OSError as err:
        if os.path.islink(path):
            return "broken symbolic link"
        return f"unreadable: {err.strerror}"
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISFIFO(mode):
        return "not a regular file (a FIFO)"
    if stat.S_ISDIR(mode):
        return "symbolic link to a folder (not followed here)"
    return "not a regular file (a device or socket)"


def decode(data: bytes) -> tuple[str, str] | None:
    """Decoded text and encoding name of ``data``, or None when it looks binary.

    UTF-8 (with or without BOM) is tried first. Text that is UTF-8 but for a few
    damaged bytes (at least ``UTF8_SHARE`` times as many valid multi-byte characters as
    undecodable bytes) is decoded as UTF-8 with each damaged byte replaced by U+FFFD,
    and its encoding reads ``utf-8 (N undecodable bytes replaced)``. Otherwise, text
    that is mostly ASCII (at most ``LEGACY_HIGH_SHARE`` of its bytes above 127, no NUL)
    is Windows-1252, the most common legacy code page and a superset of Latin-1's
    printable characters; anything else (UTF-16, Cyrillic or Greek code pages, CJK
    encodings) is detected by charset-normalizer.
    """
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        pass
    replaced = data.decode("utf-8-sig", errors="replace")
    damaged = replaced.count("\ufffd")
    multibyte = sum(1 for ch in replaced if ch > "\x7f") - damaged
    if multibyte >= UTF8_SHARE * damaged:
        return replaced, f"utf-8 ({damaged} undecodable bytes replaced)"
    high = len(data) - len(data.translate(None, _HIGH_BYTES))
    if b"\0" not in data and high <= LEGACY_HIGH_SHARE * len(data):
        try:
            return data.decode("cp1252"), "cp1252"
        except UnicodeDecodeError:
            return data.decode("latin-1"), "latin-1"
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
    """The bytes of the regular file at ``path``, or ``Skipped`` if it is unreadable,
    blank or not a regular file (opened without blocking, so a FIFO that took a
    file's place since it was listed cannot hang the read)."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as err:
        return Skipped(path, f"unreadable: {err.strerror}")
    with open(fd, "rb") as handle:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            return Skipped(path, "not a regular file")
        try:
            data = handle.read()
        except OSError as err:
            return Skipped(path, f"unreadable: {err.strerror}")
    if not data.strip():
        return Skipped(path, "empty")
    return RawFile(path, data, info.st_size, info.st_mtime)


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
    if doc.encoding.startswith("utf-8 "):
        return f"{doc.path}: damaged UTF-8, decoded as {doc.encoding}"
    return f"{doc.path}: decoded as {doc.encoding}"
