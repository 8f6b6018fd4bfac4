"""A persistent collection index in SQLite: documents, segments, signatures, LSH band keys.

Archivists index what they hold once and check new accessions against it. The index
keeps, per document, its path, size, modification time and content digest; per
segment, its token and character span, both MinHash signatures and the content-word
set; per signature, its LSH band keys in an indexed table; and the parameters it was
built with, so that a run with other parameters is refused instead of mixing sketches.

Every file is indexed in its own transaction (``BEGIN IMMEDIATE``), so a process killed
at any point leaves each file either fully indexed or as it was; the database runs in
WAL mode with a busy timeout, so concurrent ``index add`` runs wait for each other
instead of failing.
"""

from __future__ import annotations

import json
import os
import sqlite3
import time
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, fields
from datetime import date

import numpy as np

from .candidates import band_keys, lsh_bands
from .errors import DedupeError
from .read import Document, Skipped, content_digest, iter_files, read_file, read_paths
from .scan import (
    CONTENT,
    VERBATIM,
    DocumentInfo,
    Log,
    Parameters,
    Prepared,
    ScanResult,
    describe,
    find_passages,
    prepare,
    signed_segments,
)
from .segment import Segment
from .shingle import content_set, shingle_set
from .sign import signatures
from .verify import Weights

