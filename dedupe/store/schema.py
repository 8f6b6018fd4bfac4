"""The index file's format: its SQLite schema and version, the parameters stored in it
(those that decide what is stored) and read from it, and SQLite access that waits while
another ``index add`` holds the database."""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Iterator
from dataclasses import fields

from ..errors import DamagedIndex, IndexMismatch, NotAnIndex
from ..parameters import CONTENT, VERBATIM, Parameters

FORMAT = "dedupe-index"
VERSION = 5
BAND_COLUMNS = {VERBATIM: "ngram_bands", CONTENT: "content_bands"}
"""The segment column holding each family's LSH band keys (uint64 bytes; NULL for an
empty set)."""
BUSY_TIMEOUT_MS = 60_000

# Parameters that decide what is stored; the others only affect how results are read.
STORED = ("num_perm", "shingle_size", "min_words", "window_words", "candidate_threshold",
          "candidate_lsh_threshold", "paraphrase_candidate_threshold")  # fmt: skip

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS documents (
    id INTEGER PRIMARY KEY,
    path TEXT NOT NULL UNIQUE,
    size INTEGER NOT NULL,
    mtime REAL NOT NULL,
    digest TEXT NOT NULL,
    encoding TEXT NOT NULL,
    words INTEGER NOT NULL,
    lines INTEGER NOT NULL,
    date TEXT,
    pairs_done INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS segments (
    id INTEGER PRIMARY KEY,
    doc_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    start INTEGER NOT NULL,
    end INTEGER NOT NULL,
    start_char INTEGER NOT NULL,
    end_char INTEGER NOT NULL,
    ngram_keys BLOB NOT NULL,
    content_keys BLOB NOT NULL,
    ngram_bands BLOB,
    content_bands BLOB
);
CREATE INDEX IF NOT EXISTS segments_doc ON segments(doc_id);
CREATE TABLE IF NOT EXISTS content_df (key INTEGER PRIMARY KEY, df INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS reuses (
    doc_a INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    doc_b INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    record TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS reuses_a ON reuses(doc_a);
CREATE INDEX IF NOT EXISTS reuses_b ON reuses(doc_b);
"""


SQLITE_HEADER = b"SQLite format 3\x00"


def sqlite_file(path: str) -> bool:
    """Whether the file at ``path`` begins as every SQLite database does."""
    with open(path, "rb") as file:
        return file.read(len(SQLITE_HEADER)) == SQLITE_HEADER


def stored_at(path: str) -> dict:
    """The parameters stored in the index file at ``path`` ({} while it is being created)."""

    def read() -> list[tuple]:
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=BUSY_TIMEOUT_MS / 1000)
        try:
            tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master")}
            if not tables:
                return []
            if "meta" not in tables:
                raise NotAnIndex(f"{path} is an SQLite file but not a dedupe index")
            return db.execute("SELECT value FROM meta WHERE key = 'parameters'").fetchall()
        finally:
            db.close()

    try:
        rows = retrying(read)
    except sqlite3.DatabaseError as err:
        if sqlite_file(path):
            raise DamagedIndex(f"{path} is not a readable dedupe index ({err})") from None
        raise NotAnIndex(f"{path} is not a dedupe index ({err})") from None
    return json.loads(rows[0][0]) if rows else {}


def retrying(action, seconds: float = BUSY_TIMEOUT_MS / 1000):
    """``action()``, tried again while SQLite says the database is locked or busy (some
    lock changes, such as switching to WAL, do not wait for the busy timeout)."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            return action()
        except sqlite3.OperationalError as err:
            if not busy(err) or time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def busy(err: Exception) -> bool:
    """Whether SQLite's error says another connection holds the database (no damage)."""
    return isinstance(err, sqlite3.OperationalError) and any(
        word in str(err) for word in ("locked", "busy")
    )


def reading_parameters(params: Parameters) -> dict:
    """The parameters that decide what is found in stored sketches (not stored in them):
    the others. ``boilerplate_documents`` is one of them: the families a scan aligns
    depend on it."""
    values = {f.name: getattr(params, f.name) for f in fields(params)}
    return {k: v for k, v in values.items() if k not in STORED}


def stored_parameters(params: Parameters) -> dict:
    """The parameters that decide an index's content, as stored in it."""
    values = {f.name: getattr(params, f.name) for f in fields(params)}
    return {name: values[name] for name in STORED}


class Transaction:
    """``BEGIN IMMEDIATE`` … ``COMMIT``, rolled back on an exception."""

    def __init__(self, db: sqlite3.Connection):
        self.db = db

    def __enter__(self) -> None:
        self.db.execute("BEGIN IMMEDIATE")

    def __exit__(self, exc_type, *_) -> None:
        self.db.execute("ROLLBACK" if exc_type else "COMMIT")


def chunks(values: list, size: int = 500) -> Iterator[list]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def mismatch(path: str, stored: dict, params: Parameters) -> IndexMismatch:
    """The error for an index at ``path`` whose ``stored`` settings differ from ``params``."""
    wanted = stored_parameters(params)
    differ = tuple(name for name in STORED if stored.get(name) != wanted[name])
    diffs = ", ".join(f"{name} {stored.get(name)} (asked {wanted[name]})" for name in differ)
    return IndexMismatch(f"{path} was built with other parameters: {diffs}", differ)
