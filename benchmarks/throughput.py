"""Throughput of ``dedupe scan`` on large seeded corpora or on existing folders, against
two baselines.

Usage::

    python benchmarks/throughput.py --size 10MB [--size 100MB ...] [--seed N] [--jobs N]
        [--keep DIR] [--naive-sample SIZE|all] [--scan-format json|jsonl] [--json]
        [-- SCAN_OPTION ...]
    python benchmarks/throughput.py --corpus DIR [--corpus DIR ...] [...]

``--corpus DIR`` measures an existing folder as it is (a real collection: the
Gutenberg sample, the Debian copyright files), read but never written; steps 2 and 3
below apply to it unchanged (files not in UTF-8 are decoded with replacement characters
by the baselines).

Everything after ``--`` is passed to ``scan`` unchanged, e.g. ``-- --no-paraphrase`` or
``-- --no-paraphrase --jobs 2`` (the script's own ``--jobs`` only sets how many processes
write the corpus).  Sizes are bytes with an optional suffix: ``KB``/``MB``/``GB`` are
decimal (1 MB = 10**6 bytes, also the MB of MB/s and RSS), ``KiB``/``MiB``/``GiB`` binary.

For each size:

1. **Corpus.**  Prose-like documents from :func:`dedupe.evaluation.synthetic.generate_text`, 5-20 KB
   each, in subfolders ``partNNNN/`` of at most 1000 files, about ``size`` bytes in all;
   about 5% of the documents receive one paragraph copied from another document.  The
   files are a pure function of ``--seed`` and the size (not of ``--jobs``): the same seed
   and size give byte-identical files.  Writing is streamed, one document at a time per
   process, so 1 GB is feasible (about 30-60 s).  The corpus lives in a temporary folder
   removed at the end, or with ``--keep DIR`` in ``DIR/corpus-<bytes>-seed<seed>/``, which
   is reused when it holds a complete corpus (a marker file, ``.throughput.json``, records
   size, seed and contents, and is written last).
2. **scan.**  ``python -m dedupe scan CORPUS --format json -o /dev/null [SCAN_OPTION ...]``
   in a subprocess: wall time, MB/s (corpus bytes / wall time) and peak RSS (``ru_maxrss``
   of that child from ``os.wait4``: the largest single process, so with scan worker
   processes the sampled sum over the process tree is reported as well, Linux only).  Lines
   ``stage NAME: SECONDS s`` on scan's stderr are shown as a per-stage table (repeated
   names are summed); without them the table is left out.
3. **Baselines**, each in its own subprocess (``--baseline floor|naive CORPUS``) so its
   RSS is its own: *floor* reads every file, tokenises it with
   :func:`dedupe.text.normalise.tokenise` and hashes its word 3-grams with
   :func:`dedupe.text.shingle.word_hashes`/``ngram_hashes`` (no MinHash: no scan can be faster);
   *naive* is the textbook datasketch way: per paragraph a new ``MinHash(num_perm=128)``
   with one ``update`` per word 3-gram, inserted in one ``MinHashLSH(threshold=0.5)``,
   then every paragraph queried.  When the size asked for exceeds ``--naive-sample``
   (10 MB by default), naive runs on the first files up to that size and its time is
   extrapolated linearly (marked ``*``).

All three runs include interpreter start-up and imports, and read the same files just
written or just read (so from the page cache).

**The ratios are what matter**: ``scan/floor`` and ``scan/naive`` are throughput ratios of
programs run one after another on the same machine and the same files, so CPU speed and
load largely cancel out, while absolute seconds and MB/s on these shared 2-core machines
vary by tens of percent from one run to the next.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from tabulate import tabulate

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from dedupe.evaluation.language import generate_text  # noqa: E402
from dedupe.text.normalise import tokenise  # noqa: E402
from dedupe.text.shingle import ngram_hashes, word_hashes  # noqa: E402

MB = 1_000_000
_UNITS = {
    "": 1, "b": 1, "k": 10**3, "kb": 10**3, "m": 10**6, "mb": 10**6, "g": 10**9, "gb": 10**9,
    "kib": 2**10, "mib": 2**20, "gib": 2**30,
}  # fmt: skip
_SIZE = re.compile(r"^\s*(\d+(?:\.\d*)?|\.\d+)\s*([a-z]*)\s*$", re.IGNORECASE)

DOC_BYTES = (5_000, 20_000)
MIN_DOC_WORDS = 50
FILES_PER_DIR = 1000
PLANT_SHARE = 0.05
SHINGLE = 3
NUM_PERM = 128
NAIVE_THRESHOLD = 0.5
MARKER = ".throughput.json"
MARKER_FORMAT = 1
# Independent random streams, so adding draws to one never shifts another.
PLAN_STREAM, PLANT_STREAM, DOC_STREAM, CALIBRATION_STREAM = 0, 1, 2, 3
CALIBRATION_WORDS = 20_000

STAGE_LINE = re.compile(r"^stage\s+(?P<name>[^:]+?)\s*:\s*(?P<seconds>\d+(?:\.\d*)?)\s*s$")
SUMMARY_LINE = re.compile(r"(?P<passages>\d+) reused passages")


# ------------------------------------------------------------------------- sizes


def parse_size(text: str) -> int:
    """Bytes in ``text``: a number with an optional unit (``KB``/``MB``/``GB`` decimal,
    ``KiB``/``MiB``/``GiB`` binary, ``B`` or none for bytes), case-insensitive.

    Raises ``ValueError`` for anything else or a result below 1 byte.
    """
    match = _SIZE.match(text)
    unit = match and match.group(2).lower()
    if not match or unit not in _UNITS:
        raise ValueError(f"not a size: {text!r} (expected e.g. 500KB, 10MB, 1GB)")
    size = round(float(match.group(1)) * _UNITS[unit])
    if size < 1:
        raise ValueError(f"size must be at least 1 byte: {text!r}")
    return size


def format_size(size: int) -> str:
    """``size`` bytes in the largest decimal unit it reaches, e.g. ``10MB``, ``1.5GB``."""
    for unit, factor in (("GB", 10**9), ("MB", 10**6), ("KB", 10**3)):
        if size >= factor:
            return f"{size / factor:.4g}{unit}"
    return f"{size}B"


def _size_arg(text: str) -> int:
    try:
        return parse_size(text)
    except ValueError as err:
        raise argparse.ArgumentTypeError(str(err)) from None


def _sample_arg(text: str) -> int | None:
    return None if text.lower() in ("all", "0") else _size_arg(text)


# ------------------------------------------------------------------------ corpus


@dataclass(frozen=True)
class Plant:
    """A paragraph of document ``source`` copied into another document.

    ``paragraph`` and ``position`` are in ``[0, 1)``: which paragraph of the source (as a
    share of its paragraph count) and where among the copy's paragraphs it goes.
    """

    source: int
    paragraph: float
    position: float


@dataclass(frozen=True)
class Plan:
    """Everything that decides a corpus: words per document and the planted paragraphs
    by copy document. A pure function of ``(seed, size)``."""

    seed: int
    size: int
    words: list[int]
    plants: dict[int, Plant] = field(default_factory=dict)


def doc_path(index: int) -> str:
    """The path of document ``index`` relative to the corpus root."""
    return f"part{index // FILES_PER_DIR:04d}/doc{index:07d}.txt"


def doc_rng(seed: int, index: int) -> np.random.Generator:
    """The random stream of document ``index``: the same whichever process draws it."""
    return np.random.default_rng([seed, DOC_STREAM, index])


def bytes_per_word(seed: int) -> float:
    """Mean UTF-8 bytes per word of ``generate_text`` output (measured, deterministic)."""
    text = generate_text(np.random.default_rng([seed, CALIBRATION_STREAM]), CALIBRATION_WORDS)
    return len(text.encode("utf-8")) / len(text.split())


def _doc_sizes(rng: np.random.Generator, size: int) -> list[int]:
    """Target document sizes in ``DOC_BYTES`` adding up to ``size`` (the last one cut)."""
    lo, hi = DOC_BYTES
    draws = np.empty(0, dtype=np.int64)
    while draws.sum() < size:
        draws = np.concatenate([draws, rng.integers(lo, hi + 1, size=1024)])
    count = int(np.searchsorted(np.cumsum(draws), size)) + 1
    sizes = draws[:count].tolist()
    sizes[-1] -= int(sum(sizes)) - size
    return sizes


def _plants(rng: np.random.Generator, n_docs: int) -> dict[int, Plant]:
    """``PLANT_SHARE`` of ``n_docs`` documents (at least one, if there are two) each
    given a paragraph of a different document."""
    if n_docs < 2:
        return {}
    count = max(1, round(PLANT_SHARE * n_docs))
    copies = rng.choice(n_docs, size=count, replace=False)
    sources = (copies + 1 + rng.integers(0, n_docs - 1, size=count)) % n_docs
    paragraphs, positions = rng.random(count), rng.random(count)
    return {
        int(c): Plant(int(s), float(p), float(q))
        for c, s, p, q in zip(copies, sources, paragraphs, positions, strict=True)
    }


def plan_corpus(seed: int, size: int) -> Plan:
    """The corpus of about ``size`` bytes for ``seed``: up to about 1% more, as word
    counts come from a measured bytes-per-word ratio and plants add a paragraph."""
    per_word = bytes_per_word(seed)
    sizes = _doc_sizes(np.random.default_rng([seed, PLAN_STREAM]), size)
    words = [max(MIN_DOC_WORDS, round(s / per_word)) for s in sizes]
    return Plan(seed, size, words, _plants(np.random.default_rng([seed, PLANT_STREAM]), len(words)))


def _paragraphs(text: str) -> list[str]:
    return text.rstrip("\n").split("\n\n")


def document_text(plan: Plan, index: int) -> str:
    """The full text of document ``index``: generated text, plus its planted paragraph."""
    text = generate_text(doc_rng(plan.seed, index), plan.words[index])
    plant = plan.plants.get(index)
    if plant is None:
        return text
    source = _paragraphs(generate_text(doc_rng(plan.seed, plant.source), plan.words[plant.source]))
    paragraphs = _paragraphs(text)
    at = int(plant.position * (len(paragraphs) + 1))
    paragraphs.insert(at, source[int(plant.paragraph * len(source))])
    return "\n\n".join(paragraphs) + "\n"


_WRITER: tuple[Path, Plan] | None = None  # set in each writing process


def _start_writer(root: Path, plan: Plan) -> None:
    global _WRITER
    _WRITER = (root, plan)


def _write_doc(index: int) -> int:
    """Write document ``index`` of the writer's plan; return its size in bytes."""
    assert _WRITER is not None, "_start_writer was not called"
    root, plan = _WRITER
    data = document_text(plan, index).encode("utf-8")
    with open(root / doc_path(index), "wb") as handle:
        handle.write(data)
    return len(data)


