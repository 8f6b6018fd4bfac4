"""Hostile inputs: every case of the hostile-input review, run against the real CLI.

Each case builds a real file-system fixture in a fresh folder, runs ``dedupe`` as a
separate process (``python -m dedupe``) and checks what a careful user expects: no input
modified, moved or deleted (but by ``duplicates --quarantine``), one-line errors with
exit code 2, no traceback, no hang, nothing left in ``$TMPDIR``. The script runs them all
and prints a table, case | exit code | outcome; ``tests/test_hostile.py`` runs each case
as a test.

    python benchmarks/hostile.py                # every case
    python benchmarks/hostile.py --tries 10     # the interrupt cases 10 times each
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from dedupe.evaluation.language import generate_text

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"
SOURCE = "001_c851588bc98110cb.txt"
EXCERPT = "000_0fadec60b344b5b9.txt"
TIMEOUT = 120


@dataclass
class Outcome:
    """What a case saw: the exit code that matters and whether all held."""

    exit_code: int
    ok: bool
    detail: str


class Runner:
    """Runs ``dedupe`` in ``cwd`` with a private ``$TMPDIR`` (to see what is left)."""

    def __init__(self, cwd: Path, obey_permissions: bool = False):
        self.cwd = cwd
        self.tmp = cwd / ".tmpdir"
        self.tmp.mkdir(exist_ok=True)
        self.obey_permissions = obey_permissions

    def command(self, *args) -> list:
        """``dedupe ARGS``; with ``obey_permissions``, as root, without the capabilities
        that let root read any file (so file modes apply)."""
        base = [sys.executable, "-m", "dedupe", *map(_arg, args)]
        if not (self.obey_permissions and os.geteuid() == 0):
            return base
        return ["setpriv", "--bounding-set=-dac_override,-dac_read_search", *base]

    def env(self) -> dict:
        return {**os.environ, "TMPDIR": str(self.tmp), "PYTHONPATH": str(ROOT)}

    def __call__(self, *args, timeout: float = TIMEOUT) -> subprocess.CompletedProcess:
        return subprocess.run(
            self.command(*args), cwd=self.cwd, env=self.env(), capture_output=True,
            timeout=timeout,
        )  # fmt: skip

    def start(self, *args) -> subprocess.Popen:
        """The command started in its own process group (as a shell runs a job)."""
        return subprocess.Popen(
            self.command(*args), cwd=self.cwd, env=self.env(), stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, start_new_session=True,
        )  # fmt: skip

    def leftovers(self) -> list[str]:
        return sorted(p.name for p in self.tmp.iterdir())


def _arg(value) -> str | bytes:
    return value if isinstance(value, bytes) else str(value)


def digests(folder: Path) -> dict[str, str]:
    """Every regular file under ``folder`` (links not followed): name → sha256."""
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and not p.is_symlink()
    }


def corpus_copy(folder: Path, names: tuple[str, ...] = ()) -> Path:
    folder.mkdir(parents=True)
    for path in sorted(CORPUS.iterdir()):
        if not names or path.name in names:
            shutil.copy2(path, folder / path.name)
    return folder


def one_line_error(result) -> bool:
    """Exit 2 and exactly one line on stderr, ``dedupe: error: ...``."""
    lines = result.stderr.decode("utf-8", "replace").splitlines()
    return result.returncode == 2 and len(lines) == 1 and lines[0].startswith("dedupe: error: ")


def no_traceback(result) -> bool:
    return b"Traceback" not in result.stderr


def outcome(result, ok: bool, detail: str) -> Outcome:
    code = result.returncode if hasattr(result, "returncode") else result
    return Outcome(code, ok, detail)


# ------------------------------------------------------------------------------ cases


def case_01_output_is_an_input(work: Path) -> Outcome:
    run = Runner(work)
    c = corpus_copy(work / "c")
    before = digests(c)
    checks = [
        run("scan", c, "-o", c / SOURCE),
        run("scan", c, "--format", "html", "-o", c / SOURCE),
        run("scan", c, "-o", c / "report.txt"),  # inside the scanned folder
        run("duplicates", c, "-o", c / SOURCE),
        run("query", CORPUS / EXCERPT, "--index", work / "idx.sqlite", "-o", CORPUS / EXCERPT),
    ]
    add = run("index", "add", c, "--index", work / "idx.sqlite")
    index_before = (work / "idx.sqlite").read_bytes()
    checks.append(run("scan", c, "--index", work / "idx.sqlite", "-o", work / "idx.sqlite"))
    ok = (
        all(one_line_error(r) for r in checks)
        and add.returncode == 0
        and digests(c) == before
        and (work / "idx.sqlite").read_bytes() == index_before
    )
    return outcome(checks[0], ok, f"{len(checks)} refusals, inputs and index unchanged")


def case_02_quarantine_and_links(work: Path) -> Outcome:
    run = Runner(work)
    coll = work / "coll"
    coll.mkdir()
    text = (CORPUS / SOURCE).read_bytes()
    for name in ("real.txt", "copy.txt", "z_copy.txt"):
        (coll / name).write_bytes(text)
    (work / "outside.txt").write_bytes(text)
    (coll / "a_link.txt").symlink_to("real.txt")
    (coll / "out_link.txt").symlink_to(work / "outside.txt")
    q = work / "q"
    moved = run("duplicates", coll, "--quarantine", q, "--format", "json")
    data = json.loads(moved.stdout) if moved.returncode == 0 else {}
    links_fine = all(
        (coll / n).is_symlink() and (coll / n).exists() for n in ("a_link.txt", "out_link.txt")
    )
    kept_real = (coll / "real.txt").is_file() and (work / "outside.txt").is_file()
    journal = data.get("journal")
    restored = run("restore", journal) if journal else None
    ok = (
        moved.returncode == 0
        and links_fine
        and kept_real
        and [Path(m["original"]).name for m in data["moves"]] == ["z_copy.txt"]
        and restored is not None
        and restored.returncode == 0
        and (coll / "z_copy.txt").read_bytes() == text
    )
    detail = "links and their targets stay, one copy moved, journal restored"
    return outcome(moved, ok, detail)


def case_03_kernel_cache_outside_the_package(work: Path) -> Outcome:
    run = Runner(work)
    result = run("scan", CORPUS, "--quiet", "--format", "json")
    package = ROOT / "dedupe"  # what the command ran (PYTHONPATH)
    cached = [p.name for p in package.rglob("*") if p.suffix in (".nbi", ".nbc")]
    ok = result.returncode == 0 and not cached
    return outcome(result, ok, f"{len(cached)} numba cache files inside the package")


def _many_files(folder: Path, count: int) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(0)
    shared = generate_text(rng, 300)
    for k in range(count):
        text = generate_text(rng, 600)
        if k % 10 == 0:
            text += "\n" + shared
        (folder / f"doc{k:05d}.txt").write_text(text, encoding="utf-8")
    return folder


def interrupt(work: Path, args: list, sig: int, delay: float) -> tuple[int, str, list[str]]:
    """Run ``dedupe ARGS``, send ``sig`` to its process group after ``delay`` seconds:
    exit code, stderr and what was left in ``$TMPDIR``."""
    run = Runner(work)
    process = run.start(*args)
    time.sleep(delay)
    if process.poll() is None:
        os.killpg(process.pid, sig)
    try:
        _, err = process.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        return -1, "hung", run.leftovers()
    time.sleep(0.2)  # a straggling child could still write
    return process.returncode, err.decode("utf-8", "replace"), run.leftovers()


def case_04_interrupt(work: Path, tries: int = 1) -> Outcome:
    files = _many_files(work / "many", 3000)
    index = work / "idx.sqlite"
    commands = [
        ["scan", files],
        ["scan", files, "--format", "json"],
        ["index", "add", files, "--index", index, "--quiet"],
        ["duplicates", files],
        ["query", files / "doc00000.txt", "--index", index],
    ]
    bad, runs = [], 0
    for k in range(tries):
        for args in commands:
            for sig, code, word in ((signal.SIGINT, 130, "interrupted"),
                                    (signal.SIGTERM, 143, "terminated")):  # fmt: skip
                delay = 0.4 + 2.6 * ((k * 7 + runs) % 5) / 4  # from start-up on
                got, err, left = interrupt(work, args, sig, delay)
                runs += 1
                if got == 0:
                    continue  # finished before the signal: nothing to judge
                if got != code or err.strip() != f"dedupe: error: {word}" or left:
                    bad.append(f"{args[0]} {sig.name} after {delay:.1f}s: exit {got}, {left}")
    return Outcome(130 if not bad else 1, not bad, bad[0] if bad else f"{runs} signals, clean")


def case_05_empty_file_first(work: Path) -> Outcome:
    run = Runner(work)
    d = corpus_copy(work / "d", (SOURCE, EXCERPT))
    (d / "+empty.txt").touch()
    (d / "+broken.txt").symlink_to("nowhere.txt")
    os.mkfifo(d / "+fifo.txt")
    result = run("scan", d, "--format", "json")
    ok = result.returncode == 0 and len(json.loads(result.stdout)["passages"]) >= 2
    err = result.stderr.decode()
    ok = ok and all(f"+{n}.txt" in err for n in ("empty", "broken", "fifo"))
    return outcome(result, ok, "skipped with warnings, reuse found")


def case_06_fifo(work: Path) -> Outcome:
    run = Runner(work)
    f = corpus_copy(work / "f", (SOURCE, EXCERPT))
    os.mkfifo(f / "b_fifo.txt")
    results = [
        run("scan", f, "--quiet", timeout=60),
        run("duplicates", f, timeout=60),
        run("index", "add", f, "--index", work / "i.sqlite", timeout=60),
        run("scan", f / "b_fifo.txt", "/dev/null", timeout=60),
    ]
    warned = all(b"not a regular file" in r.stderr for r in results[1:])
    ok = all(r.returncode == 0 for r in results) and warned
    return outcome(results[0], ok, "FIFOs and /dev/null skipped as not regular files")


ODD = b"latin\xe9\xff.txt"


def case_07_names_not_utf8(work: Path) -> Outcome:
    run = Runner(work)
    odd = work / "odd"
    odd.mkdir()
    text = (CORPUS / SOURCE).read_bytes()
    with open(os.path.join(os.fsencode(odd), ODD), "wb") as handle:
        handle.write(text)
    (odd / "plain.txt").write_bytes(text)
    ok, first = True, None
    for fmt in ("table", "csv", "json", "jsonl", "markdown", "html"):
        out = run("scan", odd, "--quiet", "--format", fmt)
        first = first or out
        ok = ok and out.returncode == 0 and _utf8(out.stdout) and _names_odd(out.stdout, fmt)
        to_file = run("scan", odd, "--quiet", "--format", fmt, "-o", work / f"r.{fmt}")
        ok = ok and to_file.returncode == 0 and _utf8((work / f"r.{fmt}").read_bytes())
    ok = ok and json.loads(run("scan", odd, "--quiet", "--format", "json").stdout)["passages"]
    db = run("scan", odd, "--quiet", "--format", "sqlite", "-o", work / "r.db")
    q = work / "q"
    moved = run("duplicates", odd, "--keep", "path", "--quarantine", q, "--format", "json")
    journal = json.loads(moved.stdout)["journal"] if moved.returncode == 0 else None
    restored = run("restore", journal) if journal else None
    back = os.path.exists(os.path.join(os.fsencode(odd), ODD))
    ok = ok and db.returncode == 0 and moved.returncode == 0 and restored is not None
    ok = ok and restored.returncode == 0 and back and _utf8(moved.stdout)
    return outcome(first, ok, "every format valid UTF-8; quarantine and restore round-trip")


def _names_odd(report: bytes, fmt: str) -> bool:
    """Whether ``report`` names the odd file in its printable form, ``latin\\xe9\\xff``."""
    shown = "latin\\xe9\\xff.txt"
    if fmt == "json":
        return any(d["path"].endswith(shown) for d in json.loads(report)["documents"])
    if fmt == "jsonl":
        passages = [json.loads(line) for line in report.splitlines()]
        return any(p[side]["path"].endswith(shown) for p in passages for side in ("source", "copy"))
    return shown in report.decode("utf-8")


def _utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def case_08_damaged_utf8(work: Path) -> Outcome:
    run = Runner(work)
    d = work / "d"
    d.mkdir()
    chinese = ("新疆是中国的一个自治区。" * 40 + "\n") * 5
    data = chinese.encode("utf-8")
    (d / "zh.txt").write_bytes(data[:300] + b"\xff" + data[300:])
    english = (CORPUS / SOURCE).read_bytes()
    stray = english
    for k in range(6):  # six stray bytes, each at the end of a line
        cut = stray.index(b"\n", 2000 + 3000 * k)
        stray = stray[:cut] + b"\x97" + stray[cut:]
    (d / "en.txt").write_bytes(stray)
    (d / "en_copy.txt").write_bytes(english)
    ascii_nbsp = ("Plain ASCII words\xa0with a no-break space here. " * 30).encode("latin-1")
    (d / "nbsp.txt").write_bytes(ascii_nbsp)
    result = run("scan", d, "--format", "json")
    data = json.loads(result.stdout) if result.returncode == 0 else {"documents": []}
    encodings = {Path(doc["path"]).name: doc["encoding"] for doc in data["documents"]}
    kinds = {p["kind"] for p in data.get("passages", [])}
    ok = (
        encodings.get("zh.txt", "").startswith("utf-8 (1 ")
        and encodings.get("en.txt", "").startswith("utf-8 (6 ")
        and encodings.get("nbsp.txt") == "cp1252"
        and kinds == {"verbatim"}
        and b"damaged UTF-8" in result.stderr
    )
    return outcome(result, ok, f"encodings {sorted(encodings.values())}, kinds {sorted(kinds)}")


def case_09_damaged_index(work: Path) -> Outcome:
    run = Runner(work)
    c = corpus_copy(work / "c")
    index = work / "idx.sqlite"
    run("index", "add", c, "--index", index, "--quiet")
    data = bytearray(index.read_bytes())
    middle = len(data) // 2
    data[middle : middle + 4096] = np.random.default_rng(1).bytes(4096)
    index.write_bytes(bytes(data))
    damaged = index.read_bytes()
    checks = [
        run("query", CORPUS / EXCERPT, "--index", index),
        run("index", "add", c, "--index", index),
        run("index", "status", "--index", index),
        run("index", "prune", "--index", index),
    ]
    empty = work / "empty.sqlite"
    empty.touch()
    checks.append(run("query", CORPUS / EXCERPT, "--index", empty))
    ok = (
        all(one_line_error(r) and str(index.name) in r.stderr.decode() for r in checks[:4])
        and one_line_error(checks[4])
        and index.read_bytes() == damaged
        and empty.stat().st_size == 0
    )
    return outcome(checks[0], ok, "one line naming the index, nothing written")


def case_10_long_first_word_excerpt(work: Path) -> Outcome:
    run = Runner(work)
    d = work / "d"
    d.mkdir()
    url = "https://archive.example.org/" + "a" * 80
    shared = f"{url} " + (CORPUS / EXCERPT).read_text(encoding="utf-8")[200:1200]
    (d / "a.txt").write_text("Opening words of one.\n\n" + shared + "\n", encoding="utf-8")
    (d / "b.txt").write_text("Other opening words.\n\n" + shared + "\n", encoding="utf-8")
    result = run("scan", d, "--format", "json", "--quiet")
    excerpts = [p["excerpt"] for p in json.loads(result.stdout)["passages"]]
    ok = result.returncode == 0 and excerpts and all(len(e) <= 61 for e in excerpts)
    return outcome(result, ok, f"excerpt lengths {[len(e) for e in excerpts]}")


def case_11_same_date_evidence(work: Path) -> Outcome:
    run = Runner(work)
    x = work / "x"
    x.mkdir()
    shutil.copy(CORPUS / SOURCE, x / "a.txt")
    shutil.copy(CORPUS / SOURCE, x / "b.txt")
    result = run("scan", x, "--format", "json", "--quiet")
    evidence = {p["evidence"] for p in json.loads(result.stdout)["passages"]}
    ok = result.returncode == 0 and evidence and all("both dated 2019-12-09" in e for e in evidence)
    return outcome(result, ok, "; ".join(sorted(evidence))[:90])


def case_12_unreadable_folder(work: Path) -> Outcome:
    if os.geteuid() == 0 and not shutil.which("setpriv"):
        return Outcome(-1, False, "running as root without setpriv: cannot drop privileges")
    run = Runner(work, obey_permissions=True)
    c = corpus_copy(work / "c", (SOURCE, EXCERPT))
    locked = c / "locked"
    locked.mkdir()
    shutil.copy(CORPUS / SOURCE, locked / "inside.txt")
    os.chmod(locked, 0)
    try:
        result = run("scan", c, "--quiet", "--format", "json")
        loud = run("scan", c, "--format", "json")
    finally:
        os.chmod(locked, 0o755)
    err = loud.stderr.decode()
    ok = result.returncode == 0 and "locked" in err and "unreadable folder" in err
    ok = ok and ", 1 skipped," in err
    return outcome(result, ok, "warned and counted as skipped")


def case_13_smaller(work: Path) -> Outcome:
    run = Runner(work)
    failures = []
    c = corpus_copy(work / "c")
    c2 = work / "c2"
    shutil.copytree(c, c2)
    shutil.copy(c / SOURCE, c2 / "again.txt")
    # a. the quarantine folder is the scanned folder itself
    if not one_line_error(run("duplicates", c2, "--quarantine", c2)):
        failures.append("a: quarantine = scanned folder")
    # b-d. journals: a NUL, a cut last line, an original outside the recorded root
    q = work / "q"
    moved = run("duplicates", c2, "--quarantine", q, "--format", "json", "--quiet")
    journal = Path(json.loads(moved.stdout)["journal"])
    lines = journal.read_text().splitlines()
    nul = work / "q" / "journal-nul.jsonl"
    entry = json.loads(lines[1])
    nul.write_text(lines[0] + "\n" + json.dumps({**entry, "original": "/tmp/a\0b"}) + "\n")
    if not one_line_error(run("restore", nul)):
        failures.append("b: NUL in a journal path")
    outside = work / "q" / "journal-outside.jsonl"
    outside.write_text(lines[0] + "\n" + json.dumps({**entry, "original": "/etc/evil"}) + "\n")
    if not one_line_error(run("restore", outside)):
        failures.append("d: original outside the recorded root")
    journal.write_text(journal.read_text() + '{"original": "/x", "moved_to"')
    restored = run("restore", journal)
    if restored.returncode != 0 or not (c2 / "again.txt").exists():
        failures.append("c: journal with a cut last line")
    # e. an excerpt keeps a leading '<'
    e = work / "e"
    e.mkdir()
    body = (CORPUS / EXCERPT).read_text(encoding="utf-8")[200:900]
    for name, head in (("a.txt", "One.\n\n"), ("b.txt", "Two.\n\n")):
        (e / name).write_text(f"{head}<Editor's note> {body}\n", encoding="utf-8")
    scanned = json.loads(run("scan", e, "--format", "json", "--quiet").stdout)
    if not scanned["passages"] or not scanned["passages"][0]["excerpt"].startswith("<"):
        failures.append("e: excerpt drops a leading <")
    # g. an index inside a scanned folder is not a new file of it
    inside = c / "idx.sqlite"
    run("index", "add", c, "--index", inside, "--quiet")
    status = run("index", "status", c, "--index", inside).stdout.decode()
    if "idx.sqlite" in status:
        failures.append("g: index files listed as new")
    # h. the duplicates summary counts groups
    summary = run("duplicates", c2).stderr.decode().splitlines()[-1]
    if "1 duplicate groups holding 1 exact" not in summary:
        failures.append(f"h: summary {summary!r}")
    # default stderr: one summary line
    plain = run("scan", CORPUS).stderr.decode().splitlines()
    if len(plain) != 1:
        failures.append(f"default stderr has {len(plain)} lines")
    ok = not failures
    return Outcome(0 if ok else 1, ok, failures[0] if failures else "a-e, g, h and stderr hold")


CASES: dict[str, Callable[[Path], Outcome]] = {
    "1 -o is an input": case_01_output_is_an_input,
    "2 quarantine and links": case_02_quarantine_and_links,
    "3 kernel cache": case_03_kernel_cache_outside_the_package,
    "4 Ctrl-C / SIGTERM": case_04_interrupt,
    "5 empty file first": case_05_empty_file_first,
    "6 FIFO": case_06_fifo,
    "7 names not UTF-8": case_07_names_not_utf8,
    "8 damaged UTF-8": case_08_damaged_utf8,
    "9 damaged index": case_09_damaged_index,
    "10 long first word": case_10_long_first_word_excerpt,
    "11 same dates": case_11_same_date_evidence,
    "12 unreadable folder": case_12_unreadable_folder,
    "13 smaller": case_13_smaller,
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tries", type=int, default=1, help="rounds of the interrupt case")
    parser.add_argument("--case", action="append", help="run only cases starting with this")
    args = parser.parse_args()
    rows = []
    for name, case in CASES.items():
        if args.case and not any(name.startswith(c + " ") for c in args.case):
            continue
        with tempfile.TemporaryDirectory(prefix="dedupe-hostile-") as folder:
            started = time.monotonic()
            try:
                if case is case_04_interrupt:
                    result = case(Path(folder), args.tries)
                else:
                    result = case(Path(folder))
            except Exception as err:  # a case that crashes is a failed case
                result = Outcome(-1, False, f"{type(err).__name__}: {err}")
            seconds = time.monotonic() - started
        rows.append((name, result.exit_code, "ok" if result.ok else "FAIL", result.detail, seconds))
        print(f"{name:<24} {result.exit_code:>4}  {rows[-1][2]:<4}  {result.detail} "
              f"({seconds:.0f} s)", flush=True)  # fmt: skip
    print()
    print("| case | exit code | outcome |")
    print("| --- | --- | --- |")
    for name, code, verdict, detail, _ in rows:
        print(f"| {name} | {code} | {verdict}: {detail} |")
    sys.exit(0 if all(r[2] == "ok" for r in rows) else 1)


if __name__ == "__main__":
    main()
