"""Boilerplate: passages whose text recurs in many documents (page furniture, standard
openings, licence headers) are marked, not reported as reuse between two documents;
so are passages lying mostly inside such text on both sides."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Iterator
from dataclasses import replace
from heapq import heappop, heappush
from itertools import chain

from ..arrays import covered
from ..errors import InvalidParameter
from ..model import Location, Passage

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
    ``within``). A passage marked already stays marked: one found in a boilerplate
    family, whose other members were aligned against its source only, or not at all
    (a query aligns its documents alone). Order and everything else are unchanged."""
    if min_documents < 3:
        raise InvalidParameter("boilerplate_documents", f"must be at least 3, got {min_documents}")
    counts = recurrence(passages, enough=min_documents)
    recurring = [p.boilerplate or n >= min_documents for p, n in zip(passages, counts, strict=True)]
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
