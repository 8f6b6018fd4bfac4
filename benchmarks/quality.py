"""Detection quality of ``dedupe scan``: Clough & Stevenson corpus and planted synthetic reuse.

Usage::

    python benchmarks/quality.py [--synthetic-only | --clough-only] [--seed N] [--docs N]
        [--cases N] [--clough DIR] [--detector CMD] [--json] [-- SCAN_OPTION ...]

Everything after ``--`` is passed to ``scan`` unchanged, e.g. ``-- --threshold 0.4``.
The detector runs as a subprocess, ``CMD scan DIR --format json ...`` (``CMD`` defaults to
``python -m dedupe`` with the repository on ``PYTHONPATH``); its stdout must be the JSON
report contract (``passages[*].source/copy.{path,start_char,end_char}``).  Its exit status
is not interpreted: the run fails only when stdout is not such a report.

* **Clough & Stevenson** (document level).  The ``*.txt`` files are copied to a temporary
  folder (the data set folder also holds README/CSV files, which ``scan`` would read as
  documents, and must never be written to) and scanned in one run.  An answer counts as
  detected when at least one passage links it with ``orig_task<task>.txt``, either way
  round; passages between two answers are ignored.  Reported: detection rate per category
  (recall for cut/light/heavy, false-positive rate for non) and precision/recall/F1 with
  cut+light+heavy as positives and non as negatives.
* **Synthetic** (character level).  A corpus from
  :func:`dedupe.evaluation.synthetic.generate_corpus` is written to a temporary folder
  (``truth.json`` is moved out before scanning), scanned, and scored with the PAN measures
  of :mod:`dedupe.evaluation.plagdet`, overall and per obfuscation. Passages are oriented
  to the planted case's direction before scoring.
"""

from __future__ import annotations

import argparse
import csv
import dataclasses
import json
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tabulate import tabulate

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from dedupe.evaluation.plagdet import (  # noqa: E402
    Detection,
    Scores,
    orient_to_cases,
    score,
    score_by_obfuscation,
)
from dedupe.evaluation.synthetic import PlantedCase, generate_corpus  # noqa: E402
from dedupe.read.files import read_file  # noqa: E402
from dedupe.text.normalise import tokenise  # noqa: E402

DEFAULT_CLOUGH = REPO.parent / "shared" / "datasets" / "clough_stevenson"
POSITIVE = ("cut", "light", "heavy")
NEGATIVE = "non"


# ----------------------------------------------------------------------- detector


def run_scan(detector: list[str], directory: Path, extra: list[str]) -> tuple[dict, float]:
    """Run ``detector scan directory --format json *extra``; return (report, seconds).

    Runs in ``directory``'s parent, so nothing lands in the repository.  Raises
    ``SystemExit`` with the detector's stderr if stdout is not a JSON report.
    """
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    command = [*detector, "scan", str(directory), "--format", "json", *extra]
    started = time.perf_counter()
    proc = subprocess.run(
        command, cwd=directory.parent, env=env, capture_output=True, text=True, encoding="utf-8"
    )
    seconds = time.perf_counter() - started
    try:
        report = json.loads(proc.stdout)
        report["passages"]
    except (json.JSONDecodeError, KeyError, TypeError):
        raise SystemExit(
            f"{shlex.join(command)} exited with {proc.returncode} without a JSON report:\n"
            f"{proc.stderr.strip()}"
        ) from None
    return report, seconds


def _real(path: str, cwd: Path) -> str:
    return os.path.realpath(os.path.join(cwd, path))


def passage_detections(report: dict, cwd: Path) -> list[Detection]:
    """Each reported passage as a ``(copy, start, end, source, start, end)`` detection.

    Paths are made absolute against ``cwd`` (where the detector ran) and resolved.
    """
    detections = []
    for passage in report["passages"]:
        copy, source = passage["copy"], passage["source"]
        detections.append(
            (
                _real(copy["path"], cwd),
                copy["start_char"],
                copy["end_char"],
                _real(source["path"], cwd),
                source["start_char"],
                source["end_char"],
            )
        )
    return detections


# ------------------------------------------------------------------------ Clough


def clough_labels(clough_dir: Path) -> dict[str, tuple[str, str]]:
    """Map each answer file to ``(category, original file)`` from ``file_information.csv``."""
    with open(clough_dir / "file_information.csv", newline="", encoding="utf-8") as f:
        return {
            row["File"]: (row["Category"], f"orig_task{row['Task']}.txt")
            for row in csv.DictReader(f)
            if row["Category"] != "orig"
        }


