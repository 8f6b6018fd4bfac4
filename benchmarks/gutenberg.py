"""What a scan of the Gutenberg sample finds, against what is known to be in it.

Usage::

    python benchmarks/gutenberg.py [--books DIR] [--report REPORT.json] [--json]
        [-- SCAN_OPTION ...]

Scans ``--books`` (default ``../shared/datasets/gutenberg_dev/books``, read only) with
``python -m dedupe scan --format json`` unless ``--report`` gives the JSON of such a
scan, then checks what the folder's README lists:

1. **Licence.** Every passage lying, on both sides, outside the books' bodies (before
   ``*** START OF`` or after ``*** END OF``: the Project Gutenberg header and licence)
   is marked boilerplate.
2. **Copies.** Files with the same bytes (one file filed under several names) are
   reported as copies: a verbatim passage covering all of each copy's words.
3. **Parts.** Each ``The History of Don Quixote, Volume N, Part K`` has its body covered
   by passages with ``Volume N, Complete`` (share of body characters covered, each part).
4. **Other authors.** Passages that are not boilerplate between books of different
   author folders (but for copies of one file filed under an author and a translator):
   their count, by kind, and the document pairs behind them; apart, those between the
   pairs listed in ``RELATED``, books found by reading to share text (an anthology
   reprinting a story, a novel quoting a play, one publisher's advertisements).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import subprocess
import sys
import tempfile
from collections import Counter, defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
BOOKS = REPO.parent / "shared" / "datasets" / "gutenberg_dev" / "books"
START = re.compile(r"^\*\*\* ?START OF", re.M)
END = re.compile(r"^\*\*\* ?END OF", re.M)
PART = re.compile(r"The History of Don Quixote, Volume (\d), Part \d+\.txt$")


def scan(books: Path, extra: list[str]) -> dict:
    """The JSON report of a scan of ``books``."""
    with tempfile.TemporaryDirectory(prefix="dedupe-gutenberg-") as tmp:
        out = Path(tmp, "report.json")
        command = [sys.executable, "-m", "dedupe", "scan", str(books), "--format", "json"]
        subprocess.run([*command, "-o", str(out), *extra], check=True, cwd=REPO)
        return json.loads(out.read_text(encoding="utf-8"))


def bodies(report: dict) -> dict[str, tuple[int, int]]:
    """Each document's body as a character span (the whole text without markers)."""
    found = {}
    for doc in report["documents"]:
        text = _text(doc["path"])
        start, end = START.search(text), END.search(text)
        begin = text.index("\n", start.end()) + 1 if start else 0
        found[doc["path"]] = (begin, end.start() if end else len(text))
    return found


def _text(path: str) -> str:
    data = Path(REPO, path).read_bytes()  # a relative path is relative to the repository
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", "replace")


def outside(side: dict, body: tuple[int, int]) -> bool:
    return side["end_char"] <= body[0] or side["start_char"] >= body[1]


def licence(report: dict, body: dict) -> dict:
    passages = [
        p
        for p in report["passages"]
        if outside(p["source"], body[p["source"]["path"]])
        and outside(p["copy"], body[p["copy"]["path"]])
    ]
    unmarked = [p for p in passages if not p.get("boilerplate")]
    return {"licence passages": len(passages), "not marked boilerplate": len(unmarked)}


def digests(report: dict) -> dict[str, str]:
    """Each document's SHA-256, by path (equal digests: the same file)."""
    return {
        doc["path"]: hashlib.sha256(Path(REPO, doc["path"]).read_bytes()).hexdigest()
        for doc in report["documents"]
    }


def copies(report: dict, digest: dict[str, str]) -> dict:
    by_digest = defaultdict(list)
    for doc in report["documents"]:
        by_digest[digest[doc["path"]]].append(doc)
    groups = [docs for docs in by_digest.values() if len(docs) > 1]
    words = {doc["path"]: doc["words"] for doc in report["documents"]}
    whole = {
        frozenset((p["source"]["path"], p["copy"]["path"]))
        for p in report["passages"]
        if p["kind"] == "verbatim" and p["words"] == words[p["copy"]["path"]]
    }
    missing = [
        (a["path"], b["path"])
        for docs in groups
        for a in docs[:1]
        for b in docs[1:]
        if frozenset((a["path"], b["path"])) not in whole
    ]
    files = sum(len(g) - 1 for g in groups)
    return {"groups of identical files": len(groups), "copies": files, "not reported": missing}