FORMAT = "dedupe-index"
VERSION = 1
BUSY_TIMEOUT_MS = 60_000
DEFAULT_PATH = os.path.join(".dedupe", "index.sqlite")
# Parameters that decide what is stored; the others only affect how results are read.
STORED = ("num_perm", "shingle_size", "min_words", "window_words", "candidate_threshold",
          "paraphrase_candidate_threshold")  # fmt: skip

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
    date TEXT
);
CREATE TABLE IF NOT EXISTS segments (
    id INTEGER PRIMARY KEY,
    doc_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    start INTEGER NOT NULL,
    end INTEGER NOT NULL,
    start_char INTEGER NOT NULL,
    end_char INTEGER NOT NULL,
    verbatim_signature BLOB,
    content_signature BLOB,
    content_keys BLOB NOT NULL
);
CREATE INDEX IF NOT EXISTS segments_doc ON segments(doc_id);
CREATE TABLE IF NOT EXISTS bands (
    family TEXT NOT NULL,
    band INTEGER NOT NULL,
    key BLOB NOT NULL,
    segment_id INTEGER NOT NULL REFERENCES segments(id) ON DELETE CASCADE,
    doc_id INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS bands_key ON bands(family, band, key);
CREATE INDEX IF NOT EXISTS bands_segment ON bands(segment_id);
CREATE TABLE IF NOT EXISTS content_df (key INTEGER PRIMARY KEY, df INTEGER NOT NULL);
"""


@dataclass
class AddStats:
    """What ``Index.add`` did: files signed (new or changed), unchanged, and skipped."""

    signed: list[str]
    unchanged: int
    skipped: list[Skipped]


@dataclass(frozen=True)
class Status:
    """An indexed document's state on disk: ``indexed``, ``changed`` or ``vanished``;
    or ``new`` for a file under the given paths that is not indexed yet."""

    path: str
    state: str


@dataclass(frozen=True)
class SegmentRow:
    """An indexed segment: its id, document path and token span."""

    id: int
    path: str
    start: int
    end: int


def open_index(path: str, options: dict, create: bool = True) -> Index:
    """The index at ``path``, with the parameters it was built with updated by the
    ``options`` that are not None (a stored parameter given another value is an error).
    """
    given = {name: value for name, value in options.items() if value is not None}
    stored = _stored_at(path) if os.path.exists(path) and os.path.getsize(path) else {}
    return Index(path, Parameters(**{**stored, **given}), create)


def _stored_at(path: str) -> dict:
    """The parameters stored in the index file at ``path`` ({} while it is being created)."""

    def read() -> list[tuple]:
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=BUSY_TIMEOUT_MS / 1000)
        try:
            tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master")}
            if not tables:
                return []
            if "meta" not in tables:
                raise DedupeError(f"{path} is an SQLite file but not a dedupe index")
            return db.execute("SELECT value FROM meta WHERE key = 'parameters'").fetchall()
        finally:
            db.close()

    try:
        rows = _retrying(read)
    except sqlite3.DatabaseError as err:
        raise DedupeError(f"{path} is not a dedupe index ({err})") from None
    return json.loads(rows[0][0]) if rows else {}


def _retrying(action, seconds: float = BUSY_TIMEOUT_MS / 1000):
    """``action()``, tried again while SQLite says the database is locked or busy (some
    lock changes, such as switching to WAL, do not wait for the busy timeout)."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            return action()
        except sqlite3.OperationalError as err:
            text = str(err)
            if ("locked" not in text and "busy" not in text) or time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def stored_parameters(params: Parameters) -> dict:
    """The parameters that decide an index's content, as stored in it."""
    values = {f.name: getattr(params, f.name) for f in fields(params)}
    return {name: values[name] for name in STORED}


class Index:
    """An open index file. Use as a context manager, or call ``close``."""

    def __init__(self, path: str, params: Parameters, create: bool = True):
        if not create and not os.path.exists(path):
            raise DedupeError(f"no index at {path} (create it with: dedupe index add PATH)")
        if create:
            os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
        self.path = path
        self.params = params
        self.db = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
        try:
            self._open()
        except sqlite3.DatabaseError as err:
            self.db.close()
            raise DedupeError(f"{path} is not a dedupe index ({err})") from None
        except DedupeError:
            self.db.close()
            raise

    def _open(self) -> None:
        self.db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        tables = {r[0] for r in self.db.execute("SELECT name FROM sqlite_master")}
        if tables and "meta" not in tables:
            raise DedupeError(f"{self.path} is an SQLite file but not a dedupe index")
        _retrying(lambda: self.db.execute("PRAGMA journal_mode = WAL"))
        self.db.execute("PRAGMA foreign_keys = ON")
        wanted = {
            "format": FORMAT,
            "version": str(VERSION),
            "parameters": json.dumps(stored_parameters(self.params), sort_keys=True),
        }
        with self._transaction():
            for statement in SCHEMA.split(";"):
                if statement.strip():
                    self.db.execute(statement)
            self.db.executemany("INSERT OR IGNORE INTO meta VALUES (?, ?)", wanted.items())
        meta = dict(self.db.execute("SELECT key, value FROM meta"))
        if meta.get("format") != FORMAT:
            raise DedupeError(f"{self.path} is not a dedupe index")
        if meta.get("version") != str(VERSION):
            raise DedupeError(
                f"{self.path} is a version {meta.get('version')} index; "
                f"this dedupe reads version {VERSION}"
            )
        if meta["parameters"] != wanted["parameters"]:
            raise DedupeError(_mismatch(self.path, json.loads(meta["parameters"]), self.params))

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Index:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # ------------------------------------------------------------------ adding

    def add(self, paths: list[str], log: Log = lambda _: None) -> AddStats:
        """Index every file under ``paths``: new and changed files are signed, unchanged
        ones (same size and mtime, or same digest) are left as they are.
        """
        stats = AddStats([], 0, [])
        files = iter_files(paths)
        for n, path in enumerate(files, start=1):
            item = self._changed(path)
            if item is None:
                stats.unchanged += 1
            elif isinstance(item, Skipped):
                stats.skipped.append(item)
            else:
                self._store(item)
                stats.signed.append(path)
            if n % 100 == 0:
                log(f"indexed {n}/{len(files)} files")
        return stats

    def _row(self, path: str) -> tuple | None:
        return self.db.execute(
            "SELECT id, size, mtime, digest FROM documents WHERE path = ?", (key(path),)
        ).fetchone()

    def _changed(self, path: str) -> Document | Skipped | None:
        """The document to (re)index at ``path``, or None when the index holds it as is."""
        row = self._row(path)
        stat = os.stat(path)
        if row and row[1] == stat.st_size and row[2] == stat.st_mtime:
            return None
        item = read_file(path)
        if isinstance(item, Document) and row and row[3] == item.digest:
            with self._transaction():
                self.db.execute(
                    "UPDATE documents SET size = ?, mtime = ? WHERE id = ?",
                    (item.size, item.mtime, row[0]),
                )
            return None
        return item

    def _store(self, doc: Document) -> None:
        prepared = prepare(0, doc, self.params)
        segments = signed_segments([prepared], self.params)
        rows = self._segment_rows(prepared, segments)
        with self._transaction():
            row = self._row(doc.path)
            if row and row[3] == doc.digest:
                return  # another process indexed this very content meanwhile
            if row:
                self._delete(row[0])
            info = describe(doc, len(prepared.tokens))
            doc_id = self.db.execute(
                "INSERT INTO documents (path, size, mtime, digest, encoding, words, lines, date)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (key(doc.path), doc.size, doc.mtime, doc.digest, doc.encoding, info.words,
                 info.lines, info.date.isoformat() if info.date else None),
            ).lastrowid  # fmt: skip
            for seg, verbatim, content, keys in rows:
                seg_id = self.db.execute(
                    "INSERT INTO segments (doc_id, start, end, start_char, end_char, "
                    "verbatim_signature, content_signature, content_keys) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    (doc_id, seg.start, seg.end, seg.start_char, seg.end_char,
                     _blob(verbatim), _blob(content), keys.tobytes()),
                ).lastrowid  # fmt: skip
                self.db.executemany(
                    "INSERT INTO bands VALUES (?, ?, ?, ?, ?)",
                    [
                        (family, band, value, seg_id, doc_id)
                        for family, sig in ((VERBATIM, verbatim), (CONTENT, content))
                        if sig is not None
                        for band, value in enumerate(self._band_keys(family, sig))
                    ],
                )
                self.db.executemany(
                    "INSERT INTO content_df VALUES (?, 1) "
                    "ON CONFLICT(key) DO UPDATE SET df = df + 1",
                    [(int(k),) for k in keys],
                )

    def _segment_rows(self, prepared: Prepared, segments: list[Segment]) -> list[tuple]:
        """Each segment with its verbatim and content signatures (None for an empty set)
        and its content keys."""
        n = self.params.shingle_size
        verbatim = [shingle_set(prepared.ngrams, s.start, s.end, n) for s in segments]
        content = [content_set(prepared.content, s.start, s.end) for s in segments]
        return list(
            zip(
                segments,
                _signatures(verbatim, self.params.num_perm),
                _signatures(content, self.params.num_perm),
                content,
                strict=True,
            )
        )

    def _band_keys(self, family: str, signature) -> list[bytes]:
        bands, rows = lsh_bands(self.params.lsh_threshold(family), self.params.num_perm)
        return band_keys(signature, bands, rows)

    def _delete(self, doc_id: int) -> None:
        for (keys,) in self.db.execute(
            "SELECT content_keys FROM segments WHERE doc_id = ?", (doc_id,)
        ).fetchall():
            self.db.executemany(
                "UPDATE content_df SET df = df - 1 WHERE key = ?",
                [(int(k),) for k in np.frombuffer(keys, dtype=np.uint32)],
            )
        self.db.execute("DELETE FROM content_df WHERE df <= 0")
        self.db.execute("DELETE FROM documents WHERE id = ?", (doc_id,))

    def _transaction(self) -> _Transaction:
        return _Transaction(self.db)

    # ----------------------------------------------------------------- reading

    def status(self, paths: list[str] = ()) -> list[Status]:
        """Every indexed document's state on disk, and files under ``paths`` not indexed."""
        result = []
        for path, size, mtime, digest in self.db.execute(
            "SELECT path, size, mtime, digest FROM documents ORDER BY path"
        ).fetchall():
            result.append(Status(path, _state(path, size, mtime, digest)))
        indexed = {s.path for s in result}
        result += [Status(key(p), "new") for p in iter_files(list(paths)) if key(p) not in indexed]
        return sorted(result, key=lambda s: s.path)

    def prune(self) -> list[str]:
        """Drop the documents whose files have vanished; return their paths."""
        gone = [s.path for s in self.status() if s.state == "vanished"]
        for path in gone:
            with self._transaction():
                row = self._row(path)
                if row:
                    self._delete(row[0])
        return gone

    def paths(self) -> list[str]:
        """Every indexed document path, sorted."""
        return [r[0] for r in self.db.execute("SELECT path FROM documents ORDER BY path")]

    def digest_of(self, path: str) -> str | None:
        row = self._row(path)
        return row[3] if row else None

    def segments_of(self, ids: set[int]) -> list[SegmentRow]:
        """The indexed segments with these ids."""
        rows = []
        for chunk in _chunks(sorted(ids)):
            rows += self.db.execute(
                "SELECT s.id, d.path, s.start, s.end FROM segments s JOIN documents d "
                f"ON d.id = s.doc_id WHERE s.id IN ({','.join('?' * len(chunk))})",
                chunk,
            ).fetchall()
        return [SegmentRow(*r) for r in rows]

    def colliding(self, family: str, paths: list[str]) -> set[tuple[int, int]]:
        """Pairs of segment ids, of different documents among ``paths``, that share a band
        key of ``family`` (bucketed in memory from one pass over the stored keys)."""
        wanted = {key(p) for p in paths}
        docs = {
            doc_id
            for doc_id, path in self.db.execute("SELECT id, path FROM documents")
            if path in wanted
        }
        buckets: dict[tuple[int, bytes], list[tuple[int, int]]] = defaultdict(list)
        for band, value, segment_id, doc_id in self.db.execute(
            "SELECT band, key, segment_id, doc_id FROM bands WHERE family = ?", (family,)
        ):
            if doc_id in docs:
                buckets[(band, value)].append((segment_id, doc_id))
        pairs = set()
        for members in buckets.values():
            for k, (seg_a, doc_a) in enumerate(members):
                for seg_b, doc_b in members[k + 1 :]:
                    if doc_a != doc_b:
                        pairs.add((seg_a, seg_b) if seg_a < seg_b else (seg_b, seg_a))
        return pairs

    def matching(self, family: str, signature) -> set[int]:
        """Ids of indexed segments sharing a band key of ``family`` with ``signature``."""
        found: set[int] = set()
        for band, value in enumerate(self._band_keys(family, signature)):
            found.update(
                r[0]
                for r in self.db.execute(
                    "SELECT segment_id FROM bands WHERE family = ? AND band = ? AND key = ?",
                    (family, band, value),
                )
            )
        return found

    def infos(self, paths: dict[str, str]) -> list[DocumentInfo]:
        """How reports describe the indexed documents; ``paths`` maps index keys to the
        names to report them under."""
        rows = self.db.execute(
            "SELECT path, date, words, lines, encoding FROM documents ORDER BY path"
        ).fetchall()
        return sorted(
            (
                DocumentInfo(paths[p], date.fromisoformat(d) if d else None, w, n, e)
                for p, d, w, n, e in rows
                if p in paths
            ),
            key=lambda info: info.path,
        )

    def weights(self) -> Weights:
        """Rarity weights of content keys over the indexed segments (see ``Weights``)."""
        total = self.db.execute("SELECT COUNT(*) FROM segments").fetchone()[0]
        rows = self.db.execute("SELECT key, df FROM content_df ORDER BY key").fetchall()
        keys = np.array([r[0] for r in rows], dtype=np.uint32)
        counts = np.array([r[1] for r in rows], dtype=np.float64)
        idf = np.log(total / counts) if len(rows) else np.empty(0)
        return Weights(keys, np.where(counts * 2 > total, 0.0, idf))


