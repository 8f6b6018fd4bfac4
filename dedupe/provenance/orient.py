"""Stage 7, provenance: which copy of a passage is the source, and the evidence for it.

Evidence is used in this order: dates stated in the documents' headers, containment
(a document mostly contained in the other is the copy, such as an excerpt), file
modification times more than a day apart. Without any of these the direction is
``unknown`` and the pair is listed in path order.

Passages whose text recurs in many documents (page furniture, standard openings,
licence headers) are marked ``boilerplate`` (see ``mark_boilerplate``).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from datetime import date
from heapq import heappop, heappush
from itertools import chain

import numpy as np

from ..arrays import covered
from ..errors import DedupeError
from ..read.files import Document

HEADER_LINES = 30
SHORT_LINE = 80
CONTAINED = 0.5
MTIME_SLACK = 86400.0
EXCERPT_CHARS = 60

_MONTHS = {
    m: k
    for k, m in enumerate(
        ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"],
        start=1,
    )
}
_MONTH = r"(?P<month>(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*)\.?"
_DATE = re.compile(
    rf"\b{_MONTH}\s+(?P<day>\d{{1,2}}),?\s+(?P<year>\d{{4}})\b"
    rf"|\b(?P<day2>\d{{1,2}})\s+{_MONTH.replace('month', 'month2')}\s+(?P<year2>\d{{4}})\b"
    r"|\b(?P<iso>\d{4}-\d{2}-\d{2})\b",
    re.IGNORECASE,
)
_ON_DATE = re.compile(rf"^\s*on\s+(?={_DATE.pattern})", re.IGNORECASE)


def parse_date(match: re.Match) -> date | None:
    """The calendar date a ``_DATE`` match names, or None if it is not a real date."""
    try:
        if match["iso"]:
            return date.fromisoformat(match["iso"])
        if match["month"]:
            month, day, year = match["month"], match["day"], match["year"]
        else:
            month, day, year = match["month2"], match["day2"], match["year2"]
        return date(int(year), _MONTHS[month[:3].lower()], int(day))
    except (KeyError, ValueError):
        return None


def document_date(text: str) -> date | None:
    """The date a document states in its header, or None.

    Only the first ``HEADER_LINES`` lines are read, and a date counts when it stands on a
    short line (a dateline such as ``Dec. 9, 2019`` or ``China.org.cn | December 11,
    2019``) or opens a sentence (``On June 19, 2020, ...``); dates in the body are
    events, not the document's own date.
    """
    for line in text.splitlines()[:HEADER_LINES]:
        stripped = line.strip()
        if len(stripped) > SHORT_LINE and not _ON_DATE.match(stripped):
            continue
        for match in _DATE.finditer(stripped):
            found = parse_date(match)
            if found is not None:
                return found
    return None


def source_rank(stated: date | None, words: int, mtime: float, path: str) -> tuple:
    """A sort key putting the likeliest source of a text many documents share first:
    earliest stated date (undated last), then most words, oldest file, path."""
    return (stated is None, stated or date.min, -words, mtime, path)


@dataclass(frozen=True)
class Direction:
    """Which of two documents is the source, and why. ``source`` is 0 or 1."""

    source: int
    basis: str
    evidence: str


def direction(
    mtimes: tuple[float, float],
    dates: tuple[date | None, date | None],
    contained: tuple[float, float],
) -> Direction:
    """Decide which of two documents is the source of what they share.

    ``contained[k]`` is the share of document k's words found in passages shared with
    the other document; ``mtimes`` are the files' modification times.
    """
    if dates[0] and dates[1] and dates[0] != dates[1]:
        src = 0 if dates[0] < dates[1] else 1
        return Direction(
            src, "date", f"date: source dated {dates[src]}, copy dated {dates[1 - src]}"
        )
    mostly = [c >= CONTAINED for c in contained]
    if mostly[0] != mostly[1]:
        src = 1 if mostly[0] else 0
        return Direction(
            src,
            "containment",
            f"containment: {contained[1 - src]:.0%} of the copy's file is shared with the "
            f"source's, {contained[src]:.0%} the other way",
        )
    if abs(mtimes[0] - mtimes[1]) > MTIME_SLACK:
        src = 0 if mtimes[0] < mtimes[1] else 1
        return Direction(src, "mtime", "mtime: source file modified earlier (no dates in text)")
    if dates[0] and dates[0] == dates[1]:
        stated = f"both dated {dates[0]}"
    else:
        stated = "only one dated" if dates[0] or dates[1] else "no dates"
    return Direction(
        0, "unknown", f"unknown: {stated}, no containment, file times alike; listed in path order"
    )


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


def clusters(spans: list[tuple[Location, Location]]) -> list[int]:
    """A cluster number (from 1, in list order) for each pair of locations.

    Pairs are in one cluster when they overlap, directly or through other pairs, in
    some file: the same text reused in several places.
    """
    parent = list(range(len(spans)))

    def root(k: int) -> int:
        while parent[k] != k:
            parent[k] = parent[parent[k]]
            k = parent[k]
        return k

    by_path: dict[str, list[tuple[int, int, int]]] = {}
    for k, pair in enumerate(spans):
        for loc in pair:
            by_path.setdefault(loc.path, []).append((loc.start_char, loc.end_char, k))
    for intervals in by_path.values():
        intervals.sort()
        reach, owner = -1, -1
        for start, end, k in intervals:
            if start < reach:
                parent[root(k)] = root(owner)
            if end > reach:
                reach, owner = end, k
    numbers: dict[int, int] = {}
    return [numbers.setdefault(root(k), len(numbers) + 1) for k in range(len(spans))]


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


@dataclass(frozen=True)
class Facts:
    """What orientation needs to know of a document."""

    words: int
    date: date | None
    mtime: float


def contained_share(sides: list[Side], words: int) -> float:
    """Share of a document's ``words`` covered by ``sides`` (all in that document)."""
    if not sides or not words:
        return 0.0
    covered = np.zeros(words, dtype=bool)
    for side in sides:
        covered[side.start : side.end] = True
    return float(covered.mean())


