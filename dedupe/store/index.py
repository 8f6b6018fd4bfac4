"""A persistent collection index in SQLite: documents, segments, signatures, LSH band keys.

Archivists index what they hold once and check new accessions against it. The index
keeps, per document, its path, size, modification time and content digest; per
segment, its token and character span, its word n-gram and content-word sets and its
LSH band keys; the passages found; and the parameters it was built with, so that a run
with other parameters is refused instead of mixing sketches. What a scan sketches of a
collection can be read back from it (``Index.sketch``).

Files are indexed in batches, each in one transaction (``BEGIN IMMEDIATE``), so a process
killed at any point leaves each file either fully indexed or as it was; the database runs in
WAL mode with a busy timeout, so concurrent ``index add`` runs wait for each other
instead of failing.
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict
from datetime import date

import numpy as np

from ..errors import DamagedIndex, DedupeError, IndexMismatch, MissingIndex, NotAnIndex
from ..instrument import Log
from ..match.verify import Weights
from ..model import DocumentInfo, Facts, Reuse
from ..parameters import CONTENT, VERBATIM, Parameters
from ..read.files import Skipped, content_digest, list_files
from ..text.prepared import PreparedStore
from ..text.shingle import SetTable
from ..text.sign import lsh_bands
from ..text.sketch import Signed, Sketch
from .records import (
    AddStats,
    SegmentRow,
    SignedFile,
    Status,
    file_state,
    index_files,
    key,
    reuse_from_record,
    signed_files,
)
from .schema import (
    BAND_COLUMNS,
    BUSY_TIMEOUT_MS,
    FORMAT,
    SCHEMA,
    VERSION,
    Transaction,
    busy,
    chunks,
    mismatch,
    reading_parameters,
    retrying,
    sqlite_file,
    stored_at,
    stored_parameters,
)

BATCH_FILES = 32
SIGN_FILES = 8  # files read and signed by one task of index add
CHANGED_SINCE = "changed since indexed; run 'dedupe index add' again"
DEFAULT_PATH = os.path.join(".dedupe", "index.sqlite")
Mapper = Callable[..., Iterable]
"""``mapper(fn, items, *args)`` gives ``fn(item, *args)`` for each of a list of items,
in order: ``in_process``, or an executor's ``map`` (in worker processes)."""


def in_process(fn: Callable, items: list, *args) -> Iterable:
    """``fn(item, *args)`` for each item, in this process (a ``Mapper``)."""
    return (fn(item, *args) for item in items)


def open_index(path: str, options: dict, create: bool = True) -> Index:
    """The index at ``path``, with the parameters it was built with updated by the
    ``options`` that are not None (a stored parameter given another value is an error).
    """
    given = {name: value for name, value in options.items() if value is not None}
    stored = stored_at(path) if os.path.isfile(path) and os.path.getsize(path) else {}
    return Index(path, Parameters(**{**stored, **given}), create)


