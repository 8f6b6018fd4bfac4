"""Quarantine: move the non-kept copies of duplicate groups into a folder, with a journal
that puts every file back.

Nothing is ever deleted and nothing is ever overwritten: a move whose target exists is
refused, and so is a restore whose original path exists again.

Layout
------

``DIR/<group>/<path relative to the collection root>`` holds each moved file (the
collection root is the deepest folder holding every grouped document; a name already
taken gets ``~1``, ``~2``... before its extension). The journal is a JSON-lines file in
``DIR`` itself, ``DIR/journal-<UTC time>.jsonl``: **the folder a journal lives in is the
quarantine folder it belongs to**, and ``restore`` refuses any entry that points outside
it. Its first line records what was checked: ``{"dedupe_journal": 1, "roots": [...]}``,
the deepest folder holding every moved and kept file; ``restore`` refuses any entry whose
original lies outside it. Each following line describes one moved file::

    {"original": "/abs/path/of/file.txt", "moved_to": "1/file.txt",
     "digest": "<xxh3-128 of the bytes>", "group": 1, "kept": "/abs/path/of/kept.txt",
     "reason": "exact copy of kept.txt"}

``original`` is absolute; ``moved_to`` is relative to the journal's folder, so the
quarantine folder can itself be moved or copied elsewhere and still be restored. The
journal is ASCII JSON: a file name that is not valid UTF-8 is kept exactly, its
undecodable bytes written as ``\\udcXX`` escapes (Python's ``surrogateescape``).

Symbolic links are never moved (``duplicates`` does not group them), nor is a file that a
link under the checked folders points at (no link is left dangling), so every journal
entry is a regular file.

Crash safety
------------

For every file, the journal line is written and fsynced *before* the file is moved,
and the target and source folders are fsynced after it. A crash can therefore leave a
journal line whose move never happened, or a last line cut short (whose move never
happened either, and which ``restore`` passes over), but never a moved file without a
journal line.
``restore`` recognises the first case: an entry whose quarantined file is absent while
the original is present with the journal's digest is already in place and is skipped.
The same rule makes ``restore`` idempotent: when it is interrupted, running it again
finishes the job, and running it on a fully restored journal does nothing.

A move is a ``rename`` within one file system (atomic). Across file systems the file is
copied to a temporary name beside the target, fsynced, checked against its digest,
renamed to the target, and only then is the source unlinked; a crash inside that window
leaves two identical copies, which ``restore`` reports instead of guessing.
"""

from __future__ import annotations

import errno
import json
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone

import xxhash

from ..errors import MissingInput, MoveRefused, UnreadableInput
from .find import DuplicateGroup, Member

Log = Callable[[str], None]

HEADER = "dedupe_journal"
JOURNAL_FIELDS = ("original", "moved_to", "digest", "group", "kept", "reason")
_REQUIRED = ("original", "moved_to", "digest")
_CHUNK = 1 << 20


@dataclass(frozen=True)
class Move:
    """One file to move (or moved) into quarantine.

    ``path`` is the document's path as reported; ``original`` and ``kept`` are absolute;
    ``moved_to`` is relative to the quarantine folder ``directory``.
    """

    path: str
    original: str
    directory: str
    moved_to: str
    digest: str
    group: int
    kept: str
    reason: str

    @property
    def target(self) -> str:
        """Where the file goes, as a path under ``directory`` as it was given."""
        return os.path.join(self.directory, self.moved_to)

    def entry(self) -> dict:
        """The journal line of this move."""
        return {
            "original": self.original,
            "moved_to": self.moved_to,
            "digest": self.digest,
            "group": self.group,
            "kept": self.kept,
            "reason": self.reason,
        }


@dataclass
class QuarantineResult:
    """The moves carried out and the journal that records them."""

    journal: str
    moves: list[Move]


@dataclass
class RestoreResult:
    """What ``restore`` did: files moved back, entries that were already in place, and
    whether the journal's last line was cut short (and passed over)."""

    directory: str
    restored: list[dict] = field(default_factory=list)
    in_place: list[dict] = field(default_factory=list)
    cut_short: bool = False


# ------------------------------------------------------------------------------ helpers


def file_digest(path: str) -> str:
    """xxh3-128 hex digest of the file's bytes (the same as ``Document.digest``)."""
    hasher = xxhash.xxh3_128()
    with open(path, "rb") as handle:
        while chunk := handle.read(_CHUNK):
            hasher.update(chunk)
    return hasher.hexdigest()


