"""Stage 7, provenance: which copy of a passage is the source, and the evidence for it.

Evidence is used in this order: dates stated in the documents' headers, containment
(a document mostly contained in the other is the copy, such as an excerpt), file
modification times more than a day apart. Without any of these the direction is
``unknown`` and the pair is listed in path order.

Passages are numbered in clusters (text shared in several places) and put in report
order. Which of them are boilerplate is decided in ``boilerplate``; a reuse found in a
boilerplate family (``Reuse.boilerplate``) comes out of ``orient`` marked already.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from ..arrays import covered
from ..model import Facts, Location, Passage, Reuse, Side

CONTAINED = 0.5
MTIME_SLACK = 86400.0


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
    )  # the caller lists the pair in path order


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


def contained_share(sides: list[Side], words: int) -> float:
    """Share of a document's ``words`` covered by ``sides`` (all in that document)."""
    if not sides or not words:
        return 0.0
    return covered([(side.start, side.end) for side in sides], 0, words) / words


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
        way = direction((facts[a].mtime, facts[b].mtime), (facts[a].date, facts[b].date), shares)
        if way.basis == "unknown" and b < a:
            way = replace(way, source=1)
        ways[(a, b)] = way
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
            reuse.boilerplate,
        )
        for number, (src, cpy, reuse, way) in zip(numbers, oriented, strict=True)
    ]