def orient(reuses: list[Reuse], facts: dict[str, Facts]) -> list[Passage]:
    """Every reuse as a ``Passage`` from source to copy, with cluster numbers, in report
    order. ``facts`` describes each document by path; the direction is decided once per
    document pair, from all it shares (see ``direction``)."""
    by_pair: dict[tuple[str, str], list[Reuse]] = {}
    for reuse in reuses:
        by_pair.setdefault((reuse.a.location.path, reuse.b.location.path), []).append(reuse)
    ways = {}
    for (a, b), group in by_pair.items():
        shares = (
            contained_share([r.a for r in group], facts[a].words),
            contained_share([r.b for r in group], facts[b].words),
        )
        ways[(a, b)] = direction(
            (facts[a].mtime, facts[b].mtime), (facts[a].date, facts[b].date), shares
        )
    oriented = []
    for reuse in reuses:
        way = ways[(reuse.a.location.path, reuse.b.location.path)]
        src, cpy = (reuse.a, reuse.b) if way.source == 0 else (reuse.b, reuse.a)
        oriented.append((src, cpy, reuse, way))
    oriented.sort(
        key=lambda o: (
            o[0].location.path,
            o[0].location.start_char,
            o[1].location.path,
            o[1].location.start_char,
        )
    )
    numbers = clusters([(src.location, cpy.location) for src, cpy, _, _ in oriented])
    return [
        Passage(
            number,
            reuse.kind,
            round(reuse.similarity, 4),
            cpy.end - cpy.start,
            f"{way.evidence}; {reuse.note}" if reuse.note else way.evidence,
            src.location,
            cpy.location,
            cpy.excerpt,
        )
        for number, (src, cpy, reuse, way) in zip(numbers, oriented, strict=True)
    ]


RECURRING = 0.5
"""Share of one side of a passage that another document's passages must cover for the
passage's text to count as recurring in that document too."""


