"""The commands for whole-document duplicates: duplicates, and restore."""

from __future__ import annotations

import click

from ..duplicates.find import (
    KEEP_POLICIES,
    RELATIONS,
    DuplicateParameters,
    DuplicatesResult,
    find_duplicate_files,
)
from ..duplicates.quarantine import check_folder, plan_moves, quarantine, restore
from ..duplicates.report import render as render_duplicates
from ..errors import DedupeError
from ..report.output import needs_printable, printable, printable_fields, write
from ..store.index import open_index
from .app import main
from .options import report_options
from .results import index_files_of, log_to, refuse_bad_output

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
    log, say = log_to(quiet, verbose), log_to(quiet)
    paths = list(paths)
    refuse_bad_output(output, fmt, paths, index_files_of(index_path))
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
    log = log_to(quiet)
    result = restore(journal)
    for entry in result.restored:
        click.echo(printable(entry["original"]))
    if result.cut_short:
        log("note: the journal's last line was cut short (its file was never moved)")
    log(
        printable(f"restored {len(result.restored)} files from {result.directory}")
        + (f", {len(result.in_place)} already in place" if result.in_place else "")
    )