class _Transaction:
    """``BEGIN IMMEDIATE`` … ``COMMIT``, rolled back on an exception."""

    def __init__(self, db: sqlite3.Connection):
        self.db = db

    def __enter__(self) -> None:
        self.db.execute("BEGIN IMMEDIATE")

    def __exit__(self, exc_type, *_) -> None:
        self.db.execute("ROLLBACK" if exc_type else "COMMIT")


def key(path: str) -> str:
    """How the index names a file: its absolute, normalised path."""
    return os.path.abspath(path)


def _state(path: str, size: int, mtime: float, digest: str) -> str:
    try:
        stat = os.stat(path)
    except FileNotFoundError:
        return "vanished"
    if stat.st_size == size and stat.st_mtime == mtime:
        return "indexed"
    with open(path, "rb") as handle:
        return "indexed" if content_digest(handle.read()) == digest else "changed"


def _signatures(sets: list[np.ndarray], num_perm: int) -> list:
    """Signatures of the non-empty sets, None for the empty ones, in order."""
    kept = [k for k, s in enumerate(sets) if len(s)]
    signed = dict(zip(kept, signatures([sets[k] for k in kept], num_perm), strict=True))
    return [signed.get(k) for k in range(len(sets))]


def _blob(signature) -> bytes | None:
    return None if signature is None else signature.hashvalues.tobytes()