def inside(path: str, folder: str) -> bool:
    """True when ``path`` is strictly inside ``folder``, both literally and once
    symbolic links are resolved."""
    for resolve in (os.path.abspath, os.path.realpath):
        p, f = resolve(path), resolve(folder)
        if p == f or os.path.commonpath([p, f]) != f:
            return False
    return True


def _within(path: str, folder: str) -> bool:
    """True when the absolute ``path`` lies under ``folder``, literally (no link is
    resolved: the journal records paths as they were)."""
    path, folder = os.path.normpath(path), os.path.normpath(folder)
    return path != folder and os.path.commonpath([path, folder]) == folder


def _fsync_dir(path: str) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass  # not supported on this platform or file system
    finally:
        os.close(fd)


def move_file(src: str, dst: str, digest: str) -> None:
    """Move ``src`` to ``dst`` without ever overwriting ``dst``; both folders are fsynced.

    Across file systems: copy beside ``dst``, fsync, check ``digest``, rename into
    place, then unlink ``src``.
    """
    if os.path.lexists(dst):
        raise MoveRefused(f"refusing to overwrite {dst}")
    try:
        os.rename(src, dst)
    except OSError as err:
        if err.errno != errno.EXDEV:
            raise
        _copy_across(src, dst, digest)
    _fsync_dir(os.path.dirname(os.path.abspath(dst)))
    _fsync_dir(os.path.dirname(os.path.abspath(src)))


def _copy_across(src: str, dst: str, digest: str) -> None:
    partial = f"{dst}.partial-{os.getpid()}"
    shutil.copy2(src, partial)
    with open(partial, "rb") as handle:
        os.fsync(handle.fileno())
    if file_digest(partial) != digest:
        os.unlink(partial)  # our own incomplete copy, never a user's file
        raise MoveRefused(f"copy of {src} to {dst} does not match its digest; not moved")
    if os.path.lexists(dst):
        os.unlink(partial)
        raise MoveRefused(f"refusing to overwrite {dst}")
    os.rename(partial, dst)
    _fsync_dir(os.path.dirname(os.path.abspath(dst)))
    os.unlink(src)


# ------------------------------------------------------------------------------ planning


def reason(member: Member, kept: str) -> str:
    """Why ``member`` is moved, in words."""
    if member.relation == "exact":
        return f"exact copy of {kept}"
    if member.relation == "near":
        return f"near duplicate of {kept} (jaccard {member.jaccard:.2f})"
    return f"contained in {kept} (containment {member.containment:.2f})"


def _unique(relative: str, taken: set[str], directory: str) -> str:
    stem, ext = os.path.splitext(relative)
    candidate, k = relative, 0
    while candidate in taken or os.path.lexists(os.path.join(directory, candidate)):
        k += 1
        candidate = f"{stem}~{k}{ext}"
    return candidate


def plan_moves(
    groups: list[DuplicateGroup], directory: str, linked: list[str] | tuple = ()
) -> list[Move]:
    """The moves that quarantine every non-representative of ``groups`` into
    ``directory``, in group order, except the files a symbolic link points at
    (``linked``, real paths): moving one would break the link. Nothing is touched.

    Raises ``MoveRefused`` when ``directory`` is a file, or when a document to move is
    already inside ``directory``.
    """
    if os.path.exists(directory) and not os.path.isdir(directory):
        raise MoveRefused(f"quarantine folder is not a folder: {directory}")
    paths = [
        os.path.abspath(path)
        for g in groups
        for path in [g.representative.path, *(m.path for m in g.members)]
    ]
    if not paths:
        return []
    root = os.path.commonpath([os.path.dirname(p) for p in paths])
    taken: set[str] = set()
    pinned = set(linked)
    moves = []
    for g in groups:
        kept = os.path.abspath(g.representative.path)
        for m in g.members:
            original = os.path.abspath(m.path)
            if os.path.realpath(original) in pinned:
                continue
            if inside(original, directory):
                raise MoveRefused(
                    f"{m.path} is already inside the quarantine folder {directory}; "
                    "leave that folder out of the paths to check"
                )
            relative = os.path.join(str(g.group), os.path.relpath(original, root))
            relative = _unique(relative, taken, directory)
            taken.add(relative)
            why = reason(m, g.representative.path)
            moves.append(Move(m.path, original, directory, relative, m.digest, g.group, kept, why))
    return moves


# ---------------------------------------------------------------------------- quarantine