def parts(report: dict, body: dict) -> dict:
    complete = {
        m.group(1): doc["path"]
        for doc in report["documents"]
        if (m := re.search(r"The History of Don Quixote, Volume (\d), Complete\.txt$", doc["path"]))
        and "Cervantes" in doc["path"]
    }
    covered: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for p in report["passages"]:
        for mine, other in (("source", "copy"), ("copy", "source")):
            match = PART.search(p[mine]["path"])
            if match and p[other]["path"] == complete.get(match.group(1)):
                covered[p[mine]["path"]].append((p[mine]["start_char"], p[mine]["end_char"]))
    shares = {}
    for doc in report["documents"]:
        if PART.search(doc["path"]) and "Cervantes" in doc["path"]:
            start, end = body[doc["path"]]
            marks = bytearray(end - start)
            for a, b in covered[doc["path"]]:
                lo, hi = max(a, start) - start, min(b, end) - start
                if hi > lo:
                    marks[lo:hi] = b"\1" * (hi - lo)
            shares[Path(doc["path"]).name] = sum(marks) / max(1, len(marks))
    values = sorted(shares.values())
    return {
        "parts": len(values),
        "lowest share of body covered": round(values[0], 3) if values else None,
        "median share": round(values[len(values) // 2], 3) if values else None,
        "parts below 0.9": [k for k, v in sorted(shares.items()) if v < 0.9],
    }


RELATED = {
    frozenset(pair): why
    for *pair, why in [
        ("Twain, Mark/The Great English Short-Story Writers, Volume 1.txt",
         "Dickens, Charles/Charles Dickens' Children Stories.txt",
         "both tell Dickens's The Boots at the Holly-Tree Inn, in his words"),
        ("Collins, Wilkie/A House to Let.txt",
         "Dickens, Charles/Scenes and Characters from the Works of Charles Dickens Being Eight "
         "Hundred and Sixty-six Pictures Printed from the Original Wood Blocks.txt",
         "A House to Let is by Dickens, Collins and others; the picture book quotes it"),
        ("Scott, Walter/The Betrothed.txt",
         "Shakespeare, William/King Henry IV, the First Part.txt", "Scott quotes Henry IV"),
        ("Scott, Walter/The Betrothed.txt",
         "Shakespeare, William/The First Part of King Henry the Fourth.txt",
         "Scott quotes Henry IV"),
        ("Irving, Washington/The Sketch-Book of Geoffrey Crayon.txt",
         "Shakespeare, William/The Tragicall Historie of Hamlet, Prince of Denmarke The First.txt",
         "Irving quotes Hamlet"),
        ("Milton, John/Milton's Comus.txt",
         "Irving, Washington/The Sketch-Book of Geoffrey Crayon.txt",
         "both quote Hamlet, 'Some say that ever 'gainst that season comes'"),
        ("Scott, Walter/Waverley; Or, 'Tis Sixty Years Since.txt",
         "Lang, Andrew/Pickle the Spy; Or, the Incognito of Prince Charles.txt",
         "Lang quotes Waverley's song"),
        ("Scott, Walter/Waverley; Or, 'Tis Sixty Years Since.txt",
         "Irving, Washington/The Sketch-Book of Geoffrey Crayon.txt",
         "both quote Henry IV, Part 2 (Shallow)"),
        ("Stevenson, Robert Louis/The Works of Robert Louis Stevenson - Swanston Edition, "
         "Vol. 23.txt",
         "Irving, Washington/The Sketch-Book of Geoffrey Crayon.txt",
         "both quote As You Like It, 'Under the greenwood tree'"),
        ("Hapgood, Isabel Florence/What to Do? Thoughts Evoked by the Census of Moscow.txt",
         "Nietzsche, Friedrich Wilhelm/The Twilight of the Idols; or, How to Philosophize with "
         "the Hammer. The Antichrist Complete Works, Volume Sixteen.txt",
         "both quote Matthew 6:33"),
        ("Townsend, F. H. (Frederick Henry)/Jane Eyre: An Autobiography.txt",
         "Nietzsche, Friedrich Wilhelm/The Twilight of the Idols; or, How to Philosophize with "
         "the Hammer. The Antichrist Complete Works, Volume Sixteen.txt",
         "both quote Matthew 16:24"),
        ("Dickens, Charles/Bleak House.txt", "Scott, Walter/The Betrothed.txt",
         "both use the proverb of fire and water, good servants but bad masters"),
        ("Alger, Horatio, Jr./Charlie Codman's Cruise: A Story for Boys.txt",
         "Cervantes Saavedra, Miguel de/Don Quixote of the Mancha, Retold by Judge Parry.txt",
         "one transcriber's notes"),
        ("Franklin, Benjamin/The Complete Works in Philosophy, Politics and Morals of the late "
         "Dr. Benjamin Franklin, Vol. 2 [of 3].txt",
         "Cervantes Saavedra, Miguel de/Numantia.txt", "one transcriber's notes"),
        ("Swift, Jonathan/The Prose Works of Jonathan Swift, D.D. - Volume 07 Historical and "
         "Political Tracts-Irish.txt",
         "Cervantes Saavedra, Miguel de/Numantia.txt", "one printer's imprint (Chiswick Press)"),
        ("Stevenson, Robert Louis/Records of a Family of Engineers.txt",
         "Wilde, Oscar/The Duchess of Padua.txt", "one printer's imprint (T. and A. Constable)"),
        ("Wrenn, Charles L. (Charles Lewis)/The Ocean Wireless Boys on the Atlantic.txt",
         "Alger, Horatio, Jr./In Search of Treasure.txt", "one publisher's advertisements"),
    ]
}  # fmt: skip
"""Pairs of books by different authors found, by reading the passages between them, to
share text: ``author folder/file name`` pairs, with what they share."""


def other_authors(report: dict, digest: dict[str, str]) -> dict:
    def author(path: str) -> str:
        return Path(path).parent.name

    def name(path: str) -> str:
        return f"{author(path)}/{Path(path).name}"

    found = [
        p
        for p in report["passages"]
        if not p.get("boilerplate")
        and author(p["source"]["path"]) != author(p["copy"]["path"])
        and digest[p["source"]["path"]] != digest[p["copy"]["path"]]
    ]
    related = Counter()
    unrelated = []
    for p in found:
        pair = (name(p["source"]["path"]), name(p["copy"]["path"]))
        if why := RELATED.get(frozenset(pair)):
            related[why] += 1
        else:
            unrelated.append(pair)
    kinds = Counter(
        p["kind"]
        for p in found
        if not RELATED.get(frozenset((name(p["source"]["path"]), name(p["copy"]["path"]))))
    )
    return {
        "passages": len(found),
        "between related books": sum(related.values()),
        "shared text of related books": [f"{n} x {why}" for why, n in related.most_common()],
        "between unrelated books": len(unrelated),
        "by kind (unrelated)": dict(kinds),
        "document pairs (unrelated)": [
            f"{n} x {a} -> {b}" for (a, b), n in Counter(unrelated).most_common()
        ],
    }


def report_of_arguments(description: str) -> tuple[argparse.Namespace, dict]:
    """The command line's options (``--books``, ``--report``, ``--json``; what follows
    ``--`` goes to the scan) and the report they name: the one given, or a new scan."""
    argv = sys.argv[1:]
    cut = argv.index("--") if "--" in argv else len(argv)
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--books", type=Path, default=BOOKS)
    parser.add_argument("--report", type=Path, help="the JSON report of a scan already run")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv[:cut])
    if args.report:
        return args, json.loads(args.report.read_text(encoding="utf-8"))
    return args, scan(args.books, argv[cut + 1 :])


def main() -> None:
    args, report = report_of_arguments(__doc__.splitlines()[0])
    body, digest = bodies(report), digests(report)
    results = {
        "1 licence": licence(report, body),
        "2 copies": copies(report, digest),
        "3 parts": parts(report, body),
        "4 other authors": other_authors(report, digest),
    }
    if args.json:
        print(json.dumps(results, indent=1))
        return
    for name, figures in results.items():
        print(name)
        for key, value in figures.items():
            if isinstance(value, list):
                print(f"  {key}: {len(value)}")
                for item in value:
                    print(f"    {item}")
            else:
                print(f"  {key}: {value}")


if __name__ == "__main__":
    main()
