"""Stage 8, report: render a ``ScanResult`` as a table, CSV, JSON, JSON lines or Markdown.

The JSON form is the stable contract (see README): the same input gives byte-identical
output. Boilerplate passages are marked in every format (``boilerplate`` in JSON and CSV,
``KIND (boilerplate)`` in the table and Markdown), or left out (``without_boilerplate``).
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import asdict, replace

from tabulate import tabulate

from .html_report import render_html
from .scan import ScanResult

FORMATS = ("table", "csv", "json", "jsonl", "markdown")
# Passage reports also come as a page to read and a database to query (``html_report``,
# ``sqlite_report``).
PASSAGE_FORMATS = (*FORMATS, "html", "sqlite")
COLUMNS = ["cluster", "source", "copy", "kind", "similarity", "words", "evidence", "excerpt"]
CSV_COLUMNS = [*COLUMNS, "boilerplate"]


def without_boilerplate(result: ScanResult) -> ScanResult:
    """``result`` less its boilerplate passages (the others keep their cluster numbers)."""
    return replace(result, passages=[p for p in result.passages if not p.boilerplate])


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
    """One row per passage for the table and Markdown, in ``COLUMNS`` order; the kind of
    a boilerplate passage reads ``KIND (boilerplate)``."""
    return [
        [
            p.cluster,
            f"{p.source.path}:{p.source.start_line}-{p.source.end_line}",
            f"{p.copy.path}:{p.copy.start_line}-{p.copy.end_line}",
            f"{p.kind} (boilerplate)" if p.boilerplate else p.kind,
            f"{p.similarity:.2f}",
            p.words,
            p.evidence,
            p.excerpt,
        ]
        for p in result.passages
    ]


def csv_rows(result: ScanResult) -> list[list]:
    """One row per passage for CSV, in ``CSV_COLUMNS`` order: ``kind`` is the bare kind
    and ``boilerplate`` is ``true`` or ``false``, as in JSON."""
    return [
        [*row[:3], p.kind, *row[4:], "true" if p.boilerplate else "false"]
        for row, p in zip(rows(result), result.passages, strict=True)
    ]


def render(result: ScanResult, fmt: str) -> str:
    """``result`` in format ``fmt`` (one of ``FORMATS``, or ``html``), ending with a
    newline."""
    if fmt == "html":
        return render_html(result)
    if fmt == "json":
        return json.dumps(to_dict(result), indent=2, ensure_ascii=False) + "\n"
    if fmt == "jsonl":
        return "".join(
            json.dumps(p, ensure_ascii=False) + "\n" for p in to_dict(result)["passages"]
        )
    if fmt == "csv":
        return render_rows(csv_rows(result), CSV_COLUMNS, "csv")
    table = rows(result)
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
