"""What a rescan through the index costs after a few additions, against a plain scan.

Usage: python benchmarks/incremental.py [--docs N] [--added N] [--words N] [--no-paraphrase]

Generates a seeded collection and scans it through a new index (``scan --index``), adds a
few documents, then times in one run: ``scan --index`` again (which signs and aligns only
the additions) and a plain ``scan`` of the whole collection. Prints the times, their
ratio and how many files each run signed.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from dedupe.evaluation.language import generate_text  # noqa: E402
from dedupe.pipeline.indexed import scan_indexed  # noqa: E402
from dedupe.pipeline.scan import Parameters, scan  # noqa: E402
from dedupe.store.index import Index  # noqa: E402


def write(folder: Path, first: int, count: int, words: int) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for k in range(first, first + count):
        text = generate_text(np.random.default_rng(k), words)
        (folder / f"doc{k:05d}.txt").write_text(text, encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--docs", type=int, default=1000, help="documents indexed first")
    parser.add_argument("--added", type=int, default=5, help="documents added afterwards")
    parser.add_argument("--words", type=int, default=1000, help="words per document")
    parser.add_argument(
        "--no-paraphrase", action="store_true", help="verbatim and near passages only"
    )
    args = parser.parse_args()
    params = Parameters(paraphrase=not args.no_paraphrase)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "collection"
        write(folder, 0, args.docs, args.words)
        with Index(str(Path(tmp) / "index.sqlite"), params) as index:
            started = time.perf_counter()
            scan_indexed([str(folder)], index)
            first_index = time.perf_counter() - started
            write(folder, args.docs, args.added, args.words)
            started = time.perf_counter()
            indexed, stats = scan_indexed([str(folder)], index)
            rescan = time.perf_counter() - started
        started = time.perf_counter()
        plain = scan([str(folder)], params)
        full = time.perf_counter() - started
    same = len(plain.passages) == len(indexed.passages)
    print(f"collection: {args.docs} + {args.added} documents of {args.words} words")
    print(f"first scan --index:     {first_index:8.2f} s")
    print(f"plain scan:             {full:8.2f} s (signs {args.docs + args.added} files)")
    print(f"scan --index (rescan):  {rescan:8.2f} s (signs {len(stats.signed)} files)")
    print(f"rescan / plain scan:    {rescan / full:8.3f}")
    print(f"same passages:          {same} ({len(plain.passages)})")


if __name__ == "__main__":
    main()
