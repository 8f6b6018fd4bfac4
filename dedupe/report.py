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
        return render_rows(table, COLUMNS, "csv")
    if not table:
        return "No reused passages found.\n"
    return render_rows(table, COLUMNS, fmt)


def render_rows(rows: list[list], headers: list[str], fmt: str) -> str:
    """Plain rows as a table ("table" or "markdown"), CSV or a JSON list of objects,
    ending with a newline."""
    if fmt == "json":
        return json.dumps([dict(zip(headers, row, strict=True)) for row in rows], indent=2) + "\n"
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(headers)
        writer.writerows(rows)
        return out.getvalue()
    if fmt == "markdown":
        cells = [[str(cell).replace("|", "\\|") for cell in row] for row in rows]
        return tabulate(cells, headers=headers, tablefmt="github", disable_numparse=True) + "\n"
    return tabulate(rows, headers=headers, tablefmt="simple", disable_numparse=True) + "\n"
