"""The ``dedupe`` command line: a thin click layer over ``dedupe.scan``."""

from __future__ import annotations

import os
import re
import signal
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from typing import TextIO

import click

from . import __version__
from .cluster import INSTALL_HINT, dask_executor
from .duplicates import (
    KEEP_POLICIES,
    RELATIONS,
    DuplicateParameters,
    DuplicatesResult,
)
from .duplicates import duplicates as find_duplicate_files
from .duplicates import render as render_duplicates
from .errors import DedupeError, InvalidParameter
from .executors import Executor, Local, available_cores
from .index import DEFAULT_PATH as DEFAULT_INDEX
from .index import index_files, open_index
from .indexed import query, scan_indexed
from .model import ScanResult
from .output import check_output, needs_printable, printable, printable_fields, write
from .parameters import Parameters
from .quarantine import check_folder, plan_moves, quarantine, restore
from .report import FORMATS, PASSAGE_FORMATS, render, render_rows, without_boilerplate
from .scan import scan
from .sqlite_report import check_target, write_sqlite

DEFAULTS = Parameters()


class InputError(click.ClickException):
    """A ``DedupeError`` or unreadable file, reported like a usage error (exit code 2)."""

    exit_code = 2


class Stopped(BaseException):
    """The run was interrupted (Ctrl-C, exit 130) or terminated (SIGTERM, exit 143).

    A ``BaseException``, like ``KeyboardInterrupt``, so that no ``except Exception``
    stops it on its way out: every ``with`` block (worker processes, temporary folders,
    open files) is closed as it passes."""

    def __init__(self, what: str, exit_code: int):
        super().__init__(what)
        self.what, self.exit_code = what, exit_code


def _finished() -> None:
    """The work is done and reported: a late Ctrl-C or SIGTERM changes nothing now, so
    it is not let to interrupt the interpreter's exit."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)


def _terminated(signum, frame) -> None:
    raise Stopped("terminated", 128 + signal.SIGTERM)


class Group(click.Group):
    """Reports bad usage, ``DedupeError`` and unreadable files as one line on stderr,
    ``dedupe: error: ...``, with exit code 2; an interrupt or SIGTERM as one line with
    exit code 130 or 143, once the run's workers and temporary files are gone."""

    def main(self, *args, **kwargs):
        kwargs["standalone_mode"] = False
        signal.signal(signal.SIGTERM, _terminated)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        try:
            code = super().main(*args, **kwargs)
        except Stopped as stop:
            signal.signal(signal.SIGINT, signal.SIG_IGN)  # the line is all that is left
            click.echo(f"dedupe: error: {stop.what}", err=True)
            # Workers and temporary files are gone; end now, without waiting at exit
            # for threads that a stopped pool may leave behind.
            for stream in (sys.stdout, sys.stderr):
                with suppress(OSError, ValueError):
                    stream.flush()
            os._exit(stop.exit_code)
        except click.exceptions.Abort:
            click.echo("dedupe: error: interrupted", err=True)
            sys.exit(130)
        except click.ClickException as err:
            click.echo(f"dedupe: error: {err.format_message()}", err=True)
            _finished()
            sys.exit(err.exit_code)
        _finished()
        sys.exit(code if isinstance(code, int) else 0)

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except KeyboardInterrupt:
            raise Stopped("interrupted", 130) from None
        except (DedupeError, OSError) as err:
            raise InputError(_message(err)) from None


def _message(err: Exception) -> str:
    if isinstance(err, OSError) and err.filename:
        return printable(f"{err.strerror}: {err.filename}")
    if isinstance(err, InvalidParameter):
        return printable(in_flags(str(err), err.name))
    return printable(str(err))


def in_flags(message: str, name: str) -> str:
    """A library message about setting ``name`` (and perhaps others, such as
    ``shingle_size``), with each setting a command-line option sets called by its option:
    ``threshold must be ...`` becomes ``--threshold must be ...``."""
    flags = _flags(main)

    def flag(match: re.Match) -> str:
        word = match.group()
        return flags.get(word, word) if word == name or "_" in word else word

    return re.sub(r"(?<![-\w])\w+", flag, message)


