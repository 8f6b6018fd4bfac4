"""What the index stores and returns, row by row: signed segments of a prepared document,
the state of a file against its stored record, and stored passages read back."""

from __future__ import annotations

import os
from dataclasses import dataclass, replace

from ..model import DocumentInfo, Location, Reuse, Side
from ..parameters import CONTENT, VERBATIM, Parameters
from ..read.files import Document, Skipped, content_digest
from ..read.formats import read_whole
from ..text.prepared import Prepared, PreparedStore, prepare
from ..text.segment import Segment
from ..text.sketch import describe, sign


@dataclass
class AddStats:
    """What ``Index.add`` did: files signed (new or changed), unchanged, and skipped."""

    signed: list[str]
    unchanged: int
    skipped: list[Skipped]


@dataclass(frozen=True)
class Status:
    """An indexed document's state on disk: ``indexed``, ``changed`` or ``vanished``;
    or ``new`` for a file under the given paths that is not indexed yet."""

    path: str
    state: str


@dataclass(frozen=True)
class SegmentRow:
    """An indexed segment: its id, document path and token span."""

    id: int
    path: str
    start: int
    end: int


def index_files(path: str) -> list[str]:
    """The index file at ``path`` and the files SQLite keeps beside it."""
    return [path + suffix for suffix in ("", "-wal", "-shm", "-journal")]


def key(path: str) -> str:
    """How the index names a file: its absolute, normalised path."""
    return os.path.abspath(path)


def file_state(path: str, size: int, mtime: float, digest: str) -> str:
    try:
        stat = os.stat(path)
    except FileNotFoundError:
        return "vanished"
    if stat.st_size == size and stat.st_mtime == mtime:
        return "indexed"
    with open(path, "rb") as handle:
        return "indexed" if content_digest(handle.read()) == digest else "changed"


def reuse_from_record(record: dict) -> Reuse:
    def side(s: dict) -> Side:
        return Side(Location(**s["location"]), s["start"], s["end"], s["excerpt"])

    return Reuse(
        side(record["a"]),
        side(record["b"]),
        record["kind"],
        record["similarity"],
        record["note"],
        record["boilerplate"],
    )


@dataclass(frozen=True)
class SignedFile:
    """A file ready to be written to the index: its document without the text, how
    reports describe it, and its signed segment rows (``signed_rows``)."""

    doc: Document
    info: DocumentInfo
    rows: list[tuple]


def signed_files(
    paths: list[str], params: Parameters, store: PreparedStore | None = None
) -> list[SignedFile | Skipped]:
    """Each file at ``paths`` read, prepared and signed (``SignedFile``), or skipped
    with the reason; each prepared document is kept in ``store`` if given. The work of
    ``Index.add`` that runs in worker processes."""
    found: list[SignedFile | Skipped] = []
    for path in paths:
        doc = read_whole(path)
        if isinstance(doc, Skipped):
            found.append(doc)
            continue
        prepared = prepare(doc, params)
        if store is not None:
            store.put(prepared)
        info = describe(doc, prepared.words)
        found.append(SignedFile(replace(doc, text=""), info, signed_rows(prepared, params)))
    return found


def signed_rows(prepared: Prepared, params: Parameters) -> list[tuple]:
    """``(segment, {family: band keys}, word n-gram set, content set)`` for each signed
    segment of a prepared document, signed as a scan signs it (``text.sketch.sign``), in
    both families whatever ``params.paraphrase`` says (an index keeps both); band keys
    are uint64 arrays, None for an empty set."""
    signed = sign(prepared, 0, replace(params, paraphrase=True))
    rows = []
    for k, (_, start, end) in enumerate(signed.ranges.tolist()):
        seg = Segment(0, start, end, int(prepared.starts[start]), int(prepared.ends[end - 1]))
        keys = {
            family: signed.keys[family][k] if signed.present[family][k] else None
            for family in (VERBATIM, CONTENT)
        }
        rows.append((seg, keys, signed.verbatim[k], signed.content[k]))
    return rows