def _chunks(values: list, size: int = 500) -> Iterator[list]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _mismatch(path: str, stored: dict, params: Parameters) -> str:
    wanted = stored_parameters(params)
    diffs = ", ".join(
        f"{name.replace('_', '-')} {stored.get(name)} (asked {wanted[name]})"
        for name in STORED
        if stored.get(name) != wanted[name]
    )
    return f"{path} was built with other parameters: {diffs}"


SegmentKey = tuple[str, int, int]


@dataclass(frozen=True)
class IndexCandidates:
    """Candidate pairs looked up in an index (see ``dedupe.scan.Candidates``).

    ``doc_keys[k]`` is the index key of prepared document ``k``; ``collisions[family]``
    holds pairs of segment keys ``(document key, start, end)`` whose band keys collide.
    Rarity weights come from the whole index.
    """

    index: Index
    doc_keys: list[str]
    collisions: dict[str, set[tuple[SegmentKey, SegmentKey]]]

    def pairs(
        self, family: str, segments: list[Segment], sets: list[np.ndarray]
    ) -> list[tuple[int, int]]:
        position = {(self.doc_keys[s.doc], s.start, s.end): k for k, s in enumerate(segments)}
        found = set()
        for a, b in self.collisions.get(family, ()):
            i, j = position.get(a), position.get(b)
            if i is not None and j is not None and segments[i].doc != segments[j].doc:
                found.add((min(i, j), max(i, j)))
        return sorted(found)

    def weights(self, sets: list[np.ndarray]) -> Weights:
        return self.index.weights()


