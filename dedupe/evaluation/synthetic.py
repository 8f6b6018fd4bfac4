"""Seeded synthetic corpora with planted text reuse at known character offsets.

The text is prose-like but meaningless: sentences of 8-30 words drawn from a Zipfian
vocabulary that mixes about 90 real English function words with 5,000 deterministic
pseudo-words ("content words").  Sentences start with a capital letter and end with a
full stop; about a third carry one comma.  Paragraphs hold 2-8 sentences (the last one of
a document may hold fewer), are written on one line each and are separated by a blank line.
Every file ends with a single newline.

:func:`generate_corpus` takes passages (runs of whole sentences) out of *source*
documents, obfuscates them and inserts them into different *suspicious* documents at a
sentence or paragraph boundary, then records the character offsets of both ends in
``truth.json``.  Everything is a pure function of ``seed``: no global random state is used.
"""

from __future__ import annotations

import json
import random
from dataclasses import asdict, dataclass
from itertools import pairwise
from pathlib import Path

import numpy as np

from .language import paragraphs
from .obfuscate import OBFUSCATIONS, obfuscate

__all__ = ["PlantedCase", "generate_corpus", "load_truth"]

SOURCE_SHARE = 0.4
SUSPICIOUS_SHARE = 0.4
PASSAGE_ATTEMPTS = 200


@dataclass(frozen=True)
class PlantedCase:
    """One planted reuse case.

    Offsets are 0-based, end-exclusive indices into the decoded text of the final files.
    ``source_*`` locates the original passage, ``copy_*`` its obfuscated copy.
    """

    obfuscation: str
    source_path: str
    source_start: int
    source_end: int
    copy_path: str
    copy_start: int
    copy_end: int


# --------------------------------------------------------------------------- text


# ------------------------------------------------------------------ obfuscations


# ------------------------------------------------------------------------ corpus


@dataclass
class _Segment:
    """A sentence (or an inserted passage) of a document under construction."""

    text: str
    case: int | None = None


_Document = list[list[_Segment]]


def _render(doc: _Document) -> tuple[str, dict[int, tuple[int, int]]]:
    """Return the document's text and the character span of each case tagged in it."""
    parts: list[str] = []
    spans: dict[int, tuple[int, int]] = {}
    pos = 0
    for p, paragraph in enumerate(doc):
        for s, segment in enumerate(paragraph):
            sep = ("\n\n" if p else "") if s == 0 else " "
            parts.append(sep)
            pos += len(sep)
            if segment.case is not None:
                start = spans.get(segment.case, (pos, pos))[0]
                spans[segment.case] = (start, pos + len(segment.text))
            parts.append(segment.text)
            pos += len(segment.text)
    parts.append("\n")
    return "".join(parts), spans


def _take_passage(
    rng: random.Random, doc: _Document, case: int, passage_words: tuple[int, int]
) -> tuple[list[str], list[str]] | None:
    """Tag a free run of whole sentences of ``passage_words`` words in ``doc`` with ``case``.

    Returns ``(sentences, separators)`` (``len(separators) == len(sentences) - 1``; a
    separator is ``" "`` inside a paragraph and ``"\\n\\n"`` across), or ``None`` if no
    free run of a suitable length was found.
    """
    flat = [(p, seg) for p, paragraph in enumerate(doc) for seg in paragraph]
    lo, hi = passage_words
    target = rng.randint(lo, hi)
    for _ in range(PASSAGE_ATTEMPTS):
        i = rng.randrange(len(flat))
        run, words = [], 0
        for p, seg in flat[i:]:
            n = len(seg.text.split())
            if seg.case is not None or words + n > target:
                break
            run.append((p, seg))
            words += n
        if words >= lo:
            for _, seg in run:
                seg.case = case
            seps = [" " if a[0] == b[0] else "\n\n" for a, b in pairwise(run)]
            return [seg.text for _, seg in run], seps
    return None


def _insert(rng: random.Random, doc: _Document, segment: _Segment) -> None:
    """Insert ``segment`` as a new paragraph or between two sentences of a paragraph."""
    if rng.random() < 0.5:
        doc.insert(rng.randint(0, len(doc)), [segment])
    else:
        paragraph = rng.choice(doc)
        paragraph.insert(rng.randint(0, len(paragraph)), segment)


def _interleave(sentences: list[str], separators: list[str]) -> str:
    """Join sentences with the given separators (one fewer than sentences)."""
    return "".join(s + sep for s, sep in zip(sentences, separators + [""], strict=True))


def _roles(rng: random.Random, n_docs: int) -> tuple[list[int], list[int]]:
    """Split document indices into disjoint source and suspicious sets; the rest stay clean."""
    order = list(range(n_docs))
    rng.shuffle(order)
    n_src = max(1, round(n_docs * SOURCE_SHARE))
    n_susp = max(1, round(n_docs * SUSPICIOUS_SHARE))
    return sorted(order[:n_src]), sorted(order[n_src : n_src + n_susp])


