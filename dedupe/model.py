"""The records every stage after matching and every report share: where a passage lies
(``Location``), the two sides of a shared passage before orientation (``Side``,
``Reuse``), a passage from source to copy (``Passage``), what orientation knows of a
document (``Facts``), how reports describe one (``DocumentInfo``) and what a scan found
(``ScanResult``); ``locate`` and ``excerpt`` make a side's location and excerpt."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from .parameters import Parameters
from .read.files import Document, Skipped


@dataclass(frozen=True)
class Location:
    """Where a passage lies in a file: 1-based inclusive lines, 0-based ``[start, end)`` chars."""

    path: str
    start_line: int
    end_line: int
    start_char: int
    end_char: int


@dataclass(frozen=True)
class Passage:
    """A reused passage: its source and copy, what kind of reuse, and the evidence.
    ``boilerplate`` marks a passage whose cluster recurs across many documents (page
    furniture, standard openings, licence headers) rather than reuse between a few."""

    cluster: int
    kind: str
    similarity: float
    words: int
    evidence: str
    source: Location
    copy: Location
    excerpt: str
    boilerplate: bool = False


@dataclass(frozen=True)
class Side:
    """One side of a shared passage: where it lies, its token span ``[start, end)`` and
    the start of its text."""

    location: Location
    start: int
    end: int
    excerpt: str


@dataclass(frozen=True)
class Reuse:
    """A passage two documents share, before deciding which side is the source."""

    a: Side
    b: Side
    kind: str
    similarity: float
    note: str = ""
    """Evidence of how the passage was found, added to the orientation's evidence."""
    boilerplate: bool = False
    """It lies, on both sides, in segments of a family of similar segments found in many
    documents (decided before alignment; ``dedupe.match.families``)."""


@dataclass(frozen=True)
class Facts:
    """What orientation needs to know of a document."""

    words: int
    date: date | None
    mtime: float


@dataclass(frozen=True)
class DocumentInfo:
    """A scanned document as reports describe it."""

    path: str
    date: date | None
    words: int
    lines: int
    encoding: str


@dataclass
class ScanResult:
    """What ``scan`` found: documents, reused passages, and the files it skipped."""

    parameters: Parameters
    documents: list[DocumentInfo]
    passages: list[Passage]
    skipped: list[Skipped] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


EXCERPT_CHARS = 60


def excerpt(text: str, limit: int = EXCERPT_CHARS) -> str:
    """The start of ``text`` on one line: at most ``limit`` characters, cut at a word
    boundary (inside the first word when it alone is longer), then an ellipsis."""
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    head = flat[: limit + 1]  # a last word that ends at the limit is kept
    cut = head.rsplit(" ", 1)[0] if " " in head else head[:limit]
    return cut + "…"


def locate(doc: Document, start_char: int, end_char: int) -> Location:
    """The ``Location`` of characters ``[start_char, end_char)`` of ``doc``."""
    return Location(
        doc.path, doc.line_of(start_char), doc.line_of(end_char - 1), start_char, end_char
    )