class Index:
    """An open index file. Use as a context manager, or call ``close``."""

    def __init__(self, path: str, params: Parameters, create: bool = True):
        if not create and not os.path.exists(path):
            raise MissingIndex(f"no index at {path}")
        if os.path.exists(path) and not os.path.isfile(path):
            raise NotAnIndex(f"{path} is not a file, so not a dedupe index")
        if not create and os.path.isfile(path) and os.path.getsize(path) == 0:
            # (``index add`` may find one being created by another ``index add``.)
            raise NotAnIndex(f"{path} is an empty file, not a dedupe index")
        if create:
            os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
        self.path = path
        self.params = params
        self.db = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
        try:
            self._open()
        except sqlite3.DatabaseError as err:
            self.db.close()
            if busy(err):
                raise
            if not sqlite_file(path):
                raise NotAnIndex(f"{path} is not a dedupe index ({err})") from None
            raise DamagedIndex(f"{path} is not a readable dedupe index ({err})") from None
        except DedupeError:
            self.db.close()
            raise

    def _open(self) -> None:
        self.db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        tables = retrying(lambda: {r[0] for r in self.db.execute("SELECT name FROM sqlite_master")})
        if tables and "meta" not in tables:
            raise NotAnIndex(f"{self.path} is an SQLite file but not a dedupe index")
        problems = retrying(lambda: [r[0] for r in self.db.execute("PRAGMA quick_check(1)")])
        if problems != ["ok"]:
            lines = [line for line in problems[0].splitlines() if not line.startswith("***")]
            raise DamagedIndex(f"{self.path} is damaged ({(lines or problems)[0]})")
        retrying(lambda: self.db.execute("PRAGMA journal_mode = WAL"))
        # In WAL mode NORMAL keeps the database consistent through a crash or a kill;
        # only a power cut can lose the last commits (the next add redoes them).
        self.db.execute("PRAGMA synchronous = NORMAL")
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
            raise NotAnIndex(f"{self.path} is not a dedupe index")
        if meta.get("version") != str(VERSION):
            raise IndexMismatch(
                f"{self.path} is a version {meta.get('version')} index; this dedupe reads "
                f"version {VERSION}: remove the file and index the collection again"
            )
        if meta["parameters"] != wanted["parameters"]:
            raise mismatch(self.path, json.loads(meta["parameters"]), self.params)

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Index:
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        self.close()
        if isinstance(exc, sqlite3.DatabaseError) and not busy(exc):
            raise DamagedIndex(f"{self.path}: cannot use the index ({exc})") from exc

    def excluded(self) -> list[str]:
        """The index file and SQLite's files beside it: never read as documents."""
        return index_files(self.path)

    # ------------------------------------------------------------------ adding

    def add(
        self,
        paths: list[str],
        log: Log = lambda _: None,
        store: PreparedStore | None = None,
        mapper: Mapper = in_process,
    ) -> AddStats:
        """Index every file under ``paths``: new and changed files are signed, unchanged
        ones (same size and mtime, or same digest) are left as they are; each document
        prepared is kept in ``store`` if given. ``mapper`` runs the reading and signing
        (``records.signed_files``) on runs of ``SIGN_FILES`` files: in this process by
        default, in worker processes with an executor's ``map``.

        Files are written in path order, ``BATCH_FILES`` at a time, each batch in one
        transaction, as their signatures arrive.
        """
        stats = AddStats([], 0, [])
        listing = list_files(paths, self.excluded())
        stats.skipped += listing.skipped
        pending = [path for path in listing.files if self._needs_signing(path)]
        stats.unchanged = len(listing.files) - len(pending)
        runs = [pending[k : k + SIGN_FILES] for k in range(0, len(pending), SIGN_FILES)]
        ready: list[SignedFile] = []
        for done, signed in enumerate(mapper(signed_files, runs, self.params, store), start=1):
            for item in signed:
                if isinstance(item, Skipped):
                    stats.skipped.append(item)
                else:
                    ready.append(item)
            if len(ready) >= BATCH_FILES or done == len(runs):
                self._write(ready, stats)
                ready = []
            if done * SIGN_FILES // 100 > (done - 1) * SIGN_FILES // 100:
                log(f"indexed {min(done * SIGN_FILES, len(pending))}/{len(pending)} files")
        return stats

    def _row(self, path: str) -> tuple | None:
        return self.db.execute(
            "SELECT id, size, mtime, digest FROM documents WHERE path = ?", (key(path),)
        ).fetchone()

    def _needs_signing(self, path: str) -> bool:
        """Whether the file at ``path`` is new or changed. A file whose content the index
        holds under another size or mtime has those recorded instead."""
        row = self._row(path)
        stat = os.stat(path)
        if row and row[1] == stat.st_size and row[2] == stat.st_mtime:
            return False
        if row:
            with open(path, "rb") as handle:
                same = content_digest(handle.read()) == row[3]
            if same:
                with self._transaction():
                    self.db.execute(
                        "UPDATE documents SET size = ?, mtime = ? WHERE id = ?",
                        (stat.st_size, stat.st_mtime, row[0]),
                    )
                return False
        return True

    def _write(self, signed: list[SignedFile], stats: AddStats) -> None:
        """Write ``signed`` files, replacing older versions, in one transaction."""
        with self._transaction():
            for item in signed:
                self._insert(item)
        stats.signed += [item.doc.path for item in signed]

    def _insert(self, signed: SignedFile) -> None:
        doc, info = signed.doc, signed.info
        row = self._row(doc.path)
        if row and row[3] == doc.digest:
            return  # another process indexed this very content meanwhile
        if row:
            self._delete(row[0])
        doc_id = self.db.execute(
            "INSERT INTO documents (path, size, mtime, digest, encoding, words, lines, date)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (key(doc.path), doc.size, doc.mtime, doc.digest, doc.encoding, info.words,
             info.lines, info.date.isoformat() if info.date else None),
        ).lastrowid  # fmt: skip
        df = Counter()
        segments = []
        for seg, bands, ngram_keys, content_keys in signed.rows:
            segments.append(
                (doc_id, seg.start, seg.end, seg.start_char, seg.end_char, ngram_keys.tobytes(),
                 content_keys.tobytes(), *(_bytes(bands[f]) for f in (VERBATIM, CONTENT)))
            )  # fmt: skip
            df.update(content_keys.tolist())
        self.db.executemany(
            "INSERT INTO segments (doc_id, start, end, start_char, end_char, ngram_keys, "
            "content_keys, ngram_bands, content_bands) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            segments,
        )
        self.db.executemany(
            "INSERT INTO content_df VALUES (?, ?) "
            "ON CONFLICT(key) DO UPDATE SET df = df + excluded.df",
            sorted(df.items()),
        )

    def _delete(self, doc_id: int) -> None:
        df = Counter()
        for (keys,) in self.db.execute(
            "SELECT content_keys FROM segments WHERE doc_id = ?", (doc_id,)
        ):
            df.update(np.frombuffer(keys, dtype=np.uint32).tolist())
        self.db.executemany(
            "UPDATE content_df SET df = df - ? WHERE key = ?",
            [(count, k) for k, count in sorted(df.items())],
        )
        self.db.execute("DELETE FROM content_df WHERE df <= 0")
        self.db.execute("DELETE FROM documents WHERE id = ?", (doc_id,))

    def _transaction(self) -> Transaction:
        return Transaction(self.db)

    # ----------------------------------------------------------------- reading

    def status(self, paths: list[str] = ()) -> list[Status]:
        """Every indexed document's state on disk, and files under ``paths`` not indexed."""
        result = []
        for path, size, mtime, digest in self.db.execute(
            "SELECT path, size, mtime, digest FROM documents ORDER BY path"
        ).fetchall():
            result.append(Status(path, file_state(path, size, mtime, digest)))
        indexed = {s.path for s in result}
        listed = list_files(list(paths), self.excluded()).files
        result += [Status(key(p), "new") for p in listed if key(p) not in indexed]
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

    def digests(self) -> dict[str, str]:
        """Every indexed document's content digest, by index key."""
        return dict(self.db.execute("SELECT path, digest FROM documents"))

    def digest_of(self, path: str) -> str | None:
        row = self._row(path)
        return row[3] if row else None

    def segments_of(self, ids: set[int]) -> list[SegmentRow]:
        """The indexed segments with these ids."""
        paths = dict(self.db.execute("SELECT id, path FROM documents"))
        return [
            SegmentRow(seg_id, paths[doc_id], start, end)
            for seg_id, doc_id, start, end in self._segment_rows("id, doc_id, start, end", ids)
        ]

    # ------------------------------------------------------------ stored results

    def use_reading(self, params: Parameters) -> None:
        """Forget the stored results if they were found with other reading parameters
        (threshold, paraphrase settings)."""
        reading = json.dumps(reading_parameters(params), sort_keys=True)
        with self._transaction():
            row = self.db.execute("SELECT value FROM meta WHERE key = 'reading'").fetchone()
            if row and row[0] == reading:
                return
            self.db.execute("DELETE FROM reuses")
            self.db.execute("UPDATE documents SET pairs_done = 0")
            self.db.execute("INSERT OR REPLACE INTO meta VALUES ('reading', ?)", (reading,))

    def fresh_documents(self) -> set[str]:
        """The documents (index keys) whose results with the others are not stored yet."""
        return {r[0] for r in self.db.execute("SELECT path FROM documents WHERE pairs_done = 0")}

    def store_reuses(self, reuses: list[Reuse], fresh: set[str]) -> None:
        """Store the passages found between ``fresh`` documents and all others (sides
        named by index key), and mark the fresh documents done, in one transaction."""
        ids = dict(self.db.execute("SELECT path, id FROM documents"))
        with self._transaction():
            self.db.executemany(
                "INSERT INTO reuses VALUES (?, ?, ?)",
                [
                    (ids[r.a.location.path], ids[r.b.location.path], json.dumps(asdict(r)))
                    for r in reuses
                    if r.a.location.path in ids and r.b.location.path in ids
                ],
            )
            self.db.executemany(
                "UPDATE documents SET pairs_done = 1 WHERE id = ?", [(ids[d],) for d in fresh]
            )

    def stored_reuses(self, paths: set[str]) -> list[Reuse]:
        """The stored passages between documents that are both among ``paths``."""
        ids = {i for i, p in self.db.execute("SELECT id, path FROM documents") if p in paths}
        return [
            reuse_from_record(json.loads(record))
            for a, b, record in self.db.execute("SELECT doc_a, doc_b, record FROM reuses")
            if a in ids and b in ids
        ]

    def facts(self, paths: set[str]) -> dict[str, Facts]:
        """What orientation needs to know of the indexed documents among ``paths``."""
        return {
            path: Facts(words, date.fromisoformat(day) if day else None, mtime)
            for path, words, day, mtime in self.db.execute(
                "SELECT path, words, date, mtime FROM documents"
            )
            if path in paths
        }

    def matching(self, family: str, keys: np.ndarray) -> list[tuple[int, int]]:
        """The pairs ``(row, segment id)`` of a row of ``keys`` (band keys of ``family``,
        one row per segment to look up) and an indexed segment sharing one of its band
        keys; a band's bucket holding ``max_bucket`` indexed segments or more is passed
        over, as a scan passes over a crowded one."""
        ids, stored = self.band_keys(family)
        cap = self.params.max_bucket(family)
        found: set[tuple[int, int]] = set()
        for band in range(stored.shape[1] if len(ids) else 0):
            # Only the indexed segments in a bucket of one of ``keys`` are sorted.
            held = np.flatnonzero(np.isin(stored[:, band], keys[:, band]))
            order = held[np.argsort(stored[held, band], kind="stable")]
            column = stored[order, band]
            lows = np.searchsorted(column, keys[:, band], side="left")
            highs = np.searchsorted(column, keys[:, band], side="right")
            for row in np.flatnonzero((highs > lows) & ((highs - lows) < (cap or np.inf))):
                found.update((int(row), int(i)) for i in ids[order[lows[row] : highs[row]]])
        return sorted(found)

    def band_keys(
        self, family: str, segments: set[int] | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """The ids of the indexed segments with a non-empty set in ``family`` (of those
        whose ids are in ``segments``, if given), in order, and their band keys, one row
        each."""
        rows = sorted(
            row
            for row in self._segment_rows(f"id, {BAND_COLUMNS[family]}", segments)
            if row[1] is not None
        )
        bands, _ = lsh_bands(self.params.lsh_threshold(family), self.params.num_perm)
        keys = np.frombuffer(b"".join(r[1] for r in rows), dtype=np.uint64)
        return np.array([r[0] for r in rows], dtype=np.int64), keys.reshape(-1, bands)

    def _segment_rows(self, columns: str, segments: set[int] | None) -> Iterator[tuple]:
        """``columns`` (the first of them ``id``) of every indexed segment, or of those
        whose ids are in ``segments``: looked up by id when they are few, else read in
        one pass and picked."""
        total = self.db.execute("SELECT MAX(id) FROM segments").fetchone()[0] or 0
        if segments is None or len(segments) * 4 > total:
            for row in self.db.execute(f"SELECT {columns} FROM segments"):
                if segments is None or row[0] in segments:
                    yield row
            return
        for chunk in chunks(sorted(segments)):
            marks = ",".join("?" * len(chunk))
            yield from self.db.execute(
                f"SELECT {columns} FROM segments WHERE id IN ({marks})", chunk
            )

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

    def sketch(self, names: dict[str, str], segments: set[int] | None = None) -> Sketch:
        """The stored sketch of the indexed documents ``names`` maps (index key → name to
        report), numbered in that order, as a scan of their files sketches them
        (``text.sketch``): the same segments, band keys and sets, read from the index
        instead of the files; only the segments whose ids are in ``segments``, if given."""
        params = self.params
        doc_ids = dict(self.db.execute("SELECT path, id FROM documents"))
        number = {doc_ids[path]: k for k, path in enumerate(names)}
        rows = sorted(
            (number[doc_id], start, end, seg_id, ngrams, content)
            for seg_id, doc_id, start, end, ngrams, content in self._segment_rows(
                "id, doc_id, start, end, ngram_keys, content_keys", segments
            )
            if doc_id in number
        )
        seg_ids = np.array([r[3] for r in rows], dtype=np.int64)
        keys, present = {}, {}
        for family in params.families():
            ids, stored = self.band_keys(family, segments)
            at = np.minimum(np.searchsorted(ids, seg_ids), max(len(ids) - 1, 0))
            present[family] = ids[at] == seg_ids if len(ids) else np.zeros(len(rows), bool)
            keys[family] = np.zeros((len(rows), stored.shape[1]), dtype=np.uint64)
            keys[family][present[family]] = stored[at[present[family]]]

        def table(column: int) -> SetTable:
            return SetTable.of([np.frombuffer(r[column], dtype=np.uint32) for r in rows])

        empty = SetTable.of([np.empty(0, dtype=np.uint32)] * len(rows))
        signed = Signed(
            np.array([r[:3] for r in rows], dtype=np.int64).reshape(-1, 3),
            keys,
            present,
            table(4),
            table(5) if params.paraphrase else empty,
        )
        documents = {info.path: info for info in self.infos(names)}
        digests = self.digests()
        facts = self.facts(set(names))
        return Sketch(
            documents=[documents[names[path]] for path in names],
            facts={names[path]: facts[path] for path in names},
            digests=[digests[path] for path in names],
            signed=signed,
        )

    def weights(self, extra: SetTable | None = None) -> Weights:
        """Rarity weights of content keys over the indexed segments and, if given, the
        ``extra`` segments' content sets (a query's), as a scan of them all learns them
        (see ``Weights``)."""
        total = self.db.execute("SELECT COUNT(*) FROM segments").fetchone()[0]
        rows = self.db.execute("SELECT key, df FROM content_df ORDER BY key").fetchall()
        keys = np.array([r[0] for r in rows], dtype=np.uint32)
        counts = np.array([r[1] for r in rows], dtype=np.int64)
        if extra is not None:
            keys, at = np.unique(np.concatenate([keys, extra.values]), return_inverse=True)
            counts = np.bincount(at, np.concatenate([counts, np.ones(len(extra.values))]))
            total += len(extra)
        return Weights.of_frequencies(keys, counts, total)


def _bytes(keys: np.ndarray | None) -> bytes | None:
    return None if keys is None else keys.tobytes()
