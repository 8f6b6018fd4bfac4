"""PAN character-level text-alignment measures (Potthast et al., COLING 2010).

A *case* ``s`` (planted reuse) and a *detection* ``r`` are both pairs of character spans:
one in the copy (suspicious) document and one in the source document.  Following the
PAN definitions and the reference implementation (``pan09-plagiarism-detection-
performance-measures.py``):

* ``r`` *detects* ``s`` when both concern the same (copy, source) document pair and their
  spans overlap in the copy document **and** in the source document.
* ``s ⊓ r`` is ``s ∩ r`` (characters in both documents) if ``r`` detects ``s``, else empty;
  ``|s|`` counts the characters of ``s`` in both documents.
* recall = mean over cases of ``|⋃_r (s ⊓ r)| / |s|``;
  precision = mean over detections of ``|⋃_s (s ⊓ r)| / |r|`` (a detection that detects no
  case scores 0);
  granularity = mean, over cases detected at least once, of the number of detections that
  detect it (1 if no case is detected);
  plagdet = F1 / log2(1 + granularity) (0 when precision + recall is 0).
* PAN conventions for empty inputs: no cases and no detections gives precision = recall = 1;
  otherwise, no cases or no detections gives precision = recall = 0.

Spans are 0-based, end exclusive and must be non-empty.  Document paths are compared as
given: callers must normalise them (e.g. ``os.path.realpath``) beforehand.  Coverage is
computed by merging intervals, so the cost does not depend on passage lengths.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from dedupe.arrays import covered
from dedupe.evaluation.obfuscate import OBFUSCATIONS
from dedupe.evaluation.synthetic import PlantedCase

__all__ = [
    "Detection",
    "Scores",
    "as_detection",
    "orient_to_cases",
    "score",
    "score_by_obfuscation",
]

Detection = tuple[str, int, int, str, int, int]
"""``(copy_path, copy_start, copy_end, source_path, source_start, source_end)``."""

_Pair = tuple[str, str]


@dataclass(frozen=True)
class Scores:
    """Macro-averaged PAN measures and the number of cases and detections scored."""

    precision: float
    recall: float
    granularity: float
    plagdet: float
    cases: int
    detections: int

    @property
    def f1(self) -> float:
        """Harmonic mean of precision and recall (0 when both are 0)."""
        return _f1(self.precision, self.recall)


def _f1(precision: float, recall: float) -> float:
    """Harmonic mean, 0 when both are 0."""
    total = precision + recall
    return 2 * precision * recall / total if total else 0.0


def as_detection(case: PlantedCase) -> Detection:
    """The case's spans in :data:`Detection` order (copy first)."""
    return (
        case.copy_path,
        case.copy_start,
        case.copy_end,
        case.source_path,
        case.source_start,
        case.source_end,
    )


def _check(span: Detection) -> Detection:
    """Return ``span`` unchanged; raise ``ValueError`` if one of its intervals is empty."""
    _, c0, c1, _, s0, s1 = span
    if not (0 <= c0 < c1 and 0 <= s0 < s1):
        raise ValueError(f"invalid or empty span {span!r}")
    return span


def _pair(span: Detection) -> _Pair:
    return span[0], span[3]


def _detects(a: Detection, b: Detection) -> bool:
    """True if ``a`` and ``b`` overlap in both documents (same pair assumed)."""
    return a[1] < b[2] and b[1] < a[2] and a[4] < b[5] and b[4] < a[5]


def _coverage(target: Detection, others: Sequence[Detection]) -> float:
    """``|⋃ (target ⊓ o)| / |target|`` over the ``others`` that overlap ``target``."""
    hits = [o for o in others if _detects(target, o)]
    copy = covered([(o[1], o[2]) for o in hits], target[1], target[2])
    source = covered([(o[4], o[5]) for o in hits], target[4], target[5])
    return (copy + source) / (target[2] - target[1] + target[5] - target[4])


