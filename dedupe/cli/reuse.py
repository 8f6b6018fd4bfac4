"""The commands that report reuse across a collection: scan, query and index."""

from __future__ import annotations

import click

from ..pipeline.indexed import add_files, query, scan_indexed
from ..pipeline.scan import scan
from ..report.tables import render_rows
from ..store.index import open_index
from .app import main
from .options import (
    boilerplate_option,
    executor_for,
    executor_options,
    index_option,
    parameters_of,
    reading_settings,
    report_options,
    sketch_options,
    sketch_settings,
    tuning_options,
)
from .progress import ProgressBar
from .results import emit, index_files_of, log_to, refuse_bad_output


@main.command("scan")
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@tuning_options
@index_option(required=False)
@executor_options
@report_options("passage")
@boilerplate_option
def scan_command(
    paths, threshold, paraphrase, boilerplate_documents, num_perm, shingle_size, min_words,
    index_path, jobs, dask_spec, fmt, output, quiet, verbose, boilerplate,
):  # fmt: skip
    """Report the passages reused across the files in PATHS (files or folders, read
    recursively), with source and copy locations, kind of reuse and the evidence for
    which copy is the source.

    Results go to standard output (or -o FILE); progress and warnings to stderr (with
    a progress bar on a terminal once the run lasts a couple of seconds). The input
    files are only read, never changed.

    Passages whose text recurs in many documents are marked boilerplate
    (--boilerplate-documents), or left out with --no-boilerplate.

    The files are read, signed and aligned in parallel, on every core of this machine
    (--jobs) or on a Dask cluster (--dask); the report does not depend on where the
    work ran.

    Examples:

    \b
        dedupe scan corpus/
        dedupe scan archive/ --format json -o report.json
        dedupe scan archive/ --no-boilerplate --format csv
        dedupe scan archive/ --index archive.sqlite --jobs 2
    """
    refuse_bad_output(output, fmt, list(paths), index_files_of(index_path))
    options = sketch_settings(num_perm, shingle_size, min_words) | reading_settings(
        threshold, paraphrase, boilerplate_documents
    )
    if index_path:
        with (
            open_index(index_path, options) as index,
            executor_for(jobs, dask_spec, list(paths)) as executor,
        ):
            result, _ = scan_indexed(list(paths), index, log_to(quiet, verbose), executor)
    else:
        params = parameters_of(options)
        with (
            ProgressBar.on_stderr(quiet) as bar,
            executor_for(jobs, dask_spec, list(paths)) as executor,
        ):
            log = bar.log(log_to(quiet, verbose))
            result = scan(list(paths), params, log, executor=executor, progress=bar)
    emit(result, fmt, output, quiet, boilerplate, verbose)


@main.command("query")
@click.argument("files", nargs=-1, required=True, type=click.Path())
@tuning_options
@index_option(required=True)
@report_options("passage")
@boilerplate_option
def query_command(
    files, threshold, paraphrase, boilerplate_documents, num_perm, shingle_size, min_words,
    index_path, fmt, output, quiet, verbose, boilerplate,
):  # fmt: skip
    """Report what the documents in FILES (new accessions) share with an indexed
    collection: same table and JSON as scan. FILES are not added to the index and
    nothing indexed is signed again.

    Examples:

    \b
        dedupe query new/letter.txt --index archive.sqlite
        dedupe query new/ --index archive.sqlite --format json
    """
    refuse_bad_output(output, fmt, list(files), index_files_of(index_path))
    options = sketch_settings(num_perm, shingle_size, min_words) | reading_settings(
        threshold, paraphrase, boilerplate_documents
    )
    with open_index(index_path, options, create=False) as index:
        result = query(list(files), index, log_to(quiet, verbose))
    emit(result, fmt, output, quiet, boilerplate, verbose)


@main.group("index")
def index_group() -> None:
    """Build and maintain a persistent index of a collection (SQLite).

    Examples:

    \b
        dedupe index add archive/ --index archive.sqlite
        dedupe index status --index archive.sqlite
        dedupe index prune --index archive.sqlite
    """


@index_group.command("add")
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@sketch_options
@index_option(required=True)
@click.option("--quiet", is_flag=True, help="Print nothing on stderr but errors.")
def index_add(paths, num_perm, shingle_size, min_words, index_path, quiet):
    """Index the files in PATHS (files or folders, read recursively). Unchanged files are
    skipped, changed ones re-indexed. Prints one line per file signed.

    Examples:

    \b
        dedupe index add archive/ --index archive.sqlite
        dedupe index add archive/ --index archive.sqlite --num-perm 256 --quiet
    """
    with open_index(index_path, sketch_settings(num_perm, shingle_size, min_words)) as index:
        stats = add_files(list(paths), index, log_to(quiet))
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
    in PATHS that are not indexed yet (new).

    Examples:

    \b
        dedupe index status --index archive.sqlite
        dedupe index status archive/ --index archive.sqlite --format csv
    """
    with open_index(index_path, {}, create=False) as index:
        rows = [[s.path, s.state] for s in index.status(list(paths))]
    click.echo(render_rows(rows, ["path", "state"], fmt), nl=False)


@index_group.command("prune")
@index_option(required=True)
def index_prune(index_path):
    """Drop the documents whose files have vanished; prints their paths.

    Examples:

    \b
        dedupe index prune --index archive.sqlite
    """
    with open_index(index_path, {}, create=False) as index:
        for path in index.prune():
            click.echo(f"pruned\t{path}")
