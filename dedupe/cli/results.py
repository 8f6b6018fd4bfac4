"""Writing a result: the report on stdout or to a file, the summary on stderr."""

from __future__ import annotations

import click

from ..model import ScanResult
from ..report.output import check_output, needs_printable, printable_fields, write
from ..report.sqlite import check_target, write_sqlite
from ..report.tables import render, without_boilerplate
from ..store.records import index_files


def summarise(result: ScanResult, hidden: int = 0) -> list[str]:
    """Lines for stderr: skipped files, notes on decoding and on files changed during
    the run, then one summary line (the passages reported, the boilerplate among them
    or ``hidden`` from the report)."""
    lines = [f"warning: skipped {s.path}: {s.reason}" for s in result.skipped]
    lines += [f"note: {n}" for n in result.notes]
    marked = sum(p.boilerplate for p in result.passages)
    extras = []
    if hidden:
        extras.append(f"{hidden} boilerplate passages left out")
    elif marked:
        extras.append(f"{marked} of them boilerplate, which --no-boilerplate leaves out")
    lines.append(
        f"{len(result.documents)} documents scanned, {len(result.skipped)} skipped, "
        f"{len(result.passages)} reused passages" + (f" ({'; '.join(extras)})" if extras else "")
    )
    return lines


def log_to(quiet: bool, verbose: bool = True):
    """Where the library's progress messages go: stderr with ``verbose``, else nowhere."""
    return (lambda m: click.echo(m, err=True)) if verbose and not quiet else (lambda _: None)


def refuse_bad_output(
    output: str | None, fmt: str, inputs: list[str], protected: list[str] = ()
) -> None:
    """Refuse, before any work, an output file that is an input, inside a scanned folder
    or ``protected`` (the index), whose folder does not exist, or one the SQLite report
    may not replace."""
    if fmt == "sqlite":
        check_target(output)
    if output:
        check_output(output, inputs, protected)


def index_files_of(index_path: str | None) -> list[str]:
    """The index's files, which no report may replace (none without an index)."""
    return index_files(index_path) if index_path else []


def emit(
    result: ScanResult,
    fmt: str,
    output: str | None,
    quiet: bool,
    boilerplate: bool = True,
    verbose: bool = False,
) -> None:
    """Write the report of ``result`` (less its boilerplate passages unless
    ``boilerplate``), then the summary on stderr unless ``quiet``."""
    shown = result if boilerplate else without_boilerplate(result)
    names = [d.path for d in shown.documents] + [s.path for s in shown.skipped] + shown.notes
    if needs_printable(names):
        shown = printable_fields(shown)
    if fmt == "sqlite":
        write_sqlite(shown, output)
    else:
        write(render(shown, fmt), output)
    if not quiet:
        for line in summarise(shown, len(result.passages) - len(shown.passages)):
            click.echo(line, err=True)