def recurrence(passages: list[Passage], enough: int | None = None) -> list[int]:
    """For each passage, the number of documents its text recurs in: its source and
    copy, and every other document whose passages cover at least ``RECURRING`` of the
    passage's source or copy side (text shared with that side is in that document
    too). With ``enough``, counting stops there: a count of at least ``enough`` only
    says so much.

    This is not the number of documents of the passage's cluster: clusters chain
    through overlaps (A quoted in B, another part of B quoted in C), so a cluster can
    span many documents while no text of it is in more than two.
    """
    by_path: dict[str, list[tuple[int, int, int, str]]] = {}
    for k, p in enumerate(passages):
        for side, other in ((p.source, p.copy.path), (p.copy, p.source.path)):
            by_path.setdefault(side.path, []).append((side.start_char, side.end_char, k, other))
    found = [{p.source.path, p.copy.path} for p in passages]
    for items in by_path.values():
        # One sweep by start: ``active`` holds the sides that started before and have
        # not ended, so each side meets only the sides it overlaps.
        items.sort()
        active: dict[int, tuple[int, int, int, str]] = {}
        ends: list[tuple[int, int]] = []
        for position, (start, end, k, _) in enumerate(items):
            while ends and ends[0][0] <= start:
                del active[heappop(ends)[1]]
            if enough is None or len(found[k]) < enough:
                later = _starting_before(items, position + 1, end)
                _recurs_in(found[k], start, end, chain(active.values(), later), enough)
            active[position] = items[position]
            heappush(ends, (end, position))
    return [len(documents) for documents in found]


def _starting_before(
    items: list[tuple[int, int, int, str]], first: int, end: int
) -> Iterator[tuple[int, int, int, str]]:
    """``items[first:]`` (sorted by start) that start before ``end``."""
    for position in range(first, len(items)):
        if items[position][0] >= end:
            return
        yield items[position]


def _recurs_in(
    documents: set[str],
    start: int,
    end: int,
    overlapping: Iterable[tuple[int, int, int, str]],
    enough: int | None,
) -> None:
    """Add to ``documents`` the other documents of the ``overlapping`` sides (in the
    same file as ``[start, end)``) that cover at least ``RECURRING`` of it."""
    need = RECURRING * (end - start)
    pieces: dict[str, list[tuple[int, int]]] = {}
    for other_start, other_end, _, other in overlapping:
        low, high = max(start, other_start), min(end, other_end)
        if other in documents or low >= high:
            continue
        pieces.setdefault(other, []).append((low, high))
        if covered(pieces[other], start, end) >= need:
            documents.add(other)
            if enough is not None and len(documents) >= enough:
                return


def mark_boilerplate(passages: list[Passage], min_documents: int) -> list[Passage]:
    """``passages`` with ``boilerplate`` set on those whose text recurs in at least
    ``min_documents`` documents (see ``recurrence``): page furniture, standard
    openings, licence headers; and on those lying inside such text on both sides (see
    ``within``). Order and everything else are unchanged."""
    if min_documents < 3:
        raise DedupeError(f"boilerplate needs at least 3 documents, got {min_documents}")
    counts = recurrence(passages, enough=min_documents)
    recurring = [n >= min_documents for n in counts]
    inside = within(passages, recurring)
    return [
        replace(p, boilerplate=r or i) for p, r, i in zip(passages, recurring, inside, strict=True)
    ]


def within(passages: list[Passage], marked: list[bool]) -> list[bool]:
    """For each passage, whether the ``marked`` passages cover at least ``RECURRING``
    of both its sides: text between two documents (a licence in a wording only they
    carry, the line naming each book around it) lying inside text each of them shares
    with many documents."""
    cover: dict[str, list[tuple[int, int]]] = {}
    for p, mark in zip(passages, marked, strict=True):
        if mark:
            for side in (p.source, p.copy):
                cover.setdefault(side.path, []).append((side.start_char, side.end_char))
    merged = {path: _merged(intervals) for path, intervals in cover.items()}

    def mostly_inside(side: Location) -> bool:
        starts, ends = merged.get(side.path, ((), ()))
        first = bisect_right(ends, side.start_char)
        total = 0
        for start, end in zip(starts[first:], ends[first:], strict=True):
            if start >= side.end_char:
                break
            total += min(end, side.end_char) - max(start, side.start_char)
        return total >= RECURRING * (side.end_char - side.start_char)

    return [
        mark or (mostly_inside(p.source) and mostly_inside(p.copy))
        for p, mark in zip(passages, marked, strict=True)
    ]


def _merged(intervals: list[tuple[int, int]]) -> tuple[list[int], list[int]]:
    """The union of ``[start, end)`` intervals as sorted, disjoint starts and ends."""
    starts: list[int] = []
    ends: list[int] = []
    for start, end in sorted(intervals):
        if ends and start <= ends[-1]:
            ends[-1] = max(ends[-1], end)
        else:
            starts.append(start)
            ends.append(end)
    return starts, ends
