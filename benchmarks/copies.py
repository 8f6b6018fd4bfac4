"""What one text in many documents costs: the scan should grow with the copies, not
with their pairs.

Usage::

    python benchmarks/copies.py [--k 100 --k 1000 --k 10000] [--planted-words N]
        [--words N] [--seed N] [--json] [-- SCAN_OPTION ...]

For each ``k``: ``k`` generated documents (``dedupe.evaluation.synthetic.generate_text``), each
``--words`` words of its own text split around one shared text of ``--planted-words``
words (about 20 KB), are written to a temporary folder; ``python -m dedupe scan FOLDER
--format json --verbose`` runs on it in a subprocess, timed, with its peak RSS. The
table gives, per ``k``: seconds, peak RSS, the report's rows (all, and those marked
boilerplate), rows per copy, and the time ratio to the previous ``k``. With ``k`` ten
times the previous one, a ratio near 10 is linear; near 100, quadratic.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

import numpy as np
from tabulate import tabulate

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from throughput import measure, parse_stages  # noqa: E402

from dedupe.evaluation.language import generate_text  # noqa: E402


def write_corpus(folder: Path, k: int, planted_words: int, words: int, seed: int) -> int:
    """``k`` documents sharing one planted text under ``folder``; their total bytes."""
    planted = generate_text(np.random.default_rng([seed, 0]), planted_words)
    total = 0
    for n in range(k):
        rng = np.random.default_rng([seed, 1, n])
        before, after = generate_text(rng, words // 2), generate_text(rng, words // 2)
        text = f"{before}\n\n{planted}\n\n{after}\n"
        path = folder / f"part{n // 1000:03d}" / f"doc{n:05d}.txt"
        path.parent.mkdir(exist_ok=True)
        total += path.write_text(text, encoding="utf-8")
    return total


def run(k: int, args: argparse.Namespace, extra: list[str]) -> dict:
    """Write the corpus for ``k`` copies, scan it, and return the figures."""
    with tempfile.TemporaryDirectory(prefix="dedupe-copies-") as tmp:
        folder = Path(tmp, "corpus")
        folder.mkdir()
        size = write_corpus(folder, k, args.planted_words, args.words, args.seed)
        report = Path(tmp, "report.json")
        command = [sys.executable, "-m", "dedupe", "scan", str(folder), "--format", "json"]
        command += ["-o", str(report), "--verbose", *extra]
        print(f"k={k}: {size / 1e6:.1f} MB, scanning", file=sys.stderr, flush=True)
        result = measure(command, Path(tmp))
        if result.returncode != 0:
            raise SystemExit(f"error: scan exited {result.returncode}:\n{result.stderr[-2000:]}")
        passages = json.loads(report.read_text(encoding="utf-8"))["passages"]
    return {
        "k": k,
        "mb": size / 1e6,
        "seconds": result.seconds,
        "peak_rss_mb": result.peak_rss / 1e6,
        "tree_rss_mb": None if result.tree_rss is None else result.tree_rss / 1e6,
        "rows": len(passages),
        "boilerplate_rows": sum(1 for p in passages if p.get("boilerplate")),
        "stages": parse_stages(result.stderr),
    }


def render(rows: list[dict]) -> str:
    """The table of ``run`` results, with time ratios to the previous ``k``."""
    body = []
    for n, row in enumerate(rows):
        ratio = "" if n == 0 else f"{row['seconds'] / rows[n - 1]['seconds']:.1f}"
        body.append(
            [
                row["k"],
                f"{row['mb']:.1f}",
                f"{row['seconds']:.1f}",
                ratio,
                f"{row['peak_rss_mb']:.0f}",
                "" if row["tree_rss_mb"] is None else f"{row['tree_rss_mb']:.0f}",
                row["rows"],
                row["boilerplate_rows"],
                f"{row['rows'] / row['k']:.2f}",
            ]
        )
    headers = ["k", "MB", "scan s", "x previous", "RSS MB", "tree RSS MB", "rows", "boilerplate"]
    headers.append("rows per copy")
    stages = "\n".join(
        f"k={row['k']}: " + ", ".join(f"{name} {s:.1f} s" for name, s in row["stages"].items())
        for row in rows
    )
    return tabulate(body, headers=headers, disable_numparse=True) + "\n\n" + stages


def main() -> None:
    argv = sys.argv[1:]
    cut = argv.index("--") if "--" in argv else len(argv)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--k", type=int, action="append", help="copies (repeatable)")
    parser.add_argument("--planted-words", type=int, default=3300, help="shared text [3300]")
    parser.add_argument("--words", type=int, default=300, help="own words per document [300]")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv[:cut])
    rows = [run(k, args, argv[cut + 1 :]) for k in args.k or [100, 1000, 10000]]
    print(json.dumps(rows, indent=1) if args.json else render(rows))


if __name__ == "__main__":
    main()
