"""Stage 8, report as an SQLite database: ``--format sqlite -o FILE``.

Four tables with declared keys, ready for Datasette and sqlite-utils:

- ``documents``: one row per document read (the JSON contract's ``documents``);
- ``passages``: one row per reused passage, in report order, its ``source_document`` and
  ``copy_document`` foreign keys into ``documents`` and ``cluster`` into ``clusters``;
- ``clusters``: each cluster's passage and distinct-document counts, and whether any of
  its passages is boilerplate;
- ``parameters``: every setting that decided the result, values as JSON text;

and a view ``reuses``: the passages with both files' paths. The same result gives the
same rows (and, with the same SQLite library, the same bytes).

The file is marked as a dedupe report (``PRAGMA application_id``). An existing file is
only ever replaced if it carries that mark, and then atomically: the database is
written to a hidden temporary file in the same folder, then renamed over the old one,
so a crash leaves the old report or the new one, never half a database.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import sqlite3
import stat
from dataclasses import asdict

from ..errors import InvalidParameter, OutputRefused, UnreadableInput
from ..model import Location, ScanResult

APPLICATION_ID = int.from_bytes(b"ddrp", "big")  # "dedupe report", in the file header
SCHEMA_VERSION = 1  # PRAGMA user_version
_MAGIC = b"SQLite format 3\x00"
_HEADER = 100
_APPLICATION_ID_AT = 68

SCHEMA = (
    """CREATE TABLE documents (
  id INTEGER PRIMARY KEY,
  path TEXT UNIQUE NOT NULL,
  date TEXT,
  words INTEGER,
  lines INTEGER,
  encoding TEXT
)""",
    """CREATE TABLE clusters (
  id INTEGER PRIMARY KEY,
  passages INTEGER NOT NULL,
  documents INTEGER NOT NULL,
  boilerplate INTEGER NOT NULL CHECK (boilerplate IN (0, 1))
)""",
    """CREATE TABLE passages (
  id INTEGER PRIMARY KEY,
  cluster INTEGER NOT NULL REFERENCES clusters(id),
  kind TEXT NOT NULL,
  similarity REAL NOT NULL,
  words INTEGER NOT NULL,
  evidence TEXT NOT NULL,
  boilerplate INTEGER NOT NULL CHECK (boilerplate IN (0, 1)),
  source_document INTEGER NOT NULL REFERENCES documents(id),
  source_start_line INTEGER NOT NULL,
  source_end_line INTEGER NOT NULL,
  source_start_char INTEGER NOT NULL,
  source_end_char INTEGER NOT NULL,
  copy_document INTEGER NOT NULL REFERENCES documents(id),
  copy_start_line INTEGER NOT NULL,
  copy_end_line INTEGER NOT NULL,
  copy_start_char INTEGER NOT NULL,
  copy_end_char INTEGER NOT NULL,
  excerpt TEXT NOT NULL
)""",
    """CREATE TABLE parameters (
  name TEXT PRIMARY KEY,
  value TEXT NOT NULL
)""",
)

INDEXES = (
    "CREATE INDEX passages_source_document ON passages(source_document)",
    "CREATE INDEX passages_copy_document ON passages(copy_document)",
    "CREATE INDEX passages_cluster ON passages(cluster)",
    "CREATE INDEX passages_kind ON passages(kind)",
)

_SIDES_FROM_PASSAGES = """s.path AS source, p.source_start_line, p.source_end_line,
       c.path AS copy, p.copy_start_line, p.copy_end_line,
       p.evidence, p.excerpt
FROM passages AS p
JOIN documents AS s ON s.id = p.source_document
JOIN documents AS c ON c.id = p.copy_document"""
"""Both sides of each passage with its evidence, from the passages table."""

REUSES_VIEW = f"""CREATE VIEW reuses AS
SELECT p.id AS passage, p.cluster, p.kind, p.similarity, p.words, p.boilerplate,
       {_SIDES_FROM_PASSAGES}
ORDER BY p.id"""

# Every reuse of one file, as source or as copy, in report order. :path is the path as
# reported (as found under the scanned paths); the file is looked up once, then the
# passages through the source_document and copy_document indexes.
REUSES_OF_FILE_SQL = f"""WITH file AS (SELECT id FROM documents WHERE path = :path)
SELECT p.id AS passage, p.cluster, p.kind, p.similarity, p.words,
       {_SIDES_FROM_PASSAGES}
