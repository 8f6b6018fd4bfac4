"""Stage 8, report: render a ``ScanResult`` as a table, CSV, JSON, JSON lines or Markdown.

The JSON form is the stable contract (see README): the same input gives byte-identical
output. Boilerplate passages are marked in every format (``boilerplate`` in JSON and CSV,
``KIND (boilerplate)`` in the table and Markdown), or left out (``without_boilerplate``).
"""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from dataclasses import asdict, replace

import orjson
from tabulate import tabulate

from ..model import Location, Passage, ScanResult
from .html import render_html

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
        "passages": [_passage_dict(p) for p in result.passages],
    }


def _passage_dict(passage: Passage) -> dict:
    """``asdict(passage)``, built directly (a report holds tens of thousands)."""
    fields = dict(vars(passage))
    fields["source"], fields["copy"] = dict(vars(passage.source)), dict(vars(passage.copy))
    return fields


def rows(result: ScanResult) -> list[list]:
    """One row per passage for the table and Markdown, in ``COLUMNS`` order; the kind of
    a boilerplate passage reads ``KIND (boilerplate)``. Places are ``PATH:LINES``, with
    the characters added where two passages would read alike (two passages on the
    same lines)."""
    places = [(_place(p.source), _place(p.copy)) for p in result.passages]
    repeated = {place for place, n in Counter(places).items() if n > 1}
    return [
        [
            p.cluster,
            *((_place(p.source, True), _place(p.copy, True)) if place in repeated else place),
            f"{p.kind} (boilerplate)" if p.boilerplate else p.kind,
            f"{p.similarity:.2f}",
            p.words,
            p.evidence,
            p.excerpt,
        ]
        for p, place in zip(result.passages, places, strict=True)
    ]


def _place(location: Location, chars: bool = False) -> str:
    """``PATH:START-END`` lines, and ``(chars S-E)`` with ``chars``."""
    lines = f"{location.path}:{location.start_line}-{location.end_line}"
    return f"{lines} (chars {location.start_char}-{location.end_char})" if chars else lines


def csv_rows(result: ScanResult) -> list[list]:
    """One row per passage for CSV, in ``CSV_COLUMNS`` order: places are always
    ``PATH:LINES`` (the characters are in JSON), ``kind`` is the bare kind and
    ``boilerplate`` is ``true`` or ``false``, as in JSON."""
    return [
        [row[0], _place(p.source), _place(p.copy), p.kind, *row[4:], str(p.boilerplate).lower()]
        for row, p in zip(rows(result), result.passages, strict=True)
    ]


def render(result: ScanResult, fmt: str) -> str:
    """``result`` in format ``fmt`` (one of ``FORMATS``, or ``html``), ending with a
    newline."""
    if fmt == "html":
        return render_html(result)
    if fmt == "json":
        return pretty_json(to_dict(result))
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


def pretty_json(value: dict | list) -> str:
    """``value`` as JSON indented by two spaces, characters beyond ASCII as they are,
    ending with a newline, written by orjson (0.66 -> 0.08 s for 28,000 passages). For
    the values a report holds (text, integers, floats rounded to four places) this is
    the text of ``json.dumps(value, indent=2, ensure_ascii=False)``; a float below 1e-4
    would be written without an exponent."""
    return orjson.dumps(value, option=orjson.OPT_INDENT_2).decode("utf-8") + "\n"


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