def linked_pairs(report: dict) -> set[frozenset[str]]:
    """Unordered pairs of file names that share at least one reported passage."""
    return {
        frozenset((Path(p["copy"]["path"]).name, Path(p["source"]["path"]).name))
        for p in report["passages"]
    }


def evaluate_clough(clough_dir: Path, detector: list[str], extra: list[str]) -> dict:
    """Document-level detection rates and precision/recall/F1 on the Clough corpus."""
    labels = clough_labels(clough_dir)
    with tempfile.TemporaryDirectory(prefix="dedupe-quality-") as tmp:
        docs = Path(tmp) / "clough"
        docs.mkdir()
        for path in sorted(clough_dir.glob("*.txt")):
            shutil.copyfile(path, docs / path.name)
        report, seconds = run_scan(detector, docs, extra)
    pairs = linked_pairs(report)
    categories: dict[str, dict] = {}
    for category in (*POSITIVE, NEGATIVE):
        files = [f for f, (c, _) in labels.items() if c == category]
        found = sum(frozenset((f, labels[f][1])) in pairs for f in files)
        categories[category] = {
            "files": len(files),
            "detected": found,
            "rate": found / len(files) if files else 0.0,
        }
    missed = [
        {
            "file": f,
            "category": c,
            "source": source,
            "shared_5grams": shared_ngrams(clough_dir / f, clough_dir / source, 5),
        }
        for f, (c, source) in sorted(labels.items())
        if c in POSITIVE and frozenset((f, source)) not in pairs
    ]
    tp = sum(categories[c]["detected"] for c in POSITIVE)
    fn = sum(categories[c]["files"] for c in POSITIVE) - tp
    fp = categories[NEGATIVE]["detected"]
    return {
        "categories": categories,
        **_prf(tp, fp, fn),
        "missed": missed,
        "passages": len(report["passages"]),
        "seconds": round(seconds, 3),
        "parameters": report.get("parameters", {}),
    }


def shared_ngrams(a: Path, b: Path, n: int) -> int:
    """How many distinct word n-grams two files share (after dedupe's normalisation):
    0 for a 'copied' answer means its text is not in the labelled source at all.
    """
    grams = []
    for path in (a, b):
        words = tokenise(read_file(str(path)).text).words
        grams.append({tuple(words[i : i + n]) for i in range(len(words) - n + 1)})
    return len(grams[0] & grams[1])


def _prf(tp: int, fp: int, fn: int) -> dict:
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"tp": tp, "fp": fp, "fn": fn, "precision": precision, "recall": recall, "f1": f1}


def clough_tables(result: dict) -> str:
    """Human-readable tables for :func:`evaluate_clough`'s result."""
    rows = [
        [
            c,
            v["files"],
            v["detected"],
            v["rate"],
            "false-positive rate" if c == NEGATIVE else "recall",
        ]
        for c, v in result["categories"].items()
    ]
    per_category = tabulate(
        rows, ["category", "files", "detected", "rate", "meaning"], floatfmt=".3f"
    )
    overall = tabulate(
        [[result[k] for k in ("tp", "fp", "fn", "precision", "recall", "f1")]],
        ["TP", "FP", "FN", "precision", "recall", "F1"],
        floatfmt=".3f",
    )
    missed = "\n".join(
        f"  {m['file']} ({m['category']}): shares {m['shared_5grams']} word 5-grams "
        f"with {m['source']}"
        for m in result["missed"]
    )
    return (
        f"Clough & Stevenson, document level ({result['passages']} passages, "
        f"{result['seconds']:.1f} s)\n{per_category}\n\n{overall}\n\nmissed:\n{missed or '  none'}"
    )


# --------------------------------------------------------------------- synthetic


def _resolved(case: PlantedCase) -> PlantedCase:
    return dataclasses.replace(
        case,
        source_path=os.path.realpath(case.source_path),
        copy_path=os.path.realpath(case.copy_path),
    )


def _scores_dict(scores: Scores) -> dict:
    return {**dataclasses.asdict(scores), "f1": scores.f1}