def _flags(command: click.Command) -> dict[str, str]:
    """The long option setting each parameter of ``command`` and its subcommands."""
    found = {}
    for param in command.params:
        longs = [o for o in param.opts if o.startswith("--")]
        if isinstance(param, click.Option) and longs:
            found.setdefault(param.name, longs[0])
    for child in getattr(command, "commands", {}).values():
        for name, flag in _flags(child).items():
            found.setdefault(name, flag)
    return found


@click.group(cls=Group)
@click.version_option(__version__, prog_name="dedupe")
def main() -> None:
    """Find passages reused across documents, and which copy is the source."""


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
        click.option(
            "--boilerplate-documents",
            type=int,
            default=None,
            metavar="N",
            help="Mark a passage as boilerplate (page furniture, standard openings, licence "
            "headers) when its text recurs in at least N documents, N >= 3 (a paragraph "
            "quoted by two copies is in 3). A document counts when its passages cover at "
            "least half of the passage's text, so documents merely chained through "
            f"overlapping passages do not. [default: {DEFAULTS.boilerplate_documents}]",
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
            f"[default: {DEFAULTS.num_perm}; with an index, its own]",
        ),
        click.option(
            "--shingle-size",
            type=int,
            default=None,
            help="Words per shingle (n of the word n-grams). "
            f"[default: {DEFAULTS.shingle_size}; with an index, its own]",
        ),
        click.option(
            "--min-words",
            type=int,
            default=None,
            help="Shortest passage reported, in words; shorter paragraphs are not signed. "
            f"[default: {DEFAULTS.min_words}; with an index, its own]",
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


def executor_options(func):
    """--jobs and --dask: where the parallel stages of a scan run."""
    options = [
        click.option(
            "--jobs",
            type=click.IntRange(min=1),
            default=None,
            metavar="N",
            help="Worker processes on this machine that read, segment, shingle and sign "
            "the files and align the candidate documents; 1 runs everything in this "
            f"process. [default: all cores, {available_cores()} here]",
        ),
        click.option(
            "--dask",
            "dask_spec",
            metavar="SPEC",
            default=None,
            help="Run those stages on a Dask cluster instead: local:N starts N worker "
            "processes on this machine, an address such as tcp://host:8786 uses the "
            "workers of that scheduler (the files must be readable at the same paths on "
            "every worker, and dedupe installed there, same version). Same result as a "
            f"local run. Needs the dask extra: {INSTALL_HINT}. Not with --jobs.",
        ),
    ]
    for option in reversed(options):
        func = option(func)
    return func


@contextmanager
def _executor(jobs: int | None, dask_spec: str | None, paths: list[str]) -> Iterator[Executor]:
    """Worker processes on this machine, or a Dask cluster when ``dask_spec`` is given
    (whose workers can read ``paths``)."""
    if dask_spec is None:
        with Local(jobs) as local:
            yield local
        return
    if jobs is not None:
        raise DedupeError(
            "--jobs and --dask exclude each other: with --dask, the Dask workers do the work"
        )
    with dask_executor(dask_spec) as executor:
        executor.check_paths(paths)
        yield executor


def report_options(item: str):
    """--format, -o and --quiet, for a report whose JSON-lines rows are ``item``s."""

    def decorate(func):
        options = [
            click.option(
                "--format",
                "fmt",
                type=click.Choice(PASSAGE_FORMATS if item == "passage" else FORMATS),
                default="table",
                show_default=True,
                help="table and markdown for people; csv, json (the documented contract) "
                f"and jsonl (one {item} per line) for programs"
                + (
                    "; html: one self-contained page with the passages side by side; "
                    "sqlite: a database for Datasette and sqlite-utils (needs -o FILE)."
                    if item == "passage"
                    else "."
                ),
            ),
            click.option(
                "-o",
                "--output",
                type=click.Path(dir_okay=False, writable=True),
                help="Write the report to this file instead of standard output.",
            ),
            click.option("--quiet", is_flag=True, help="Print nothing on stderr but errors."),
            click.option(
                "--verbose",
                is_flag=True,
                help="Also print each stage's time, peak memory and counts on stderr.",
            ),
        ]
        for option in reversed(options):
            func = option(func)
        return func

    return decorate


def boilerplate_option(func):
    """--boilerplate/--no-boilerplate: whether boilerplate passages are reported."""
    return click.option(
        "--boilerplate/--no-boilerplate",
        default=True,
        show_default=True,
        help="Report boilerplate passages (see --boilerplate-documents), marked as such: "
        "'KIND (boilerplate)' in the table and Markdown, a boilerplate column in CSV, the "
        "boilerplate field in JSON; or leave them out of every format.",
    )(func)


class ProgressBar:
    """``progress(what, done, total)`` for ``scan``: one line on ``stream``, redrawn in
    place with a carriage return, such as ``files  1234/8013 [====>     ]  15%``.

    Nothing is drawn unless ``enabled`` (not --quiet, and the stream a terminal), nor
    before the run has lasted ``delay`` seconds, so short runs print nothing extra.
    ``end()`` ends the bar's line (it stays, as last drawn); ``log`` does so before each
    message, and leaving the ``with`` block does so too.
    """

    WIDTH = 30
    INTERVAL = 0.1  # seconds between redraws of one bar, at least (its last state always)

    def __init__(
        self,
        stream: TextIO,
        enabled: bool = True,
        delay: float = 2.0,
        clock: Callable[[], float] = time.monotonic,
    ):
        self.stream, self.enabled, self.delay, self.clock = stream, enabled, delay, clock
        self.started = clock()
        self.shown = ""  # the line on screen, "" when none
        self.drawn_at = 0.0

    @classmethod
    def on_stderr(cls, quiet: bool) -> ProgressBar:
        """A bar on stderr, enabled unless ``quiet`` or stderr is not a terminal."""
        stream = sys.stderr
        return cls(stream, enabled=not quiet and _isatty(stream))

    @classmethod
    def line(cls, what: str, done: int, total: int) -> str:
        """The bar's text, such as ``files  1234/8013 [====>     ]  15%``."""
        share = min(max(done / total, 0.0), 1.0) if total > 0 else 1.0
        filled = int(share * cls.WIDTH)
        bar = ("=" * filled + ">").ljust(cls.WIDTH)[: cls.WIDTH]
        return f"{what}  {done:>{len(str(total))}}/{total} [{bar}] {share:4.0%}"

    def __call__(self, what: str, done: int, total: int) -> None:
        if not self.enabled:
            return
        now = self.clock()
        if now - self.started < self.delay:
            return
        line = self.line(what, done, total)
        same_bar = self.shown.startswith(f"{what}  ")
        if line == self.shown or (
            same_bar and done < total and now - self.drawn_at < self.INTERVAL
        ):
            return
        pad = " " * max(0, len(self.shown) - len(line))
        self.stream.write(f"\r{line}{pad}")
        self.stream.flush()
        self.shown, self.drawn_at = line, now

    def end(self) -> None:
        """End the bar's line, if one is on screen."""
        if self.shown:
            self.stream.write("\n")
            self.stream.flush()
            self.shown = ""

    def log(self, log: Callable[[str], None]) -> Callable[[str], None]:
        """``log``, ending the bar's line before each message."""

        def logged(message: str) -> None:
            self.end()
            log(message)

        return logged

    def __enter__(self) -> ProgressBar:
        return self

    def __exit__(self, *exc) -> None:
        self.end()


def _isatty(stream) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):  # no isatty, or closed
        return False