def _plant(
    rng: random.Random,
    docs: list[_Document],
    kinds: list[str],
    passage_words: tuple[int, int],
) -> list[tuple[int, int]]:
    """Plant one case per entry of ``kinds``; return the ``(source, copy)`` doc index pairs.

    Case ``i`` tags its source sentences and its inserted segment with ``i``.  A suspicious
    document receives at most one passage per source document.
    """
    sources, suspects = _roles(rng, len(docs))
    pairs: list[tuple[int, int]] = []
    for case, kind in enumerate(kinds):
        src, taken = _source_passage(rng, docs, sources, case, passage_words)
        used = set(pairs)
        targets = [d for d in suspects if (src, d) not in used]
        if not targets:
            raise ValueError("too few documents for the requested number of cases")
        copy = rng.choice(targets)
        text = _interleave(obfuscate(kind, taken[0], rng), taken[1])
        _insert(rng, docs[copy], _Segment(text, case))
        pairs.append((src, copy))
    return pairs


def _source_passage(
    rng: random.Random,
    docs: list[_Document],
    sources: list[int],
    case: int,
    passage_words: tuple[int, int],
) -> tuple[int, tuple[list[str], list[str]]]:
    """Take a passage for ``case`` from a randomly chosen source document that has room."""
    for src in rng.sample(sources, len(sources)):
        taken = _take_passage(rng, docs[src], case, passage_words)
        if taken is not None:
            return src, taken
    raise ValueError("source documents have no room for another passage")


def generate_corpus(
    out_dir: str | Path,
    *,
    seed: int,
    n_docs: int,
    cases_per_obfuscation: int,
    obfuscations: tuple[str, ...] = OBFUSCATIONS,
    doc_words: tuple[int, int] = (400, 1500),
    passage_words: tuple[int, int] = (40, 300),
) -> list[PlantedCase]:
    """Write ``doc_0000.txt`` ... and ``truth.json`` into ``out_dir``; return the cases.

    40% of the documents are *sources* (never modified except that passages are read from
    them), 40% are *suspicious* (receive 0 or more obfuscated passages, at most one per
    source document) and the rest are clean.  Each case copies a run of whole sentences of
    ``passage_words`` words (inclusive range) from a source document into a suspicious one;
    source passages never overlap each other.  Document lengths are drawn uniformly from
    ``doc_words`` before planting.  Files are UTF-8 with ``"\\n"`` line ends; offsets in the
    returned cases (and in ``truth.json``, whose paths are relative to ``out_dir``) index the
    decoded text of the written files.  The output is a pure function of the arguments.

    Raises ``ValueError`` for fewer than 2 documents, an unknown obfuscation, or when the
    documents cannot host the requested cases.
    """
    if n_docs < 2:
        raise ValueError("need at least two documents")
    unknown = set(obfuscations) - set(OBFUSCATIONS)
    if unknown:
        raise ValueError(f"unknown obfuscations {sorted(unknown)}; expected {OBFUSCATIONS}")
    nprng, rng = np.random.default_rng(seed), random.Random(seed)
    lo, hi = doc_words
    docs = [
        [[_Segment(s) for s in p] for p in paragraphs(nprng, int(nprng.integers(lo, hi + 1)))]
        for _ in range(n_docs)
    ]
    kinds = [kind for kind in obfuscations for _ in range(cases_per_obfuscation)]
    rng.shuffle(kinds)
    pairs = _plant(rng, docs, kinds, passage_words)
    rendered = [_render(doc) for doc in docs]
    names = _write_documents(Path(out_dir), [text for text, _ in rendered])
    spans = [doc_spans for _, doc_spans in rendered]
    cases = [
        PlantedCase(kind, names[src], *spans[src][i], names[copy], *spans[copy][i])
        for i, (kind, (src, copy)) in enumerate(zip(kinds, pairs, strict=True))
    ]
    _write_truth(Path(out_dir), seed, n_docs, cases)
    return cases


def _write_documents(out_dir: Path, texts: list[str]) -> list[str]:
    """Write each text as UTF-8 ``doc_NNNN.txt``; return the paths as ``str(out_dir / name)``."""
    out_dir.mkdir(parents=True, exist_ok=True)
    width = max(4, len(str(len(texts) - 1)))
    paths = []
    for i, text in enumerate(texts):
        path = out_dir / f"doc_{i:0{width}d}.txt"
        with open(path, "w", encoding="utf-8", newline="") as f:
            f.write(text)
        paths.append(str(path))
    return paths


def _write_truth(out_dir: Path, seed: int, n_docs: int, cases: list[PlantedCase]) -> None:
    """Write ``truth.json`` with document paths relative to ``out_dir``."""
    records = []
    for case in cases:
        record = asdict(case)
        record["source_path"] = Path(case.source_path).name
        record["copy_path"] = Path(case.copy_path).name
        records.append(record)
    payload = {"seed": seed, "n_docs": n_docs, "cases": records}
    (out_dir / "truth.json").write_text(json.dumps(payload, indent=1) + "\n", encoding="utf-8")


def load_truth(path: str | Path) -> list[PlantedCase]:
    """Read a ``truth.json`` written by :func:`generate_corpus`.

    Document paths are resolved against the directory holding ``truth.json`` (as
    ``str(Path(path).parent / name)``), so ``load_truth(d / "truth.json")`` equals the list
    ``generate_corpus(d, ...)`` returned.
    """
    path = Path(path)
    records = json.loads(path.read_text(encoding="utf-8"))["cases"]
    return [
        PlantedCase(
            **{
                **r,
                "source_path": str(path.parent / r["source_path"]),
                "copy_path": str(path.parent / r["copy_path"]),
            }
        )
        for r in records
    ]
