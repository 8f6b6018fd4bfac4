"""The ``dedupe`` command line: a thin click layer over ``dedupe.scan``."""

from __future__ import annotations

import sys

import click

from . import __version__
from .errors import DedupeError
from .report import FORMATS, render
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


@main.command("scan")
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option(
    "--threshold",
    type=float,
    default=DEFAULTS.threshold,
    show_default=True,
    help="Least similarity (Jaccard of word n-grams) of a reported passage, in (0, 1].",
)
@click.option(
    "--num-perm",
    type=int,
    default=DEFAULTS.num_perm,
    show_default=True,
    help="MinHash permutations per segment: more is more accurate and slower.",
)
@click.option(
    "--shingle-size",
    type=int,
    default=DEFAULTS.shingle_size,
    show_default=True,
    help="Words per shingle (n of the word n-grams).",
)
@click.option(
    "--min-words",
    type=int,
    default=DEFAULTS.min_words,
    show_default=True,
    help="Shortest passage reported, in words; shorter paragraphs are not signed.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    default="table",
    show_default=True,
    help="table and markdown for people; csv, json (the documented contract) and jsonl "
    "(one passage per line) for programs.",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, writable=True),
    help="Write the report to this file instead of standard output.",
)
@click.option(
    "--paraphrase/--no-paraphrase",
    default=True,
    show_default=True,
    help="Also look for re-translated and reworded passages (stemmed content words "
    "shared in the same order, weighted by rarity in the scanned collection).",
)
@click.option("--quiet", is_flag=True, help="Print nothing on stderr but errors.")
def scan_command(
    paths, threshold, num_perm, shingle_size, min_words, fmt, output, paraphrase, quiet
):
    """Report the passages reused across the files in PATHS (files or folders, read
    recursively), with source and copy locations, kind of reuse and the evidence for
    which copy is the source.

    Results go to standard output (or -o FILE); progress and warnings to stderr. The
    input files are only read, never changed.
    """
    log = (lambda _: None) if quiet else (lambda m: click.echo(m, err=True))
    params = Parameters(
        threshold=threshold,
        num_perm=num_perm,
        shingle_size=shingle_size,
        min_words=min_words,
        paraphrase=paraphrase,
    )
    result = scan(list(paths), params, log)
    text = render(result, fmt)
    if output:
        with open(output, "w", encoding="utf-8") as handle:
            handle.write(text)
    else:
        sys.stdout.write(text)
    if not quiet:
        for line in summarise(result):
            click.echo(line, err=True)