WHERE p.source_document IN file OR p.copy_document IN file
ORDER BY p.id"""


def check_target(path: str | None) -> None:
    """Raise ``InvalidParameter`` or ``OutputRefused`` unless ``write_sqlite`` may write
    ``path``: a new file in an existing folder, or a dedupe SQLite report to replace. The
    CLI can call this before scanning, so that a long scan does not end in a refusal."""
    if path is None or path == "-":
        raise InvalidParameter(
            "output", "is needed for an SQLite report (a database cannot go to standard output)"
        )
    target = os.path.realpath(path)
    if os.path.isdir(target):
        raise InvalidParameter("output", f"{path} is a folder")
    folder = os.path.dirname(target)
    if not os.path.isdir(folder):
        raise InvalidParameter("output", f"{path}: no such folder {folder}")
    if not os.path.exists(target):
        return
    if not is_dedupe_report(target):
        raise OutputRefused(f"{path} exists and is not a dedupe SQLite report; not replacing it")
    for suffix in ("-wal", "-journal"):
        if os.path.exists(target + suffix):
            raise OutputRefused(
                f"{path} is open or was not closed cleanly ({path}{suffix} exists); "
                "not replacing it"
            )


def is_dedupe_report(path: str) -> bool:
    """Whether ``path`` is an SQLite database written by ``write_sqlite`` (read from the
    file header; the file is not opened as a database)."""
    try:
        with open(path, "rb") as handle:
            header = handle.read(_HEADER)
    except OSError as err:
        raise UnreadableInput(f"cannot read {path}: {err.strerror}") from err
    return (
        len(header) == _HEADER
        and header.startswith(_MAGIC)
        and header[_APPLICATION_ID_AT : _APPLICATION_ID_AT + 4] == APPLICATION_ID.to_bytes(4, "big")
    )


def write_sqlite(result: ScanResult, path: str | None) -> None:
    """Write ``result`` to the SQLite database ``path`` (see the module docstring).

    Raises ``InvalidParameter`` or ``OutputRefused`` if ``path`` is missing or ``-``, is a
    folder, lies in a folder that does not exist, or exists and is not a dedupe report,
    and if the file cannot be written; the existing file is then left untouched.
    """
    check_target(path)
    target = os.path.realpath(path)
    folder, name = os.path.split(target)
    temp = _create_temp(folder, name, path)
    try:
        if os.path.exists(target):  # keep the old report's permissions, as ">" would
            os.chmod(temp, stat.S_IMODE(os.stat(target).st_mode))
        _fill(temp, result)
        _fsync(temp)
        os.replace(temp, target)
    except BaseException as err:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        if isinstance(err, (OSError, sqlite3.OperationalError)):
            raise OutputRefused(f"cannot write {path}: {_reason(err)}") from err
        raise
    with contextlib.suppress(OSError):
        _fsync(folder)


def _reason(err: BaseException) -> str:
    return (err.strerror if isinstance(err, OSError) else None) or str(err)


def _create_temp(folder: str, name: str, path: str) -> str:
    """A new empty hidden file next to ``name`` (mode 0666 less the umask)."""
    for _ in range(100):
        temp = os.path.join(folder, f".{name}.{secrets.token_hex(4)}.tmp")
        try:
            os.close(os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
        except FileExistsError:
            continue
        except OSError as err:
            raise OutputRefused(f"cannot write {path}: {_reason(err)}") from err
        return temp
    raise OutputRefused(f"cannot write {path}: no free temporary name in {folder}")


def _fsync(path: str) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fill(file: str, result: ScanResult) -> None:
    """Create the schema in the empty database ``file`` and insert ``result``."""
    documents, clusters, passages, parameters = tables(result)
    db = sqlite3.connect(file, isolation_level=None)
    try:
        # The file is renamed into place only once complete: no journal file is needed.
        db.execute("PRAGMA journal_mode = MEMORY")
        db.execute("PRAGMA synchronous = OFF")
        db.execute("PRAGMA foreign_keys = ON")
        db.execute(f"PRAGMA application_id = {APPLICATION_ID}")
        db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        db.execute("BEGIN")
        for statement in SCHEMA:
            db.execute(statement)
        db.executemany("INSERT INTO documents VALUES (?, ?, ?, ?, ?, ?)", documents)
        db.executemany("INSERT INTO clusters VALUES (?, ?, ?, ?)", clusters)
        db.executemany(f"INSERT INTO passages VALUES ({', '.join('?' * 18)})", passages)
        db.executemany("INSERT INTO parameters VALUES (?, ?)", parameters)
        for statement in (*INDEXES, REUSES_VIEW):
            db.execute(statement)
        db.execute("COMMIT")
    finally:
        db.close()


def tables(result: ScanResult) -> tuple[list[tuple], list[tuple], list[tuple], list[tuple]]:
    """The rows of ``documents``, ``clusters``, ``passages`` and ``parameters``.

    Documents are numbered from 1 in the result's order, passages from 1 in report
    order; clusters keep their numbers. A passage's file missing from the result's
    documents (not expected) gets a row of its own, with NULL figures, after the others;
    a path listed twice (not expected either) keeps its first row.
    """
    documents: list[tuple] = []
    ids: dict[str, int] = {}
    for d in result.documents:
        if d.path not in ids:
            ids[d.path] = len(documents) + 1
            date = d.date.isoformat() if d.date else None
            documents.append((ids[d.path], d.path, date, int(d.words), int(d.lines), d.encoding))
    for p in result.passages:
        for loc in (p.source, p.copy):
            if loc.path not in ids:
                ids[loc.path] = len(documents) + 1
                documents.append((ids[loc.path], loc.path, None, None, None, None))

    def side(loc: Location) -> tuple:
        return (
            ids[loc.path],
            int(loc.start_line),
            int(loc.end_line),
            int(loc.start_char),
            int(loc.end_char),
        )

    passages = [
        (
            k,
            int(p.cluster),
            p.kind,
            float(p.similarity),
            int(p.words),
            p.evidence,
            int(bool(p.boilerplate)),
            *side(p.source),
            *side(p.copy),
            p.excerpt,
        )
        for k, p in enumerate(result.passages, start=1)
    ]
    members: dict[int, tuple[int, set[str], bool]] = {}
    for p in result.passages:
        count, paths, boilerplate = members.get(int(p.cluster), (0, set(), False))
        paths.update((p.source.path, p.copy.path))
        members[int(p.cluster)] = (count + 1, paths, boilerplate or bool(p.boilerplate))
    clusters = [
        (number, count, len(paths), int(boilerplate))
        for number, (count, paths, boilerplate) in sorted(members.items())
    ]
    parameters = [
        (name, json.dumps(value, ensure_ascii=False))
        for name, value in asdict(result.parameters).items()
    ]
    return documents, clusters, passages, parameters