def _segment_keys(index: Index, ids: set[int]) -> dict[int, SegmentKey]:
    return {row.id: (row.path, row.start, row.end) for row in index.segments_of(ids)}


def scan_indexed(
    paths: list[str], index: Index, log: Log = lambda _: None
) -> tuple[ScanResult, AddStats]:
    """``scan`` over the files under ``paths`` using the index: new and changed files are
    signed and stored, candidate pairs come from the stored band keys, and only the
    documents in some candidate pair are read again to align their passages.
    """
    params = index.params
    params.check()
    stats = index.add(paths, log)
    log(f"index: {len(stats.signed)} files signed, {stats.unchanged} unchanged")
    given = {key(p): p for p in iter_files(paths)}
    collisions = {}
    for family in (VERBATIM, CONTENT):
        id_pairs = index.colliding(family, list(given))
        names = _segment_keys(index, {i for pair in id_pairs for i in pair})
        collisions[family] = {(names[a], names[b]) for a, b in id_pairs}
    involved = sorted({seg[0] for pairs in collisions.values() for pair in pairs for seg in pair})
    prepared, notes = _prepare_indexed(index, [given[k] for k in involved])
    candidates = IndexCandidates(index, [key(p.doc.path) for p in prepared], collisions)
    passages = find_passages(prepared, params, candidates, log)
    skipped = [s for s in stats.skipped if key(s.path) in given]
    return ScanResult(params, index.infos(given), passages, skipped, notes), stats


def query(files: list[str], index: Index, log: Log = lambda _: None) -> ScanResult:
    """The passages that the documents in ``files`` share with the indexed collection,
    without adding them to the index or re-signing anything indexed.
    """
    params = index.params
    params.check()
    collection = read_paths(files)
    new = [prepare(k, doc, params) for k, doc in enumerate(collection.documents)]
    collisions: dict[str, set[tuple[SegmentKey, SegmentKey]]] = {}
    for family in (VERBATIM, CONTENT):
        hits = []
        for p in new:
            for seg, signature in _family_signatures(p, family, params):
                for seg_id in index.matching(family, signature):
                    hits.append(((key(p.doc.path), seg.start, seg.end), seg_id))
        names = _segment_keys(index, {seg_id for _, seg_id in hits})
        collisions[family] = {(mine, names[seg_id]) for mine, seg_id in hits}
    mine = {key(p.doc.path) for p in new}
    involved = sorted(
        {seg[0] for pairs in collisions.values() for pair in pairs for seg in pair} - mine
    )
    indexed, notes = _prepare_indexed(index, involved, first=len(new))
    prepared = new + indexed
    candidates = IndexCandidates(index, [key(p.doc.path) for p in prepared], collisions)
    passages = find_passages(prepared, params, candidates, log)
    documents = [describe(p.doc, len(p.tokens)) for p in prepared]
    return ScanResult(params, documents, passages, collection.skipped, collection.notes + notes)


def _family_signatures(prepared: Prepared, family: str, params: Parameters) -> list[tuple]:
    """``(segment, signature)`` for each signed segment with a non-empty ``family`` set."""
    segments = signed_segments([prepared], params)
    if family == VERBATIM:
        n = params.shingle_size
        sets = [shingle_set(prepared.ngrams, s.start, s.end, n) for s in segments]
    else:
        sets = [content_set(prepared.content, s.start, s.end) for s in segments]
    return [
        (seg, sig)
        for seg, sig in zip(segments, _signatures(sets, params.num_perm), strict=True)
        if sig is not None
    ]


def _prepare_indexed(
    index: Index, paths: list[str], first: int = 0
) -> tuple[list[Prepared], list[str]]:
    """Read and prepare indexed documents again, numbering them from ``first``; a file
    that changed or vanished since it was indexed is left out with a note."""
    prepared, notes = [], []
    for path in paths:
        item = read_file(path) if os.path.exists(path) else Skipped(path, "vanished")
        if isinstance(item, Skipped) or item.digest != index.digest_of(path):
            notes.append(f"{path}: changed since indexed; run 'dedupe index add' again")
            continue
        prepared.append(prepare(first + len(prepared), item, index.params))
    return prepared, notes