def _log(quiet: bool, verbose: bool = True):
    """Where the library's progress messages go: stderr with ``verbose``, else nowhere."""
    return (lambda m: click.echo(m, err=True)) if verbose and not quiet else (lambda _: None)


def _sketch(num_perm, shingle_size, min_words) -> dict:
    return {"num_perm": num_perm, "shingle_size": shingle_size, "min_words": min_words}


def _reading(threshold, paraphrase, boilerplate_documents) -> dict:
    return {
        "threshold": threshold,
        "paraphrase": paraphrase,
        "boilerplate_documents": boilerplate_documents,
    }


def _parameters(options: dict) -> Parameters:
    return Parameters(**{k: v for k, v in options.items() if v is not None})


def _check_output(
    output: str | None, fmt: str, inputs: list[str], protected: list[str] = ()
) -> None:
    """Refuse, before any work, an output file that is an input, inside a scanned folder
    or ``protected`` (the index), whose folder does not exist, or one the SQLite report
    may not replace."""
    if fmt == "sqlite":
        check_target(output)
    if output:
        check_output(output, inputs, protected)


def _index_files(index_path: str | None) -> list[str]:
    """The index's files, which no report may replace (none without an index)."""
    return index_files(index_path) if index_path else []


def _emit(
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
    _check_output(output, fmt, list(paths), _index_files(index_path))
    options = _sketch(num_perm, shingle_size, min_words) | _reading(
        threshold, paraphrase, boilerplate_documents
    )
    if index_path:
        with (
            open_index(index_path, options) as index,
            _executor(jobs, dask_spec, list(paths)) as executor,
        ):
            result, _ = scan_indexed(list(paths), index, _log(quiet, verbose), executor)
    else:
        params = _parameters(options)
        with (
            ProgressBar.on_stderr(quiet) as bar,
            _executor(jobs, dask_spec, list(paths)) as executor,
        ):
            log = bar.log(_log(quiet, verbose))
            result = scan(list(paths), params, log, executor=executor, progress=bar)
    _emit(result, fmt, output, quiet, boilerplate, verbose)


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
    _check_output(output, fmt, list(files), _index_files(index_path))
    options = _sketch(num_perm, shingle_size, min_words) | _reading(
        threshold, paraphrase, boilerplate_documents
    )
    with open_index(index_path, options, create=False) as index:
        result = query(list(files), index, _log(quiet, verbose))
    _emit(result, fmt, output, quiet, boilerplate, verbose)


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


# ------------------------------------------------------------ whole-document duplicates


DUPLICATE_DEFAULTS = DuplicateParameters()


def duplicates_summary(result: DuplicatesResult) -> list[str]:
    """Lines for stderr: skipped files, decoding notes and a one-line count."""
    lines = [f"warning: skipped {s.path}: {s.reason}" for s in result.skipped]
    lines += [f"note: {n}" for n in result.notes]
    counts = {relation: 0 for relation in RELATIONS}
    for g in result.groups:
        for m in g.members:
            counts[m.relation] += 1
    lines.append(
        f"{result.documents} documents compared, {len(result.skipped)} skipped, "
        f"{len(result.groups)} duplicate groups holding "
        + ", ".join(f"{n} {relation}" for relation, n in counts.items())
        + " copies"
    )
    return lines


@main.command("duplicates")
@click.argument("paths", nargs=-1, type=click.Path())
@click.option(
    "--threshold",
    type=float,
    default=DUPLICATE_DEFAULTS.threshold,
    show_default=True,
    help="Least Jaccard similarity (near copy) or containment of the smaller document "
    "in the larger (excerpt) of word n-grams, in (0, 1].",
)
@click.option(
    "--keep",
    type=click.Choice(KEEP_POLICIES),
    default=DUPLICATE_DEFAULTS.keep,
    show_default=True,
    help="Which document of a group is kept as its representative: oldest or newest "
    "modification time, longest (most words) or first path. Ties go to the first path; "
    "an excerpt never represents the document it was taken from.",
)
@click.option(
    "--quarantine",
    "quarantine_dir",
    type=click.Path(file_okay=False),
    help="Move every document that is not kept into this folder (never deleted), with "
    "a JSON-lines journal there that 'dedupe restore' undoes.",
)
@click.option(
    "--dry-run",
    is_flag=True,
    help="With --quarantine: show the moves without making them.",
)
@click.option(
    "--index",
    "index_path",
    type=click.Path(dir_okay=False),
    default=None,
    help="Also check every document of this index (dedupe index add).",
)
@report_options("group")
def duplicates_command(
    paths, threshold, keep, quarantine_dir, dry_run, index_path, fmt, output, quiet, verbose
):
    """Group whole documents under PATHS (files or folders, read recursively) that are
    exact copies, near copies or excerpts of one another, each group around the
    document to keep.

    Report-only unless --quarantine DIR is given. Results go to standard output (or
    -o FILE); progress and warnings to stderr.

    Examples:

    \b
        dedupe duplicates archive/
        dedupe duplicates archive/ --keep oldest --format json
        dedupe duplicates archive/ --quarantine held/ --dry-run
        dedupe duplicates archive/ --quarantine held/
    """
    log, say = _log(quiet, verbose), _log(quiet)
    paths = list(paths)
    _check_output(output, fmt, paths, _index_files(index_path))
    if index_path:
        with open_index(index_path, {}, create=False) as index:
            paths += index.paths()
    if not paths:
        raise DedupeError("give at least one PATH to check, or --index FILE")
    if dry_run and not quarantine_dir:
        raise DedupeError("--dry-run only applies to --quarantine DIR")
    if quarantine_dir:
        check_folder(quarantine_dir, paths)
    params = DuplicateParameters(threshold=threshold, keep=keep)
    exclude = [quarantine_dir] if quarantine_dir else []
    result = find_duplicate_files(paths, params, log, exclude)
    moves = journal = None
    if quarantine_dir:
        moves = plan_moves(result.groups, quarantine_dir, result.linked)
        if dry_run:
            for move in moves:
                say(printable(f"would move {move.path} -> {move.target}"))
        else:
            journal = quarantine(moves, log).journal or None
    names = (
        [m.original for m in moves or []]
        + [s.path for s in result.skipped]
        + [member.path for g in result.groups for member in (g.representative, *g.members)]
    )
    shown = (result, moves, journal)
    if needs_printable(names + ([journal] if journal else [])):
        shown = printable_fields(shown)
    write(render_duplicates(shown[0], fmt, shown[1], shown[2]), output)
    if not quiet:
        for line in duplicates_summary(shown[0]):
            click.echo(line, err=True)
        if moves is not None:
            if dry_run:
                click.echo(
                    f"dry run: {len(moves)} files would be moved to {quarantine_dir}", err=True
                )
            elif journal:
                click.echo(
                    f"moved {len(moves)} files to {quarantine_dir}; journal: {journal}", err=True
                )
            else:
                click.echo("nothing to move", err=True)


@main.command("restore")
@click.argument("journal", type=click.Path())
@click.option("--quiet", is_flag=True, help="Print nothing on stderr but errors.")
def restore_command(journal, quiet):
    """Move every file recorded in the quarantine JOURNAL back to where it was, checking
    its content digest. Every entry is checked first: if any points outside the
    journal's folder or the checked folder it records, finds its original path taken
    again, or does not match its digest, nothing is moved. A last line cut short by a
    crash is passed over (its file was never moved).

    Prints each restored path on standard output.

    Examples:

    \b
        dedupe restore held/journal-20261203T101500123456Z.jsonl
    """
    log = _log(quiet)
    result = restore(journal)
    for entry in result.restored:
        click.echo(printable(entry["original"]))
    if result.cut_short:
        log("note: the journal's last line was cut short (its file was never moved)")
    log(
        printable(f"restored {len(result.restored)} files from {result.directory}")
        + (f", {len(result.in_place)} already in place" if result.in_place else "")
    )
