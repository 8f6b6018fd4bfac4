"""Recall of ``scan``'s LSH candidates against an exact all-pairs comparison of segments.

Usage::

    python benchmarks/recall.py [--size 10MB] [--seed 0] [--keep DIR] [--json]
    python benchmarks/recall.py --corpus FOLDER [--json]

The question: does finding candidate segment pairs with banded MinHash (LSH) lose reused
passages that comparing every pair of segments would have found?  ``scan`` is run twice
on the same corpus with the default parameters and executor, ``dedupe.pipeline.executors.Local``
(one pool for both runs: its workers are forked during the first run's sketching, as
forking after numba's OpenMP threads have run in this process kills the workers):

1. **LSH run**: the default ``pair_finder`` (``dedupe.pipeline.scan.lsh_candidates``),
   wrapped only to record the distinct candidate pairs of each shingle family and the
   time spent finding them.
2. **Exact run**: ``ExactPairs``, which uses no MinHash or LSH at all.  It reads every
   document again (``dedupe.read.files.read_file``, checked against the digest sketched),
   prepares it (``dedupe.text.prepared.prepare``) and builds each signed segment's sets from its
   token range: word n-grams (``dedupe.text.shingle.shingle_set``) and content words
   (``dedupe.text.shingle.content_set``).  Every pair of segments of different documents is
   then compared with sparse matrix products (0/1 membership matrices, scipy.sparse; row
   chunks sized so that a product never holds more than ``PRODUCT_BUDGET`` entries; only
   pairs sharing at least one shingle are materialised) and kept when it reaches the
   threshold that verification applies to candidates:

   * verbatim: ``max(Jaccard, containment of the smaller set in the larger)`` of the word
     n-gram sets ``>= candidate_threshold`` (as ``dedupe.match.verify.verify``);
   * content: rarity-weighted Jaccard of the content-word sets, weights
     ``dedupe.match.verify.idf_weights`` of the collection, ``>= paraphrase_window_threshold``
     (as ``dedupe.match.verify.verify_weighted``).  Words of weight 0 (in more than half the
     segments) add nothing to either side of the ratio, so their columns are left out.

   Pairs within ``SLACK`` of the threshold in the product are decided by ``dedupe.match.verify``
   itself, so that float rounding (summation order of the weights) cannot make the two
   runs disagree on a pair exactly at the threshold.  The exact finder therefore returns
   precisely the pairs that verification would accept if every pair were a candidate: a
   superset of what it accepts among the LSH candidates.

Both runs then verify and align as usual.  **Matching passages.**  Let ``chars(x)`` be
the character range ``[start_char, end_char)`` of a ``Location`` ``x``.  An exact-run
passage ``E`` *is found* when some LSH-run passage ``L`` links the same two files
(``{E.source.path, E.copy.path} == {L.source.path, L.copy.path}``, either orientation)
and, for each side ``s`` of ``E`` (source and copy) and the side ``t`` of ``L`` in the
same file, ``|chars(s) & chars(t)| >= 0.5 * |chars(s)|``: ``L`` covers at least half of
the exact passage's characters on both sides.  **Recall** is found exact passages / exact
passages (1 when the exact run finds none), overall and by the exact passage's kind.  The
**precision-like** figure is the mirror image: LSH passages ``L`` matched by an exact
passage ``E`` covering at least half of ``L``'s characters on both sides, over LSH
passages.  Pair-level figures are reported as well: LSH candidate pairs, how many of them
pass verification (exactly the LSH candidates among the exact pairs), exact pairs, and
their ratio.

The corpus is the throughput benchmark's (``benchmarks/throughput.py``: seeded, about 5%
of the documents receive a paragraph of another one); ``--keep DIR`` keeps it in
``DIR/corpus-<bytes>-seed<seed>`` and reuses it, ``--corpus FOLDER`` scans an existing
folder instead (its planted pairs are read from the throughput marker file if there is
one).  Everything is deterministic: the same corpus gives the same counts.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy import sparse
from tabulate import tabulate

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

import throughput  # noqa: E402

from dedupe.match.verify import Weights, idf_weights, verify, verify_weighted  # noqa: E402
from dedupe.model import (  # noqa: E402
    Location,
    Passage,
    ScanResult,  # noqa: E402
)
from dedupe.parameters import CONTENT, VERBATIM, Parameters  # noqa: E402
from dedupe.pipeline.executors import Local  # noqa: E402
from dedupe.pipeline.scan import Sketched, lsh_candidates, scan  # noqa: E402
from dedupe.read.files import Skipped, read_file  # noqa: E402
from dedupe.text.prepared import prepare  # noqa: E402
from dedupe.text.shingle import SetTable, content_set, shingle_set  # noqa: E402

PRODUCT_BUDGET = 8_000_000  # entries (pairs x shared shingles) of one chunk's product, at most
SLACK = 1e-6  # pairs this close below the threshold in the product are left to dedupe.match.verify
COVER = 0.5  # share of a passage's characters the other run's passage must cover, each side
TARGET_RECALL = 0.98  # the acceptance point

Log = Callable[[str], None]
Finder = Callable[[Sketched, str, Parameters], Iterable[np.ndarray]]


# ------------------------------------------------------------------ exact pairs


def segment_sets(collection: Sketched, params: Parameters) -> dict[str, SetTable]:
    """Each signed segment's word n-gram set (``verbatim``) and content-word set
    (``content``), one set per row of ``collection.sketch.signed``, computed from the
    documents read again (no sketch is used, only the segments' token ranges)."""
    ranges = collection.sketch.signed.ranges
    verbatim: list[np.ndarray] = [np.empty(0, dtype=np.uint32)] * len(ranges)
    content: list[np.ndarray] = [np.empty(0, dtype=np.uint32)] * len(ranges)
    order = np.argsort(ranges[:, 0], kind="stable")
    docs = ranges[order, 0]
    starts = np.flatnonzero(np.concatenate([[True], docs[1:] != docs[:-1]])) if len(docs) else []
    for first, end in zip(starts, [*starts[1:], len(docs)], strict=True):
        number = int(docs[first])
        path, digest = collection.files[number]
        item = read_file(path)
        if isinstance(item, Skipped) or item.digest != digest:
            raise SystemExit(f"error: {path} changed during the benchmark")
        prepared = prepare(item, params)
        for row in order[first:end].tolist():
            _, start, stop = ranges[row].tolist()
            verbatim[row] = shingle_set(prepared.ngrams, start, stop, params.shingle_size)
            content[row] = content_set(prepared.content, start, stop)
    return {VERBATIM: SetTable.of(verbatim), CONTENT: SetTable.of(content)}


def membership(sets: SetTable, weights: Weights | None) -> tuple[sparse.csr_matrix, np.ndarray]:
    """A 0/1 matrix, one row per set and one column per distinct shingle of non-zero
    weight, and the column weights (all 1 when ``weights`` is None)."""
    columns = np.unique(sets.values)
    column_weight = np.ones(len(columns)) if weights is None else weights.of(columns)
    matrix = sparse.csr_matrix(
        (np.ones(len(sets.values)), np.searchsorted(columns, sets.values), sets.offsets),
        shape=(len(sets), len(columns)),
    )
    heavy = np.flatnonzero(column_weight > 0)
    return matrix[:, heavy].tocsr(), column_weight[heavy]


def row_chunks(matrix: sparse.csr_matrix, budget: int) -> list[tuple[int, int]]:
    """Runs ``[first, end)`` of rows whose products with all rows hold at most about
    ``budget`` entries: row ``i`` contributes at most the summed column counts of its
    shingles (one row at least per run)."""
    column_count = np.asarray(matrix.sum(axis=0)).ravel()
    bound = np.cumsum(matrix @ column_count)
    result, first = [], 0
    while first < matrix.shape[0]:
        done = bound[first - 1] if first else 0
        end = int(np.searchsorted(bound, done + budget, side="right"))
        end = min(matrix.shape[0], max(end, first + 1))
        result.append((first, end))
        first = end
    return result


@dataclass
class AllPairs:
    """The pairs of an all-pairs comparison that reach the threshold (before the final
    decision by ``dedupe.match.verify``), and how many pairs shared a shingle at all."""

    pairs: np.ndarray
    sharing: int


def all_pairs(
    sets: SetTable,
    docs: np.ndarray,
    weights: Weights | None,
    threshold: float,
    containment: bool,
    budget: int = PRODUCT_BUDGET,
) -> AllPairs:
    """Sorted distinct pairs ``(i, j)``, ``i < j``, ``docs[i] != docs[j]``, of sets whose
    similarity is at least ``threshold - SLACK``: (weighted) Jaccard, or with
    ``containment`` the larger of Jaccard and the share of the smaller set found in the
    larger one. Every pair of sets sharing a shingle of non-zero weight is compared."""
    matrix, column_weight = membership(sets, weights)
    weighted = matrix.multiply(column_weight[None, :]).tocsr()
    totals = np.asarray(weighted.sum(axis=1)).ravel()
    found, sharing = [np.empty(0, dtype=np.int64)], 0
    for first, end in row_chunks(matrix, budget):
        product = (weighted[first:end] @ matrix[first:].T).tocoo()
        i = product.row.astype(np.int64) + first
        j = product.col.astype(np.int64) + first
        keep = (j > i) & (docs[i] != docs[j])
        i, j, shared = i[keep], j[keep], product.data[keep]
        sharing += len(i)
        size_i, size_j = totals[i], totals[j]
        with np.errstate(divide="ignore", invalid="ignore"):
            similarity = np.nan_to_num(shared / (size_i + size_j - shared))
            if containment:
                similarity = np.maximum(
                    similarity, np.nan_to_num(shared / np.minimum(size_i, size_j))
                )
        close = similarity >= threshold - SLACK
        found.append((i[close] << 32) | j[close])
    codes = np.unique(np.concatenate(found))
    return AllPairs(np.stack([codes >> 32, codes & 0xFFFFFFFF], axis=1), sharing)


def as_pairs(matches) -> np.ndarray:
    """``SegmentMatch`` list as a sorted ``(m, 2)`` int64 array."""
    pairs = np.array([(m.a, m.b) for m in matches], dtype=np.int64).reshape(-1, 2)
    return pairs[np.lexsort((pairs[:, 1], pairs[:, 0]))]


class ExactPairs:
    """A ``pair_finder`` for ``scan`` comparing all pairs of signed segments exactly (see
    the module docstring); no MinHash, no LSH. Keeps what it computed: the sets and
    ``weights``, the ``pairs`` and the number of pairs ``sharing`` a shingle by family,
    the ``seconds`` spent, and the ``ranges`` of the signed segments."""

    def __init__(self, budget: int = PRODUCT_BUDGET):
        self.budget = budget
        self.sets: dict[str, SetTable] = {}
        self.weights: Weights | None = None
        self.pairs: dict[str, np.ndarray] = {}
        self.sharing: dict[str, int] = {}
        self.seconds: dict[str, float] = {}
        self.ranges: np.ndarray | None = None

    def __call__(self, collection: Sketched, family: str, params: Parameters) -> list:
        started = time.perf_counter()
        signed = collection.sketch.signed
        if self.ranges is None or not np.array_equal(self.ranges, signed.ranges):
            self.ranges = signed.ranges.copy()
            self.sets = segment_sets(collection, params)
            self.weights = idf_weights(signed.content)
        sets, docs = self.sets[family], signed.ranges[:, 0]
        if family == VERBATIM:
            threshold = params.candidate_threshold
            close = all_pairs(sets, docs, None, threshold, True, self.budget)
            pairs = as_pairs(verify(close.pairs, sets, threshold))
        else:
            threshold = params.paraphrase_window_threshold
            close = all_pairs(sets, docs, self.weights, threshold, False, self.budget)
            pairs = as_pairs(verify_weighted(close.pairs, sets, self.weights, threshold))
        self.pairs[family], self.sharing[family] = pairs, close.sharing
        self.seconds[family] = time.perf_counter() - started
        return [pairs]


class Recorded:
    """A ``pair_finder`` passing on the chunks of ``finder`` (default: LSH) while keeping
    the distinct ``pairs`` by family, the ``seconds`` spent in ``finder``, and the
    ``ranges`` and ``content`` sets of the signed segments (as they are when the first
    family, word n-grams, is asked for)."""

    def __init__(self, finder: Finder = lsh_candidates):
        self.finder = finder
        self.pairs: dict[str, np.ndarray] = {}
        self.seconds: dict[str, float] = {}
        self.ranges: np.ndarray | None = None
        self.content: SetTable | None = None

    def __call__(self, collection: Sketched, family: str, params: Parameters) -> Iterator:
        self.ranges = collection.sketch.signed.ranges.copy()
        if family == VERBATIM:  # scan lets the sets go once a family is done
            self.content = collection.sketch.signed.content
        chunks, seconds = [np.empty((0, 2), dtype=np.int64)], 0.0
        found = iter(self.finder(collection, family, params))
        while True:
            started = time.perf_counter()
            chunk = next(found, None)
            seconds += time.perf_counter() - started
            if chunk is None:
                break
            chunks.append(np.asarray(chunk, dtype=np.int64).reshape(-1, 2))
            yield chunk
        codes = np.unique(np.concatenate([(c[:, 0] << 32) | c[:, 1] for c in chunks]))
        self.pairs[family] = np.stack([codes >> 32, codes & 0xFFFFFFFF], axis=1)
        self.seconds[family] = seconds


# ------------------------------------------------------------------------ runs


@dataclass
class Run:
    """One scan of the corpus: its result, wall time and the pair finder it used."""

    name: str
    result: ScanResult
    seconds: float
    finder: ExactPairs | Recorded


def run_scan(
    name: str, paths: list[str], params: Parameters, finder, executor: Local, log: Log
) -> Run:
    """``scan`` of ``paths`` with ``finder`` on ``executor``, timed."""
    log(f"{name} run")
    started = time.perf_counter()
    result = scan(paths, params, lambda m: log(f"  {m}"), executor, finder)
    return Run(name, result, time.perf_counter() - started, finder)


def _chars(location: Location) -> int:
    return location.end_char - location.start_char


def _shared(a: Location, b: Location) -> int:
    if a.path != b.path:
        return 0
    return max(0, min(a.end_char, b.end_char) - max(a.start_char, b.start_char))


def _files(passage: Passage) -> frozenset[str]:
    return frozenset((passage.source.path, passage.copy.path))


def covers(other: Passage, passage: Passage, share: float = COVER) -> bool:
    """True when ``other`` links the same two files as ``passage`` and overlaps each of
    its sides by at least ``share`` of that side's characters."""
    if _files(other) != _files(passage):
        return False
    for side in (passage.source, passage.copy):
        mate = other.source if other.source.path == side.path else other.copy
        if _shared(side, mate) < share * _chars(side):
            return False
    return True


def matched(passages: list[Passage], others: list[Passage]) -> list[bool]:
    """For each of ``passages``, whether some passage of ``others`` covers it."""
    by_files: dict[frozenset[str], list[Passage]] = {}
    for other in others:
        by_files.setdefault(_files(other), []).append(other)
    return [any(covers(o, p) for o in by_files.get(_files(p), [])) for p in passages]


def _ratio(found: int, total: int) -> float:
    return found / total if total else 1.0


def _codes(pairs: np.ndarray) -> np.ndarray:
    return (pairs[:, 0] << 32) | pairs[:, 1]


def planted_pairs(root: Path) -> list[frozenset[str]] | None:
    """The files of each planted paragraph, from the throughput marker under ``root``
    (None without one)."""
    try:
        marker = json.loads((root / throughput.MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return [frozenset(os.path.abspath(root / p) for p in pair) for pair in marker["planted"]]


def linked(passages: list[Passage], planted: list[frozenset[str]]) -> int:
    """How many of the ``planted`` file pairs some passage links."""
    pairs = {frozenset(os.path.abspath(p) for p in _files(x)) for x in passages}
    return sum(p in pairs for p in planted)


def _where(location: Location, root: Path) -> str:
    try:
        path = os.path.relpath(location.path, root)
    except ValueError:
        path = location.path
    start, end = location.start_line, location.end_line
    return f"{path}:{start}" if start == end else f"{path}:{start}-{end}"


def compare(lsh: Run, exact: Run, root: Path, params: Parameters) -> dict:
    """The summary of the two runs (see the module docstring for every figure)."""
    if not np.array_equal(lsh.finder.ranges, exact.finder.ranges):
        raise SystemExit("error: the two runs signed different segments; cannot compare pairs")
    exact_passages, lsh_passages = exact.result.passages, lsh.result.passages
    found = matched(exact_passages, lsh_passages)
    backed = matched(lsh_passages, exact_passages)
    kinds = sorted({p.kind for p in exact_passages + lsh_passages})
    by_kind = {}
    for kind in kinds:
        flags = [f for f, p in zip(found, exact_passages, strict=True) if p.kind == kind]
        by_kind[kind] = {"found": sum(flags), "exact": len(flags)}
        by_kind[kind]["recall"] = _ratio(sum(flags), len(flags))
    pairs = {}
    for family in params.families():
        candidates, exact_pairs = lsh.finder.pairs[family], exact.finder.pairs[family]
        verified = int(np.isin(_codes(candidates), _codes(exact_pairs)).sum())
        pairs[family] = {
            "lsh_candidates": len(candidates),
            "lsh_verified": verified,
            "exact": len(exact_pairs),
            "sharing_a_shingle": exact.finder.sharing[family],
            "pair_recall": _ratio(verified, len(exact_pairs)),
            "lsh_seconds": lsh.finder.seconds[family],
            "exact_seconds": exact.finder.seconds[family],
        }
    planted = planted_pairs(root)
    missed = [
        {
            "kind": p.kind,
            "words": p.words,
            "similarity": round(p.similarity, 4),
            "source": _where(p.source, root),
            "copy": _where(p.copy, root),
        }
        for p, hit in zip(exact_passages, found, strict=True)
        if not hit
    ]
    recall = _ratio(sum(found), len(exact_passages))
    return {
        "corpus": str(root),
        "documents": len(lsh.result.documents),
        "segments": len(lsh.finder.ranges),
        "thresholds": {
            "verbatim": params.candidate_threshold,
            "content": params.paraphrase_window_threshold,
            "lsh_verbatim": params.lsh_threshold(VERBATIM),
            "lsh_content": params.lsh_threshold(CONTENT),
            "content_max_bucket": params.max_bucket(CONTENT),
        },
        "runs": {
            run.name: {
                "seconds": run.seconds,
                "pair_seconds": sum(run.finder.seconds.values()),
                "passages": len(run.result.passages),
                "by_kind": dict(sorted(Counter(p.kind for p in run.result.passages).items())),
                "planted_linked": None if planted is None else linked(run.result.passages, planted),
            }
            for run in (lsh, exact)
        },
        "planted": None if planted is None else len(planted),
        "recall": recall,
        "found": sum(found),
        "exact_passages": len(exact_passages),
        "recall_by_kind": by_kind,
        "precision": _ratio(sum(backed), len(lsh_passages)),
        "lsh_matched": sum(backed),
        "lsh_passages": len(lsh_passages),
        "pairs": pairs,
        "target_recall": TARGET_RECALL,
        "passes": recall >= TARGET_RECALL,
        "missed": missed,
    }


# ---------------------------------------------------------------------- output


def render(summary: dict) -> str:
    """The human-readable report of a ``compare`` summary."""
    t, runs = summary["thresholds"], summary["runs"]
    kinds = sorted({k for run in runs.values() for k in run["by_kind"]})
    generated = ""
    if "seed" in summary:
        size = throughput.format_size(summary["size"])
        generated = f"{size} corpus, seed {summary['seed']}, {summary['bytes'] / 1e6:.1f} MB, "
    head = [
        f"corpus: {summary['corpus']} ({generated}{summary['documents']} documents, "
        f"{summary['segments']} signed segments)",
        f"verified at: verbatim max(Jaccard, containment) of word n-grams >= {t['verbatim']}; "
        f"content weighted Jaccard >= {t['content']}",
        f"LSH thresholds: verbatim {t['lsh_verbatim']}, content {t['lsh_content']} "
        f"(content buckets of more than {t['content_max_bucket']} skipped)",
    ]
    planted = summary["planted"]
    rows = []
    for name, r in runs.items():
        rows.append([name, f"{r['seconds']:.2f}", f"{r['pair_seconds']:.2f}", r["passages"]])
        rows[-1] += [r["by_kind"].get(k, 0) for k in kinds]
        if planted is not None:
            rows[-1].append(f"{r['planted_linked']}/{planted}")
    headers = ["run", "wall s", "pair finding s", "passages", *kinds]
    headers += [] if planted is None else ["planted pairs linked"]
    run_table = tabulate(
        rows,
        headers=headers,
        disable_numparse=True,
        colalign=("left",) + ("right",) * (len(headers) - 1),
    )
    pair_table = tabulate(
        [
            [
                family,
                p["lsh_candidates"],
                p["lsh_verified"],
                p["exact"],
                p["sharing_a_shingle"],
                f"{p['pair_recall']:.4f}",
            ]
            for family, p in summary["pairs"].items()
        ],
        headers=[
            "segment pairs",
            "LSH candidates",
            "LSH verified",
            "exact",
            "exact: sharing a shingle",
            "pair recall",
        ],
        disable_numparse=True,
        colalign=("left",) + ("right",) * 5,
    )
    lines = [
        f"recall (exact passages found by the LSH run): {summary['found']}/"
        f"{summary['exact_passages']} = {summary['recall']:.4f}"
    ]
    lines += [
        f"  {kind}: {k['found']}/{k['exact']} = {k['recall']:.4f}"
        for kind, k in summary["recall_by_kind"].items()
        if k["exact"]
    ]
    lines.append(
        f"precision-like (LSH passages matched by an exact one): {summary['lsh_matched']}/"
        f"{summary['lsh_passages']} = {summary['precision']:.4f}"
    )
    verdict = "PASS" if summary["passes"] else "FAIL"
    lines.append(f"acceptance (recall >= {summary['target_recall']}): {verdict}")
    missed = summary["missed"]
    lines.append(f"missed passages: {len(missed) or 'none'}")
    lines += [
        f"  {m['kind']} ({m['words']} words, similarity {m['similarity']}): "
        f"{m['source']} -> {m['copy']}"
        for m in missed
    ]
    return "\n\n".join(["\n".join(head), run_table, pair_table, "\n".join(lines)])


# ------------------------------------------------------------------------ main


def measure(root: Path, params: Parameters, log: Log) -> dict:
    """Both runs over the corpus at ``root`` and their comparison (one ``Local``
    executor for both, see the module docstring)."""
    paths = [str(root)]
    with Local() as executor:
        lsh = run_scan("lsh", paths, params, Recorded(), executor, log)
        exact = run_scan("exact", paths, params, ExactPairs(), executor, log)
    return compare(lsh, exact, root, params)


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--size", type=throughput._size_arg, default=10 * throughput.MB, help="corpus size [10MB]"
    )
    parser.add_argument("--seed", type=int, default=0, help="corpus seed [0]")
    parser.add_argument(
        "--keep", type=Path, metavar="DIR", help="keep the corpus in DIR/corpus-<bytes>-seed<seed>"
    )
    parser.add_argument("--corpus", type=Path, metavar="FOLDER", help="scan this folder instead")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args(argv)
    if args.corpus is not None and not args.corpus.is_dir():
        parser.error(f"--corpus {args.corpus}: not a folder")
    return args


def _log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    params = Parameters()
    if args.corpus is not None:
        summary = measure(args.corpus.resolve(), params, _log)
    else:
        jobs = os.cpu_count() or 1
        with throughput.corpus(args.seed, args.size, jobs, args.keep, _log) as found:
            summary = measure(found.root.resolve(), params, _log)
            summary.update(size=args.size, seed=args.seed, bytes=found.bytes)
    print(json.dumps(summary, indent=1) if args.json else render(summary))


if __name__ == "__main__":
    main()