def _check_before_moving(moves: list[Move]) -> None:
    kept_checked: set[str] = set()
    for move in moves:
        if os.path.islink(move.original):
            raise MoveRefused(f"{move.path} is a symbolic link; links are never moved")
        if not os.path.isfile(move.original):
            raise MoveRefused(f"{move.path} is no longer there; nothing was moved")
        if file_digest(move.original) != move.digest:
            raise MoveRefused(f"{move.path} changed since it was read; nothing was moved")
        if os.path.lexists(move.target):
            raise MoveRefused(f"refusing to overwrite {move.target}; nothing was moved")
        if move.kept not in kept_checked:
            if not os.path.isfile(move.kept):
                raise MoveRefused(f"the kept copy {move.kept} is gone; nothing was moved")
            kept_checked.add(move.kept)


def _new_journal(directory: str) -> tuple[str, int]:
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%fZ")
    for k in range(1000):
        name = f"journal-{stamp}.jsonl" if k == 0 else f"journal-{stamp}-{k}.jsonl"
        path = os.path.join(directory, name)
        try:
            return path, os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        except FileExistsError:
            continue
    raise MoveRefused(f"cannot create a journal in {directory}")


def check_folder(directory: str, paths: list[str]) -> None:
    """Refuse a quarantine folder that is one of the checked ``paths`` or holds one:
    everything in it would be left out of the check."""
    for path in paths:
        if os.path.realpath(path) == os.path.realpath(directory) or inside(path, directory):
            raise MoveRefused(
                f"the quarantine folder {directory} holds the checked path {path}; "
                "choose a folder that is not being checked"
            )


def _root(moves: list[Move]) -> str:
    """The deepest folder holding every moved and kept file."""
    return os.path.commonpath([os.path.dirname(p) for m in moves for p in (m.original, m.kept)])


def _write_line(fd: int, record: dict) -> None:
    """``record`` as one ASCII JSON line, written and synced to disk."""
    data = (json.dumps(record, ensure_ascii=True) + "\n").encode("ascii")
    while data:
        data = data[os.write(fd, data) :]
    os.fsync(fd)


def quarantine(moves: list[Move], log: Log = lambda _: None) -> QuarantineResult:
    """Carry out ``moves`` (from ``plan_moves``; all into one folder), journaling each
    one before it happens (see the module docstring). The journal's header records the
    folder holding every moved and kept file: no restore goes outside it.

    Every source is checked first (still there, unchanged, its kept copy present, its
    target free); if any check fails nothing is moved.
    """
    if not moves:
        return QuarantineResult("", [])
    directory = moves[0].directory
    if any(m.directory != directory for m in moves):
        raise MoveRefused("all moves of one quarantine must go into one folder")
    _check_before_moving(moves)
    os.makedirs(directory, exist_ok=True)
    journal, fd = _new_journal(directory)
    _fsync_dir(directory)
    try:
        _write_line(fd, {HEADER: 1, "roots": [_root(moves)]})
        for move in moves:
            _write_line(fd, move.entry())
            os.makedirs(os.path.dirname(move.target), exist_ok=True)
            move_file(move.original, move.target, move.digest)
            log(f"moved {move.path} -> {move.target}")
    finally:
        os.close(fd)
    return QuarantineResult(journal, moves)


# ------------------------------------------------------------------------------- restore


@dataclass
class Journal:
    """A journal's recorded roots, its entries, and the cut-short last line if any."""

    roots: list[str]
    entries: list[dict]
    cut_short: bool = False


