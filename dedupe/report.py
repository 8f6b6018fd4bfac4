"""Stage 8, report: render a ``ScanResult`` as a table, CSV, JSON, JSON lines or Markdown.

The JSON form is the stable contract (see README): the same input gives byte-identical
output.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import asdict

from tabulate import tabulate

from .scan import ScanResult

FORMATS = ("table", "csv", "json", "jsonl", "markdown")
COLUMNS = ["cluster", "source", "copy", "kind", "similarity", "words", "evidence", "excerpt"]


def to_dict(result: ScanResult) -> dict:
    """The JSON contract: ``parameters``, ``documents`` and ``passages``."""
    return {
        "parameters": asdict(result.parameters),
        "documents": [
            {**asdict(d), "date": d.date.isoformat() if d.date else None} for d in result.documents
        ],
        "passages": [asdict(p) for p in result.passages],
    }


def rows(result: ScanResult) -> list[list]:
    """One row per passage for the tabular formats, in ``COLUMNS`` order."""
    return [
        [
            p.cluster,
            f"{p.source.path}:{p.source.start_line}-{p.source.end_line}",
            f"{p.copy.path}:{p.copy.start_line}-{p.copy.end_line}",
            p.kind,
            f"{p.similarity:.2f}",
            p.words,
            p.evidence,
            p.excerpt,
        ]
        for p in result.passages
    ]


def render(result: ScanResult, fmt: str) -> str:
    """``result`` in format ``fmt`` (one of ``FORMATS``), ending with a newline."""
    if fmt == "json":
        return json.dumps(to_dict(result), indent=2, ensure_ascii=False) + "\n"
    if fmt == "jsonl":
        return "".join(
            json.dumps(p, ensure_ascii=False) + "\n" for p in to_dict(result)["passages"]
        )
    table = rows(result)
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(COLUMNS)
        writer.writerows(table)
        return out.getvalue()
    if not table:
        return "No reused passages found.\n"
    style = "github" if fmt == "markdown" else "simple"
    return tabulate(table, headers=COLUMNS, tablefmt=style, disable_numparse=True) + "\n"