def _by_pair(spans: Iterable[Detection]) -> dict[_Pair, list[Detection]]:
    """Group spans by their (copy path, source path) pair."""
    index: dict[_Pair, list[Detection]] = defaultdict(list)
    for span in spans:
        index[_pair(span)].append(span)
    return index


def _macro_coverage(targets: Sequence[Detection], others: Sequence[Detection]) -> float:
    """Mean coverage of ``targets`` by ``others`` with PAN's empty-input conventions."""
    if not targets or not others:
        return float(not targets and not others)
    index = _by_pair(others)
    return sum(_coverage(t, index.get(_pair(t), ())) for t in targets) / len(targets)


def _granularity(cases: Sequence[Detection], detections: Sequence[Detection]) -> float:
    """Mean number of detections per detected case; 1 if no case is detected."""
    index = _by_pair(detections)
    counts = [sum(_detects(c, r) for r in index.get(_pair(c), ())) for c in cases]
    detected = [n for n in counts if n]
    return sum(detected) / len(detected) if detected else 1.0


def score(cases: Iterable[PlantedCase], detections: Iterable[Detection]) -> Scores:
    """Compute macro-averaged precision, recall, granularity and plagdet (see module doc).

    ``detections`` must already be oriented like the cases (copy first, source second);
    see :func:`orient_to_cases`.  Raises ``ValueError`` on an empty or negative span.
    """
    truth = [_check(as_detection(c)) for c in cases]
    found = [_check(tuple(d)) for d in detections]
    precision = _macro_coverage(found, truth)
    recall = _macro_coverage(truth, found)
    granularity = _granularity(truth, found)
    plagdet = _f1(precision, recall) / math.log2(1 + granularity)
    return Scores(precision, recall, granularity, plagdet, len(truth), len(found))


def _kind_order(kind: str) -> tuple[int, str]:
    """Sort key: position in :data:`OBFUSCATIONS`, unknown types last by name."""
    return (OBFUSCATIONS.index(kind) if kind in OBFUSCATIONS else len(OBFUSCATIONS), kind)


def score_by_obfuscation(
    cases: Sequence[PlantedCase], detections: Iterable[Detection]
) -> dict[str, Scores]:
    """Score each obfuscation type separately, as PAN does with its per-type sub-corpora.

    The score for type ``t`` uses the cases of type ``t`` and the detections attributed to
    ``t``: a detection is attributed to the types of the cases it detects; one that detects
    no case but lies on the document pair of some cases (a near miss) is attributed to
    those cases' types, and so lowers their precision.  Detections on document pairs that
    hold no case are false positives of the overall :func:`score` only.  Keys are ordered
    as in :data:`OBFUSCATIONS` (unknown types last, alphabetically).
    """
    index: dict[_Pair, list[PlantedCase]] = defaultdict(list)
    for case in cases:
        index[(case.copy_path, case.source_path)].append(case)
    attributed: dict[str, list[Detection]] = defaultdict(list)
    for detection in detections:
        on_pair = index.get(_pair(detection), [])
        hit = {c.obfuscation for c in on_pair if _detects(as_detection(c), detection)}
        for kind in hit or {c.obfuscation for c in on_pair}:
            attributed[kind].append(detection)
    kinds = sorted({c.obfuscation for c in cases}, key=_kind_order)
    return {k: score([c for c in cases if c.obfuscation == k], attributed[k]) for k in kinds}


def orient_to_cases(
    detections: Iterable[Detection], cases: Iterable[PlantedCase]
) -> list[Detection]:
    """Swap copy and source of each detection whose reversed pair, but not its own, holds a case.

    Use it for detectors that do not (or not reliably) tell which side is the source.
    """
    pairs = {(c.copy_path, c.source_path) for c in cases}
    oriented = []
    for d in detections:
        if _pair(d) not in pairs and (d[3], d[0]) in pairs:
            d = (d[3], d[4], d[5], d[0], d[1], d[2])
        oriented.append(d)
    return oriented