def evaluate_synthetic(
    seed: int, n_docs: int, cases_per_obfuscation: int, detector: list[str], extra: list[str]
) -> dict:
    """PAN scores of the detector on a freshly generated synthetic corpus."""
    with tempfile.TemporaryDirectory(prefix="dedupe-quality-") as tmp:
        corpus = Path(tmp) / "synthetic"
        planted = generate_corpus(
            corpus, seed=seed, n_docs=n_docs, cases_per_obfuscation=cases_per_obfuscation
        )
        (corpus / "truth.json").rename(Path(tmp) / "truth.json")
        cases = [_resolved(c) for c in planted]
        report, seconds = run_scan(detector, corpus, extra)
        detections = orient_to_cases(passage_detections(report, corpus.parent), cases)
    per_type = score_by_obfuscation(cases, detections)
    return {
        "seed": seed,
        "documents": n_docs,
        "cases_per_obfuscation": cases_per_obfuscation,
        "overall": _scores_dict(score(cases, detections)),
        "by_obfuscation": {k: _scores_dict(v) for k, v in per_type.items()},
        "seconds": round(seconds, 3),
        "parameters": report.get("parameters", {}),
    }


def synthetic_table(result: dict) -> str:
    """Human-readable table for :func:`evaluate_synthetic`'s result."""
    columns = ("cases", "detections", "precision", "recall", "f1", "granularity", "plagdet")
    rows = [[kind, *(s[c] for c in columns)] for kind, s in result["by_obfuscation"].items()]
    rows.append(["all", *(result["overall"][c] for c in columns)])
    table = tabulate(
        rows,
        [
            "obfuscation",
            "cases",
            "detections",
            "precision",
            "recall",
            "F1",
            "granularity",
            "plagdet",
        ],
        floatfmt=".3f",
    )
    return (
        f"Synthetic, character level (PAN measures; seed {result['seed']}, "
        f"{result['documents']} documents, {result['seconds']:.1f} s)\n{table}"
    )


# -------------------------------------------------------------------------- main


def split_passthrough(argv: list[str]) -> tuple[list[str], list[str]]:
    """Split ``argv`` at the first ``--`` into (our arguments, arguments for ``scan``)."""
    if "--" not in argv:
        return argv, []
    cut = argv.index("--")
    return argv[:cut], argv[cut + 1 :]


def parse_args(argv: list[str]) -> tuple[argparse.Namespace, list[str]]:
    """Parse our options; everything after the first ``--`` is returned for ``scan``."""
    own, extra = split_passthrough(argv)
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    which = parser.add_mutually_exclusive_group()
    which.add_argument("--synthetic-only", action="store_true", help="skip the Clough corpus")
    which.add_argument("--clough-only", action="store_true", help="skip the synthetic corpus")
    parser.add_argument("--seed", type=int, default=1, help="synthetic corpus seed (1)")
    parser.add_argument("--docs", type=int, default=150, help="synthetic documents (150)")
    parser.add_argument(
        "--cases", type=int, default=20, help="synthetic cases per obfuscation type (20)"
    )
    parser.add_argument(
        "--clough",
        type=Path,
        default=DEFAULT_CLOUGH,
        help="Clough & Stevenson folder (../shared/datasets/clough_stevenson)",
    )
    parser.add_argument(
        "--detector",
        default=None,
        help="detector command, shell-quoted (default: python -m dedupe)",
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object instead")
    return parser.parse_args(own), extra


def main(argv: list[str] | None = None) -> int:
    """Run the selected evaluations and print tables (or JSON); return the exit status."""
    args, extra = parse_args(sys.argv[1:] if argv is None else argv)
    detector = shlex.split(args.detector) if args.detector else [sys.executable, "-m", "dedupe"]
    results: dict = {"detector": detector, "scan_options": extra}
    if not args.synthetic_only:
        if not (args.clough / "file_information.csv").is_file():
            raise SystemExit(f"no Clough & Stevenson corpus at {args.clough} (see --clough)")
        results["clough"] = evaluate_clough(args.clough, detector, extra)
    if not args.clough_only:
        results["synthetic"] = evaluate_synthetic(args.seed, args.docs, args.cases, detector, extra)
    if args.json:
        print(json.dumps(results, indent=2))
    else:
        tables = [clough_tables(results["clough"])] if "clough" in results else []
        tables += [synthetic_table(results["synthetic"])] if "synthetic" in results else []
        print("\n\n".join(tables))
    return 0


if __name__ == "__main__":
    sys.exit(main())
