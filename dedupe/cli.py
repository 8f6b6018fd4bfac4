"""The ``dedupe`` command line: a thin click layer over ``dedupe.scan``."""

from __future__ import annotations

import sys

import click

from . import __version__
from .errors import DedupeError
from .index import DEFAULT_PATH as DEFAULT_INDEX
from .index import open_index, query, scan_indexed
from .report import FORMATS, render, render_rows
from .scan import Parameters, ScanResult, scan

DEFAULTS = Parameters()


class Group(click.Group):
    """Reports ``DedupeError`` and unreadable output files as one line, exit code 2."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except (DedupeError, OSError) as err:
            click.echo(f"dedupe: error: {_message(err)}", err=True)
            ctx.exit(2)


def _message(err: Exception) -> str:
    if isinstance(err, OSError) and err.filename:
        return f"{err.strerror}: {err.filename}"
    return str(err)


@click.group(cls=Group)
@click.version_option(__version__, prog_name="dedupe")
def main() -> None:
    """Find passages reused across documents, and which copy is the source."""


def summarise(result: ScanResult) -> list[str]:
    """Lines for stderr: skipped files, decoding notes and a one-line count."""
    lines = [f"warning: skipped {s.path}: {s.reason}" for s in result.skipped]
    lines += [f"note: {n}" for n in result.notes]
    lines.append(
        f"{len(result.documents)} documents scanned, {len(result.skipped)} skipped, "
        f"{len(result.passages)} reused passages"
    )
    return lines


def tuning_options(func):
    """The options that decide what is found (shared by scan and query)."""
    options = [
        click.option(
            "--threshold",
            type=float,
            default=None,
            help="Least similarity (Jaccard of word n-grams) of a reported verbatim or "
            f"near passage, in (0, 1]. [default: {DEFAULTS.threshold}]",
        ),
        click.option(
            "--paraphrase/--no-paraphrase",
            default=True,
            show_default=True,
            help="Also look for re-translated and reworded passages (stemmed content words "
            "shared in the same order, weighted by rarity in the collection).",
        ),
    ]
    for option in reversed(options):
        func = option(func)
    return sketch_options(func)


def sketch_options(func):
    """The options that decide the stored sketches; with --index they default to the
    index's own."""
    options = [
        click.option(
            "--num-perm",
            type=int,
            default=None,
            help="MinHash permutations per segment: more is more accurate and slower. "
            f"[default: {DEFAULTS.num_perm}]",
        ),
        click.option(
            "--shingle-size",
            type=int,
            default=None,
            help=f"Words per shingle (n of the word n-grams). [default: {DEFAULTS.shingle_size}]",
        ),
        click.option(
            "--min-words",
            type=int,
            default=None,
            help="Shortest passage reported, in words; shorter paragraphs are not signed. "
            f"[default: {DEFAULTS.min_words}]",
        ),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def index_option(required: bool):
    return click.option(
        "--index",
        "index_path",
        type=click.Path(dir_okay=False),
        default=None if not required else DEFAULT_INDEX,
        show_default=required,
        help="The index file (SQLite)."
        if required
        else "Use (and update) this index file: unchanged files are not signed again.",
    )


def report_options(func):
    """--format, -o and --quiet."""
    options = [
        click.option(
            "--format",
            "fmt",
            type=click.Choice(FORMATS),
            default="table",
            show_default=True,
            help="table and markdown for people; csv, json (the documented contract) and "
            "jsonl (one passage per line) for programs.",
        ),
        click.option(
            "-o",
            "--output",
            type=click.Path(dir_okay=False, writable=True),
            help="Write the report to this file instead of standard output.",
        ),
        click.option("--quiet", is_flag=True, help="Print nothing on stderr but errors."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def _log(quiet: bool):
    return (lambda _: None) if quiet else (lambda m: click.echo(m, err=True))


def _sketch(num_perm, shingle_size, min_words) -> dict:
    return {"num_perm": num_perm, "shingle_size": shingle_size, "min_words": min_words}


def _reading(threshold, paraphrase) -> dict:
    return {"threshold": threshold, "paraphrase": paraphrase}


def _parameters(options: dict) -> Parameters:
    return Parameters(**{k: v for k, v in options.items() if v is not None})


def _emit(result: ScanResult, fmt: str, output: str | None, quiet: bool) -> None:
    text = render(result, fmt)
    if output:
        with open(output, "w", encoding="utf-8") as handle:
            handle.write(text)
    else:
        sys.stdout.write(text)
    if not quiet:
        for line in summarise(result):
            click.echo(line, err=True)


@main.command("scan")
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@tuning_options
@index_option(required=False)
@report_options
def scan_command(
    paths, threshold, paraphrase, num_perm, shingle_size, min_words, index_path, fmt, output,
    quiet,
):  # fmt: skip
    """Report the passages reused across the files in PATHS (files or folders, read
    recursively), with source and copy locations, kind of reuse and the evidence for
    which copy is the source.

    Results go to standard output (or -o FILE); progress and warnings to stderr. The
    input files are only read, never changed.
    """
    options = {**_sketch(num_perm, shingle_size, min_words), **_reading(threshold, paraphrase)}
    if index_path:
        with open_index(index_path, options) as index:
            result, _ = scan_indexed(list(paths), index, _log(quiet))
    else:
        result = scan(list(paths), _parameters(options), _log(quiet))
    _emit(result, fmt, output, quiet)


@main.command("query")
@click.argument("files", nargs=-1, required=True, type=click.Path())
@tuning_options
@index_option(required=True)
@report_options
def query_command(
    files, threshold, paraphrase, num_perm, shingle_size, min_words, index_path, fmt, output,
    quiet,
):  # fmt: skip
    """Report what the documents in FILES (new accessions) share with an indexed
    collection: same table and JSON as scan. FILES are not added to the index and
    nothing indexed is signed again.
    """
    options = {**_sketch(num_perm, shingle_size, min_words), **_reading(threshold, paraphrase)}
    with open_index(index_path, options, create=False) as index:
        result = query(list(files), index, _log(quiet))
    _emit(result, fmt, output, quiet)


@main.group("index")
def index_group() -> None:
    """Build and maintain a persistent index of a collection (SQLite)."""


@index_group.command("add")
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@sketch_options
@index_option(required=True)
@click.option("--quiet", is_flag=True, help="Print nothing on stderr but errors.")
def index_add(paths, num_perm, shingle_size, min_words, index_path, quiet):
    """Index the files in PATHS (files or folders, read recursively). Unchanged files are
    skipped, changed ones re-indexed. Prints one line per file signed."""
    with open_index(index_path, _sketch(num_perm, shingle_size, min_words)) as index:
        stats = index.add(list(paths), _log(quiet))
    for path in stats.signed:
        click.echo(f"signed\t{path}")
    if not quiet:
        for skipped in stats.skipped:
            click.echo(f"warning: skipped {skipped.path}: {skipped.reason}", err=True)
        click.echo(
            f"{len(stats.signed)} signed, {stats.unchanged} unchanged, "
            f"{len(stats.skipped)} skipped",
            err=True,
        )


@index_group.command("status")
@click.argument("paths", nargs=-1, type=click.Path())
@index_option(required=True)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "csv", "json"]),
    default="table",
    show_default=True,
    help="Output format.",
)
def index_status(paths, index_path, fmt):
    """List the indexed documents as indexed, changed or vanished on disk, and the files
    in PATHS that are not indexed yet (new)."""
    with open_index(index_path, {}, create=False) as index:
        rows = [[s.path, s.state] for s in index.status(list(paths))]
    click.echo(render_rows(rows, ["path", "state"], fmt), nl=False)


@index_group.command("prune")
@index_option(required=True)
def index_prune(index_path):
    """Drop the documents whose files have vanished; prints their paths."""
    with open_index(index_path, {}, create=False) as index:
        for path in index.prune():
            click.echo(f"pruned\t{path}")
