"""The options the commands share, and the library settings they make."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import click

from ..errors import DedupeError
from ..kernels import available_cores
from ..parameters import Parameters
from ..pipeline.cluster import INSTALL_HINT, dask_executor
from ..pipeline.executors import Executor, Local
from ..report.tables import FORMATS, PASSAGE_FORMATS
from ..store.index import DEFAULT_PATH as DEFAULT_INDEX

DEFAULTS = Parameters()


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
def executor_for(jobs: int | None, dask_spec: str | None, paths: list[str]) -> Iterator[Executor]:
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


def sketch_settings(num_perm, shingle_size, min_words) -> dict:
    """The settings of the stored sketches, as the options give them (None: default)."""
    return {"num_perm": num_perm, "shingle_size": shingle_size, "min_words": min_words}


def reading_settings(threshold, paraphrase, boilerplate_documents) -> dict:
    """The settings that decide what is reported from the sketches."""
    return {
        "threshold": threshold,
        "paraphrase": paraphrase,
        "boilerplate_documents": boilerplate_documents,
    }


def parameters_of(options: dict) -> Parameters:
    """``Parameters`` from the settings the options gave (the rest default)."""
    return Parameters(**{k: v for k, v in options.items() if v is not None})