def _write_docs(root: Path, plan: Plan, jobs: int) -> Iterator[int]:
    """Write every document of ``plan`` under ``root``; yield their sizes as written.

    The plan goes to each process once (pool initializer); tasks are document indices.
    """
    indices = range(len(plan.words))
    if jobs <= 1:
        _start_writer(root, plan)
        yield from map(_write_doc, indices)
        return
    with multiprocessing.Pool(jobs, initializer=_start_writer, initargs=(root, plan)) as pool:
        yield from pool.imap_unordered(_write_doc, indices, chunksize=16)


def generate(root: Path, plan: Plan, jobs: int, log=lambda _: None) -> dict:
    """Write the corpus of ``plan`` into the empty or new folder ``root`` and its marker
    file last; return the marker's contents."""
    n_docs = len(plan.words)
    for part in range((n_docs + FILES_PER_DIR - 1) // FILES_PER_DIR):
        (root / f"part{part:04d}").mkdir(parents=True, exist_ok=True)
    total, step = 0, max(1, n_docs // 10)
    for done, size in enumerate(_write_docs(root, plan, jobs), 1):
        total += size
        if done % step == 0 and n_docs >= 1000:
            log(f"  {done}/{n_docs} documents, {total / MB:.0f} MB")
    marker = {
        "format": MARKER_FORMAT,
        "seed": plan.seed,
        "size": plan.size,
        "files": n_docs,
        "bytes": total,
        "planted": [[doc_path(p.source), doc_path(c)] for c, p in sorted(plan.plants.items())],
    }
    (root / MARKER).write_text(json.dumps(marker) + "\n", encoding="utf-8")
    return marker


def list_files(root: Path) -> list[Path]:
    """The corpus files under ``root`` in path order, hidden files and folders skipped
    (the files ``scan`` reads)."""
    found = []
    for folder, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        found += [Path(folder, f) for f in files if not f.startswith(".")]
    return sorted(found)


def check_corpus(root: Path, seed: int, size: int) -> dict:
    """The marker of the complete corpus for ``(seed, size)`` at ``root``.

    Raises ``SystemExit`` naming ``root`` when its marker is missing or for other
    parameters, when its files do not add up to the marker, or when its first document
    differs from what the current generator writes.
    """
    fix = f"delete {root} to generate it again"
    try:
        marker = json.loads((root / MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise SystemExit(f"error: {root} holds no readable {MARKER}; {fix}") from None
    wanted = {"format": MARKER_FORMAT, "seed": seed, "size": size}
    if any(marker.get(k) != v for k, v in wanted.items()):
        raise SystemExit(f"error: {root} was generated for other parameters; {fix}")
    files = list_files(root)
    if len(files) != marker["files"] or sum(f.stat().st_size for f in files) != marker["bytes"]:
        raise SystemExit(f"error: the files in {root} do not match its {MARKER}; {fix}")
    first = document_text(plan_corpus(seed, size), 0).encode("utf-8")
    if (root / doc_path(0)).read_bytes() != first:
        raise SystemExit(f"error: {root} was written by another version of the generator; {fix}")
    return marker


@dataclass(frozen=True)
class Corpus:
    """A generated corpus ready to scan."""

    root: Path
    size: int  # the size asked for
    files: int
    bytes: int
    planted: int | None  # None for an existing folder
    seconds: float | None  # generation time, None when an existing corpus was reused


def _check_space(folder: Path, size: int) -> None:
    free = shutil.disk_usage(folder).free
    if free < size * 1.05 + 100 * MB:
        raise SystemExit(
            f"error: {folder} has {free / MB:.0f} MB free, the corpus needs {size / MB:.0f} MB"
        )


def _generated(root: Path, seed: int, size: int, jobs: int, log) -> Corpus:
    log(f"generating {size / MB:g} MB corpus (seed {seed}, {jobs} processes) in {root}")
    started = time.perf_counter()
    marker = generate(root, plan_corpus(seed, size), jobs, log)
    seconds = time.perf_counter() - started
    log(f"  {marker['files']} files, {marker['bytes'] / MB:.1f} MB in {seconds:.1f} s")
    return Corpus(root, size, marker["files"], marker["bytes"], len(marker["planted"]), seconds)


def existing(folder: Path) -> Corpus:
    """An existing folder as a corpus to measure (nothing planted that is known)."""
    files = list_files(folder)
    size = sum(f.stat().st_size for f in files)
    return Corpus(folder.resolve(), size, len(files), size, None, None)


@contextmanager
def corpus(seed: int, size: int, jobs: int, keep: Path | None, log) -> Iterator[Corpus]:
    """The corpus for ``(seed, size)``: generated in a temporary folder removed on exit,
    or kept in ``keep/corpus-<size>-seed<seed>`` (reused if complete, else generated in a
    hidden partial folder renamed into place only when complete)."""
    if keep is None:
        with tempfile.TemporaryDirectory(prefix="dedupe-throughput-") as tmp:
            _check_space(Path(tmp), size)
            yield _generated(Path(tmp) / "corpus", seed, size, jobs, log)
        return
    root = keep / f"corpus-{size}-seed{seed}"
    if root.exists():
        marker = check_corpus(root, seed, size)
        log(f"reusing {root}: {marker['files']} files, {marker['bytes'] / MB:.1f} MB")
        yield Corpus(root, size, marker["files"], marker["bytes"], len(marker["planted"]), None)
        return
    keep.mkdir(parents=True, exist_ok=True)
    _check_space(keep, size)
    partial = Path(tempfile.mkdtemp(prefix=".partial-", dir=keep))
    try:
        made = _generated(partial, seed, size, jobs, log)
        partial.rename(root)
    finally:
        shutil.rmtree(partial, ignore_errors=True)
    yield Corpus(root, size, made.files, made.bytes, made.planted, made.seconds)


# --------------------------------------------------------------------- baselines


def read_text(path: Path) -> str:
    """The file's text (a generated corpus is UTF-8; in a real folder, bytes that are
    not are replaced)."""
    with open(path, "rb") as handle:
        return handle.read().decode("utf-8-sig", "replace")


def prefix(files: list[Path], limit: int | None) -> list[Path]:
    """The first files whose sizes add up to at least ``limit`` bytes (all if None)."""
    if limit is None:
        return files
    chosen, total = [], 0
    for path in files:
        if total >= limit:
            break
        chosen.append(path)
        total += path.stat().st_size
    return chosen


def floor_baseline(files: list[Path]) -> dict:
    """Read, tokenise and hash the word 3-grams of every file; return counts."""
    grams = 0
    for path in files:
        words = tokenise(read_text(path)).words
        grams += len(ngram_hashes(word_hashes(words), SHINGLE))
    return {"shingles": grams}


def _naive_sketch(words: list[str]):
    from datasketch import MinHash

    sketch = MinHash(num_perm=NUM_PERM)
    for k in range(len(words) - SHINGLE + 1):
        sketch.update(" ".join(words[k : k + SHINGLE]).encode("utf-8"))
    return sketch


def naive_baseline(files: list[Path]) -> dict:
    """Per paragraph (text split on blank lines, at least 3 words) a ``MinHash`` fed
    one shingle at a time, all inserted in one ``MinHashLSH``, then each queried;
    return counts (``pairs``: unordered pairs of different paragraphs returned)."""
    from datasketch import MinHashLSH

    lsh = MinHashLSH(threshold=NAIVE_THRESHOLD, num_perm=NUM_PERM)
    sketches = []
    for path in files:
        for k, paragraph in enumerate(re.split(r"\n[ \t]*\n", read_text(path))):
            words = paragraph.split()
            if len(words) >= SHINGLE:
                key = f"{path}#{k}"
                sketches.append((key, _naive_sketch(words)))
                lsh.insert(key, sketches[-1][1])
    hits = sum(sum(1 for other in lsh.query(m) if other != key) for key, m in sketches)
    return {"paragraphs": len(sketches), "pairs": hits // 2}


def run_baseline(kind: str, root: Path, limit: int | None) -> dict:
    """Run baseline ``kind`` over the corpus files (naive: the first ``limit`` bytes);
    return its counts with ``files``, ``bytes`` and in-process ``seconds``."""
    files = list_files(root)
    if kind == "naive":
        files = prefix(files, limit)
    started = time.perf_counter()
    counts = (naive_baseline if kind == "naive" else floor_baseline)(files)
    seconds = time.perf_counter() - started
    size = sum(f.stat().st_size for f in files)
    return {"files": len(files), "bytes": size, "seconds": seconds, **counts}


# --------------------------------------------------------------------- measuring


@dataclass
class Run:
    """A finished child process: wall seconds, exit code, output, and its peak RSS in
    bytes (``ru_maxrss``: its largest single process) and sampled peak RSS summed over
    its process tree (``None`` without ``/proc``)."""

    seconds: float
    returncode: int
    stdout: str
    stderr: str
    peak_rss: int
    tree_rss: int | None


def _tree_rss(pid: int) -> int | None:
    """Summed RSS in bytes of ``pid`` and its descendants, from ``/proc`` (None if absent)."""
    page, total, stack = os.sysconf("SC_PAGE_SIZE"), 0, [pid]
    if not os.path.exists(f"/proc/{pid}/statm"):
        return None
    while stack:
        current = stack.pop()
        try:
            with open(f"/proc/{current}/statm") as handle:
                total += int(handle.read().split()[1]) * page
            for task in os.listdir(f"/proc/{current}/task"):
                with open(f"/proc/{current}/task/{task}/children") as handle:
                    stack += [int(c) for c in handle.read().split()]
        except (OSError, ValueError, IndexError):
            continue
    return total


def _sample_tree(pid: int, done: threading.Event, peak: list) -> None:
    while not done.wait(0.2):
        rss = _tree_rss(pid)
        peak[0] = None if rss is None else max(peak[0] or 0, rss)


def _maxrss_bytes(usage) -> int:
    return usage.ru_maxrss * (1 if sys.platform == "darwin" else 1024)


def measure(command: list[str], cwd: Path) -> Run:
    """Run ``command`` in ``cwd`` with the repository first on ``PYTHONPATH``, stdout and
    stderr captured; time it and take its own rusage with ``os.wait4``."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    done, peak = threading.Event(), [0]
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        proc = subprocess.Popen(
            command, cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=out, stderr=err
        )
        sampler = threading.Thread(target=_sample_tree, args=(proc.pid, done, peak), daemon=True)
        sampler.start()
        try:
            _, status, usage = os.wait4(proc.pid, 0)
        except BaseException:
            proc.kill()
            proc.wait()
            raise
        finally:
            done.set()
        seconds = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
        sampler.join()
        out.seek(0)
        err.seek(0)
        stdout, stderr = (f.read().decode("utf-8", "replace") for f in (out, err))
    rss = _maxrss_bytes(usage)
    tree = None if peak[0] is None else max(peak[0], rss)
    return Run(seconds, proc.returncode, stdout, stderr, rss, tree)


def _checked(run: Run, command: list[str]) -> Run:
    """``run``, or ``SystemExit`` with the command and the end of its stderr."""
    if run.returncode != 0:
        tail = "\n".join(run.stderr.strip().splitlines()[-20:])
        how = f"exited with {run.returncode}"
        if run.returncode < 0:
            how = f"was killed by signal {-run.returncode} (9: out of memory?)"
        raise SystemExit(f"error: {' '.join(command)} {how} after {run.seconds:.0f} s:\n{tail}")
    return run


def parse_stages(stderr: str) -> dict[str, float]:
    """Seconds per stage from lines ``stage NAME: SECONDS s`` (surrounding spaces
    allowed; repeated names summed, in order of first appearance; other lines ignored)."""
    stages: dict[str, float] = {}
    for line in stderr.splitlines():
        match = STAGE_LINE.match(line.strip())
        if match:
            name = match.group("name")
            stages[name] = stages.get(name, 0.0) + float(match.group("seconds"))
    return stages


def parse_passages(stderr: str) -> int | None:
    """The passage count of scan's summary line (``... N reused passages``), if any."""
    for line in reversed(stderr.splitlines()):
        match = SUMMARY_LINE.search(line.strip())
        if match:
            return int(match.group("passages"))
    return None


def _mb(value: int | None) -> float | None:
    return None if value is None else round(value / MB, 1)


def measure_scan(found: Corpus, fmt: str, extra: list[str]) -> dict:
    """Time ``python -m dedupe scan`` over the corpus; its figures as a dict."""
    command = [sys.executable, "-m", "dedupe", "scan", str(found.root), "--format", fmt]
    command += ["-o", os.devnull, "--verbose", *extra]
    run = _checked(measure(command, found.root.parent), command)
    return {
        "seconds": run.seconds,
        "mb_per_s": found.bytes / MB / run.seconds,
        "peak_rss_mb": _mb(run.peak_rss),
        "tree_rss_mb": _mb(run.tree_rss),
        "passages": parse_passages(run.stderr),
        "stages": parse_stages(run.stderr),
    }


def measure_baseline(kind: str, found: Corpus, sample: int | None) -> dict:
    """Time baseline ``kind`` in a subprocess. Naive runs on the first ``sample`` bytes
    when the size asked for exceeds ``sample``, and is then extrapolated: start-up +
    in-process seconds x corpus bytes / sample bytes."""
    whole = kind == "floor" or sample is None or found.size <= sample
    command = [sys.executable, str(Path(__file__).resolve()), "--baseline", kind]
    command += [str(found.root), "--naive-sample", "all" if whole else str(sample)]
    run = _checked(measure(command, found.root.parent), command)
    counts = json.loads(run.stdout.strip().splitlines()[-1])
    scale = found.bytes / counts["bytes"]
    seconds = run.seconds + counts["seconds"] * (scale - 1)
    return {
        "seconds": seconds,
        "mb_per_s": found.bytes / MB / seconds,
        "peak_rss_mb": _mb(run.peak_rss),
        "extrapolated": counts["bytes"] < found.bytes,
        "measured_seconds": run.seconds,
        **{k: v for k, v in counts.items() if k != "seconds"},
    }


def benchmark(found: Corpus, label: str, args: argparse.Namespace, extra: list[str], log) -> dict:
    """Floor, scan and naive on one corpus, and the throughput ratios."""
    log(f"{label}: floor")
    floor = measure_baseline("floor", found, None)
    log(f"{label}: scan {' '.join(extra)}".rstrip())
    scan = measure_scan(found, args.scan_format, extra)
    log(f"{label}: naive")
    naive = measure_baseline("naive", found, args.naive_sample)
    return {
        "size": label,
        "corpus_bytes": found.bytes,
        "corpus_mb": found.bytes / MB,
        "files": found.files,
        "planted": found.planted,
        "generation_seconds": found.seconds,
        "scan": scan,
        "floor": floor,
        "naive": naive,
        "scan_vs_floor": scan["mb_per_s"] / floor["mb_per_s"],
        "scan_vs_naive": scan["mb_per_s"] / naive["mb_per_s"],
    }


# ----------------------------------------------------------------------- output

HEADERS = [
    "size",
    "corpus MB",
    "scan s",
    "scan MB/s",
    "scan RSS MB",
    "floor s",
    "floor MB/s",
    "naive s",
    "naive MB/s",
    "scan/floor",
    "scan/naive",
]


def table_row(row: dict) -> list:
    """One line of the main table for a result of ``benchmark``."""
    scan, floor, naive = row["scan"], row["floor"], row["naive"]
    star = "*" if naive["extrapolated"] else ""
    return [
        row["size"],
        f"{row['corpus_mb']:.1f}",
        f"{scan['seconds']:.1f}",
        f"{scan['mb_per_s']:.2f}",
        scan["peak_rss_mb"],
        f"{floor['seconds']:.1f}",
        f"{floor['mb_per_s']:.2f}",
        f"{naive['seconds']:.1f}{star}",
        f"{naive['mb_per_s']:.2f}{star}",
        f"{row['scan_vs_floor']:.3f}",
        f"{row['scan_vs_naive']:.2f}{star}",
    ]


def notes(row: dict) -> list[str]:
    """Footnotes for one result: extrapolation, process-tree RSS, passages found."""
    scan, naive, lines = row["scan"], row["naive"], []
    if naive["extrapolated"]:
        lines.append(
            f"* naive ran on the first {naive['bytes'] / MB:.1f} MB ({naive['files']} files) "
            f"in {naive['measured_seconds']:.1f} s, extrapolated linearly to the corpus"
        )
    tree = scan["tree_rss_mb"]
    if tree and scan["peak_rss_mb"] and tree > 1.1 * scan["peak_rss_mb"]:
        lines.append(f"scan ran several processes: sampled peak RSS of the tree {tree} MB")
    found = "?" if scan["passages"] is None else scan["passages"]
    planted = "" if row["planted"] is None else f"; {row['planted']} paragraphs were planted"
    lines.append(f"scan reported {found} passages{planted}")
    return [f"{row['size']}: {line}" for line in lines]


def stage_table(row: dict) -> str:
    """The per-stage table of one result, or a line saying scan printed no stage times."""
    stages, scan = row["scan"]["stages"], row["scan"]
    if not stages:
        return f"{row['size']}: no stage timings on scan's stderr ('stage NAME: 1.234 s')"
    body = [
        [
            name,
            f"{s:.2f}",
            f"{100 * s / scan['seconds']:.0f}%",
            f"{row['corpus_mb'] / s:.1f}" if s > 0 else "-",
        ]
        for name, s in stages.items()
    ]
    rest = scan["seconds"] - sum(stages.values())
    body.append(
        ["(rest: start-up, unlisted)", f"{rest:.2f}", f"{100 * rest / scan['seconds']:.0f}%", ""]
    )
    headers = [f"{row['size']} stage", "seconds", "of scan", "MB/s"]
    return tabulate(
        body, headers=headers, disable_numparse=True, colalign=("left", "right", "right", "right")
    )


def render(rows: list[dict], extra: list[str]) -> str:
    """The human-readable report: main table, footnotes, per-stage tables."""
    parts = [
        f"scan options: {' '.join(extra) or '(defaults)'}",
        tabulate(
            [table_row(r) for r in rows],
            headers=HEADERS,
            disable_numparse=True,
            colalign=("left",) + ("right",) * (len(HEADERS) - 1),
        ),
        "\n".join(line for r in rows for line in notes(r)),
        "ratios are scan MB/s over baseline MB/s; compare ratios, not seconds (noisy machines)",
    ]
    parts += [stage_table(r) for r in rows]
    return "\n\n".join(parts)


# -------------------------------------------------------------------------- main


def parse_args(argv: list[str]) -> tuple[argparse.Namespace, list[str]]:
    """The script's options, and the scan options after the first ``--``."""
    cut = argv.index("--") if "--" in argv else len(argv)
    own, extra = argv[:cut], argv[cut + 1 :]
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        epilog="Options after -- go to scan, e.g. -- --no-paraphrase --jobs 2.",
    )
    parser.add_argument(
        "--size",
        action="append",
        type=_size_arg,
        default=[],
        metavar="SIZE",
        help="corpus size, e.g. 10MB (repeatable)",
    )
    parser.add_argument(
        "--corpus",
        dest="folders",
        action="append",
        type=Path,
        default=[],
        metavar="DIR",
        help="an existing folder to scan as it is (repeatable)",
    )
    parser.add_argument("--seed", type=int, default=0, help="corpus seed [0]")
    parser.add_argument(
        "--jobs",
        type=int,
        default=os.cpu_count() or 1,
        help="processes writing the corpus (files do not depend on it) [all CPUs]",
    )
    parser.add_argument(
        "--keep",
        type=Path,
        metavar="DIR",
        help="keep corpora in DIR/corpus-<bytes>-seed<seed>, reuse them",
    )
    parser.add_argument(
        "--naive-sample",
        type=_sample_arg,
        default=10 * MB,
        metavar="SIZE",
        help="run naive on the first SIZE of the corpus, extrapolate; "
        "'all' for the whole corpus [10MB]",
    )
    parser.add_argument(
        "--scan-format", choices=("json", "jsonl"), default="json", help="scan's --format [json]"
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--baseline", choices=("floor", "naive"), help=argparse.SUPPRESS)
    parser.add_argument("corpus", nargs="?", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(own)
    if args.baseline and (args.corpus is None or not args.corpus.is_dir()):
        parser.error("--baseline needs an existing corpus folder")
    if not args.baseline and (not (args.size or args.folders) or args.corpus is not None):
        parser.error("give at least one --size or --corpus DIR")
    for folder in args.folders:
        if not folder.is_dir():
            parser.error(f"--corpus {folder}: not a folder")
    if args.jobs < 1:
        parser.error("--jobs must be at least 1")
    return args, extra


def _log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def main(argv: list[str] | None = None) -> None:
    args, extra = parse_args(sys.argv[1:] if argv is None else argv)
    if args.baseline:
        print(json.dumps(run_baseline(args.baseline, args.corpus, args.naive_sample)))
        return
    rows = []
    for size in dict.fromkeys(args.size):
        label = format_size(size)
        with corpus(args.seed, size, args.jobs, args.keep, _log) as found:
            rows.append(benchmark(found, label, args, extra, _log))
    for folder in args.folders:
        rows.append(benchmark(existing(folder), folder.name, args, extra, _log))
    if args.json:
        note = "ratios (scan MB/s over baseline MB/s) are what matter; seconds are noisy"
        payload = {"seed": args.seed, "scan_options": extra, "note": note, "results": rows}
        print(json.dumps(payload, indent=1))
    else:
        print(render(rows, extra))


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        sys.exit(130)