def read_journal(journal: str) -> Journal:
    """The header and entries of ``journal``; ``MissingInput`` for a missing one,
    ``UnreadableInput`` for a malformed one. A last line cut short by a crash (no
    newline, not JSON) is passed over: its file was never moved."""
    if not os.path.isfile(journal):
        raise MissingInput(f"no such journal: {journal}")
    with open(journal, "rb") as handle:
        lines = handle.read().split(b"\n")
    cut_short = bool(lines[-1].strip()) and not _parses(lines[-1])
    records = []
    for number, line in enumerate(lines[:-1] if cut_short else lines, start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            raise UnreadableInput(f"{journal}:{number}: not a JSON line") from None
        if not isinstance(record, dict):
            raise UnreadableInput(f"{journal}:{number}: not a JSON object")
        records.append((number, record))
    if not records or records[0][1].get(HEADER) != 1:
        raise UnreadableInput(f"{journal} is not a dedupe journal (no header line)")
    roots = records[0][1].get("roots")
    if not isinstance(roots, list) or not all(isinstance(r, str) and r for r in roots):
        raise UnreadableInput(f"{journal}:1: the header names no checked paths")
    entries = []
    for number, entry in records[1:]:
        bad = [f for f in _REQUIRED if not isinstance(entry.get(f), str) or not entry[f]]
        if bad:
            raise UnreadableInput(f"{journal}:{number}: missing or empty {', '.join(bad)}")
        entries.append(entry)
    return Journal(roots, entries, cut_short)


def _parses(line: bytes) -> bool:
    try:
        json.loads(line.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        return False
    return True


def _problem(entry: dict, directory: str, roots: list[str]) -> str | None:
    """Why ``entry`` cannot be restored, or None (see ``restore``)."""
    original, digest = entry["original"], entry["digest"]
    if "\0" in original or "\0" in entry["moved_to"]:
        return "a path holds a NUL character"
    moved = os.path.join(directory, entry["moved_to"])
    if not os.path.isabs(original):
        return f"original path is not absolute: {original}"
    if not any(original == r or _within(original, r) for r in roots):
        return f"original path {original} is outside the checked paths the journal records"
    if not inside(moved, directory):
        return f"{entry['moved_to']} is outside the quarantine folder {directory}"
    if inside(original, directory):
        return f"original path {original} is inside the quarantine folder"
    moved_there = os.path.lexists(moved)
    original_there = os.path.lexists(original)
    if moved_there and original_there:
        if os.path.isfile(original) and file_digest(original) == digest:
            return (
                f"{original} and {moved} both exist with the same content "
                "(an interrupted move?); remove one of them by hand"
            )
        return f"original path exists again: {original}"
    if moved_there:
        if os.path.islink(moved) or not os.path.isfile(moved):
            return f"not a regular file: {moved}"
        if file_digest(moved) != digest:
            return f"{moved} does not match its journal digest"
        return None
    if not original_there:
        return f"quarantined file is missing: {moved}"
    if not os.path.isfile(original) or file_digest(original) != digest:
        return f"quarantined file is missing and {original} differs from it: {moved}"
    return None


def restore(journal: str, log: Log = lambda _: None) -> RestoreResult:
    """Put every file recorded in ``journal`` back where it was, checking its digest.

    Every entry is validated before anything moves; one bad entry refuses the whole
    restore with ``MoveRefused``. An entry is bad when its ``moved_to`` is outside the
    journal's folder, when its original path exists again, when the quarantined file
    does not match the journal's digest, or when it is missing. An entry whose file is
    already back (original present with the journal's digest, quarantined copy gone) is
    skipped, so an interrupted restore can simply be run again.
    """
    directory = os.path.dirname(os.path.abspath(journal))
    recorded = read_journal(journal)
    entries = recorded.entries
    problems = []
    seen_original: set[str] = set()
    seen_moved: set[str] = set()
    for number, entry in enumerate(entries, start=1):
        original = os.path.normpath(entry["original"])
        moved = os.path.normpath(os.path.join(directory, entry["moved_to"]))
        if original in seen_original or moved in seen_moved:
            problems.append(f"entry {number} repeats a path of an earlier entry")
            continue
        seen_original.add(original)
        seen_moved.add(moved)
        problem = _problem(entry, directory, recorded.roots)
        if problem:
            problems.append(f"entry {number}: {problem}")
    if problems:
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise MoveRefused(f"refusing to restore {journal}: {problems[0]}{more}; nothing moved")

    result = RestoreResult(directory, cut_short=recorded.cut_short)
    for entry in entries:
        original = entry["original"]
        moved = os.path.join(directory, entry["moved_to"])
        if not os.path.lexists(moved):
            result.in_place.append(entry)
            continue
        os.makedirs(os.path.dirname(original), exist_ok=True)
        move_file(moved, original, entry["digest"])
        if file_digest(original) != entry["digest"]:
            raise MoveRefused(f"{original} does not match its journal digest after restoring")
        result.restored.append(entry)
        log(f"restored {original}")
        _remove_empty_parents(moved, directory)
    return result


def _remove_empty_parents(path: str, directory: str) -> None:
    """Remove the folders between ``path`` and ``directory`` that are now empty (only
    empty folders: ``rmdir`` cannot remove anything else)."""
    parent = os.path.dirname(os.path.abspath(path))
    top = os.path.abspath(directory)
    while parent != top and inside(parent, top):
        try:
            os.rmdir(parent)
        except OSError:
            return
        parent = os.path.dirname(parent)
