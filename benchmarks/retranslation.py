"""How much of each re-translated book a scan of the Gutenberg sample finds, and in order.

Usage::

    python benchmarks/retranslation.py [--books DIR] [--report REPORT.json] [--json]
        [-- SCAN_OPTION ...]

Scans ``--books`` (default ``../shared/datasets/gutenberg_dev/books``, read only) as
``gutenberg.py`` does, unless ``--report`` gives the JSON of such a scan. For every pair
of English translations of one novel listed in the folder's README, prints:

- **coverage**: the share of each book's body (between the ``*** START OF`` and
  ``*** END OF`` markers) covered by passages with its partner, first the smaller book;
- **order**: the Spearman correlation of the passages' positions in the two books (1.0:
  the passages run in the same order in both);
- the passages behind them, by kind.

Then the count of passages that are not boilerplate between books of different authors
(``gutenberg.py``'s fourth check), which filling between anchors must not raise.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from gutenberg import bodies, digests, other_authors, report_of_arguments
from scipy.stats import spearmanr

VERNE = "Verne, Jules"
AROUND = "Around the World in Eighty Days"
CASTAWAYS = "In Search of the Castaways"
CHANCELLOR = "The Survivors of the Chancellor"
EARTH = "From the Earth to the Moon; and, Round the Moon.txt"
PAIRS = [
    ("Round the World in Eighty Days.txt", f"{AROUND}.txt"),
    ("Round the World in Eighty Days.txt", f"{AROUND}. Junior Deluxe Edition.txt"),
    ("Dick Sands, the Boy Captain.txt", "Dick Sand: A Captain at Fifteen.txt"),
    (
        f"{CASTAWAYS}A Romantic Narrative of the Loss of Captain Grant of the Brig Britannia "
        "and of the Adventures of His Children and Friends in His Discovery and Rescue.txt",
        f"{CASTAWAYS}; Or, The Children of Captain Grant.txt",
    ),
    (f"{CHANCELLOR}.txt", f"{CHANCELLOR}: Diary of J.R. Kazallon, Passenger.txt"),
    (EARTH, "The Moon-Voyage.txt"),
    (EARTH, "All Around the Moon.txt"),
    ("The Moon-Voyage.txt", "All Around the Moon.txt"),
]
"""The re-translation pairs of the README, each book a file of the Verne folder."""


def _covered(spans: list[tuple[int, int]], body: tuple[int, int]) -> float:
    """Share of the ``body`` characters inside the union of ``spans``."""
    start, end = body
    marks = bytearray(end - start)
    for a, b in spans:
        low, high = max(a, start) - start, min(b, end) - start
        if high > low:
            marks[low:high] = b"\1" * (high - low)
    return sum(marks) / max(1, len(marks))


def pair_figures(report: dict, body: dict, first: str, second: str) -> dict:
    """Coverage of both books (smaller body first), order and passage kinds of one pair."""
    paths = {Path(d["path"]).name: d["path"] for d in report["documents"] if VERNE in d["path"]}
    a, b = paths[first], paths[second]
    if body[a][1] - body[a][0] > body[b][1] - body[b][0]:
        a, b = b, a
    between = [
        (p["source"], p["copy"]) if p["source"]["path"] == a else (p["copy"], p["source"])
        for p in report["passages"]
        if {p["source"]["path"], p["copy"]["path"]} == {a, b}
    ]
    kinds = Counter(
        p["kind"] for p in report["passages"] if {p["source"]["path"], p["copy"]["path"]} == {a, b}
    )
    inside = [(x, y) for x, y in between if _in_body(x, body[a]) and _in_body(y, body[b])]
    order = (
        spearmanr([x["start_char"] for x, _ in inside], [y["start_char"] for _, y in inside])[0]
        if len(inside) > 2
        else float("nan")
    )
    spans_a = [(x["start_char"], x["end_char"]) for x, _ in between]
    spans_b = [(y["start_char"], y["end_char"]) for _, y in between]
    return {
        "smaller": Path(a).name,
        "larger": Path(b).name,
        "coverage smaller": round(_covered(spans_a, body[a]), 3),
        "coverage larger": round(_covered(spans_b, body[b]), 3),
        "order": round(float(order), 3),
        "passages": dict(kinds),
    }


def _in_body(side: dict, body: tuple[int, int]) -> bool:
    return side["end_char"] > body[0] and side["start_char"] < body[1]


def main() -> None:
    args, report = report_of_arguments(__doc__.splitlines()[0])
    body = bodies(report)
    results = {
        "pairs": [pair_figures(report, body, first, second) for first, second in PAIRS],
        "other authors": {
            key: figure
            for key, figure in other_authors(report, digests(report)).items()
            if not isinstance(figure, list | dict)
        },
    }
    if args.json:
        print(json.dumps(results, indent=1))
        return
    for figures in results["pairs"]:
        print(f"{figures['smaller']}  ~  {figures['larger']}")
        print(
            f"  coverage {figures['coverage smaller']} / {figures['coverage larger']}, "
            f"order {figures['order']}, passages {figures['passages']}"
        )
    others = results["other authors"]
    print(
        f"non-boilerplate passages between books of other authors: {others['passages']}, "
        f"{others['between related books']} of them between books found to share text "
        f"(gutenberg.RELATED), {others['between unrelated books']} between unrelated books"
    )


if __name__ == "__main__":
    main()
