"""Duplicate groups as the user reads them: the JSON contract (``to_dict``) and the
table, CSV and other formats (``render``), with where each member is (or would be)
moved when quarantining."""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import datetime, timezone

from ..errors import InvalidParameter
from ..report.tables import FORMATS, pretty_json, render_rows
from .find import DuplicateGroup, DuplicatesResult, Member
from .quarantine import Move


def iso_time(mtime: float) -> str:
    """A modification time as ISO 8601 UTC, to the second."""
    return datetime.fromtimestamp(mtime, timezone.utc).isoformat(timespec="seconds")


def _member_dict(m: Member, targets: dict[str, str] | None) -> dict:
    out = {
        "path": m.path,
        "relation": m.relation,
        "jaccard": round(m.jaccard, 4),
        "containment": round(m.containment, 4),
        "words": m.words,
        "mtime": iso_time(m.mtime),
        "digest": m.digest,
    }
    if targets is not None:
        out["moved_to"] = targets.get(m.path)
    return out


def _targets(moves: list[Move] | None) -> dict[str, str] | None:
    return None if moves is None else {m.path: m.target for m in moves}


def group_dict(group: DuplicateGroup, targets: dict[str, str] | None = None) -> dict:
    """One group as the JSON contract spells it; ``targets`` maps member paths to where
    they are (or would be) moved when quarantining."""
    rep = group.representative
    return {
        "group": group.group,
        "representative": {
            "path": rep.path,
            "words": rep.words,
            "mtime": iso_time(rep.mtime),
            "digest": rep.digest,
        },
        "members": [_member_dict(m, targets) for m in group.members],
    }


def to_dict(
    result: DuplicatesResult, moves: list[Move] | None = None, journal: str | None = None
) -> dict:
    """The JSON contract: ``parameters``, ``groups`` and, when quarantining, ``moves``
    (the journal entries, planned or carried out) and ``journal`` (its path, or null
    for a dry run)."""
    targets = _targets(moves)
    out = {
        "parameters": asdict(result.parameters),
        "groups": [group_dict(g, targets) for g in result.groups],
    }
    if moves is not None:
        out["moves"] = [m.entry() for m in moves]
        out["journal"] = journal
    return out


def columns(quarantining: bool) -> list[str]:
    """Column names of the tabular formats."""
    cols = ["group", "relation", "path", "jaccard", "containment", "words", "mtime"]
    return cols + ["moved_to"] if quarantining else cols


def rows(result: DuplicatesResult, moves: list[Move] | None = None) -> list[list]:
    """One row per document of each group (the representative first, relation
    ``keep``), in ``columns`` order."""
    moved_to = _targets(moves)
    table = []
    for g in result.groups:
        rep = g.representative
        row = [g.group, "keep", rep.path, "", "", rep.words, iso_time(rep.mtime)]
        table.append(row + [""] if moved_to is not None else row)
        for m in g.members:
            row = [g.group, m.relation, m.path, f"{m.jaccard:.2f}", f"{m.containment:.2f}"]
            row += [m.words, iso_time(m.mtime)]
            table.append(row + [moved_to.get(m.path, "")] if moved_to is not None else row)
    return table


def render(
    result: DuplicatesResult,
    fmt: str,
    moves: list[Move] | None = None,
    journal: str | None = None,
) -> str:
    """``result`` in format ``fmt`` (one of ``FORMATS``), ending with a newline.

    ``moves`` (from ``dedupe.quarantine``) adds where each member was (or would be)
    moved, and ``journal`` the journal that records it.
    """
    if fmt == "json":
        return pretty_json(to_dict(result, moves, journal))
    if fmt == "jsonl":
        return "".join(
            json.dumps(g, ensure_ascii=False) + "\n" for g in to_dict(result, moves)["groups"]
        )
    cols = columns(moves is not None)
    table = rows(result, moves)
    if fmt not in FORMATS:
        raise InvalidParameter("format", f"must be one of {', '.join(FORMATS)}, got {fmt!r}")
    if not table and fmt != "csv":
        return "No duplicate documents found.\n"
    return render_rows(table, cols, fmt)
