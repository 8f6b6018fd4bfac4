"""Whole-document duplicates: exact copies, near copies and excerpts, grouped around the
copy to keep.

Documents can come from anywhere: ``duplicates`` reads files and folders, while
``find_duplicates`` takes ``Document`` objects and ``group_fingerprints`` takes
``Fingerprint`` objects (path, digest, mtime, word count and word n-gram set), which is
all the grouping needs, so a persistent index can supply them without the text.

How a pair of documents is judged
---------------------------------

* **exact**: the same content digest (xxh3-128 of the file bytes).
* **near**: the Jaccard similarity of the two documents' word n-gram sets (after
  normalisation, see ``dedupe.text.normalise``) is at least ``threshold``.
* **contained**: otherwise, the share of the smaller document's n-grams found in the
  larger one (its containment) is at least ``threshold``: the smaller is an excerpt or
  a subset of the larger.

Both figures are exact (``dedupe.match.verify.overlap``), computed on candidate pairs only.

Candidates, and why LSH Ensemble
--------------------------------

A plain ``MinHashLSH`` finds pairs of high *Jaccard* similarity. An excerpt of a third of
a document has a Jaccard similarity of about 0.33 with it, and a tenth-of-a-document
excerpt about 0.1, although its containment is 1.0: no Jaccard threshold finds every
excerpt without also returning a flood of unrelated pairs. datasketch's
``MinHashLSHEnsemble`` answers containment queries directly: it partitions the indexed
sets by size and, per partition, tunes the LSH bands to the Jaccard value that the
containment threshold implies for that size ratio. Querying it with every document finds
the larger documents that contain it; since Jaccard never exceeds the containment of the
smaller set, the same queries also find the near pairs. The ensemble is tuned for
recall (false negatives weigh 0.9, false positives 0.1: with datasketch's even weights
it missed a tenth of the small excerpts at threshold 0.8, in our tests), since a false
candidate only costs one exact verification. The Jaccard ``MinHashLSH`` of
``dedupe.match.candidates.candidate_pairs`` is run as well and its pairs are added: it is cheap
and catches near pairs that the ensemble's coarser size partitions might miss. Both look
``candidate_margin`` below the threshold, so that pairs whose MinHash estimate falls just
short are still verified; exact verification then removes every false candidate.

(A plain ``MinHashLSH`` at a low Jaccard threshold was the alternative; it cannot be
low enough for short excerpts of long documents, and as low as it would need to be it
makes nearly every pair of documents in one language a candidate.)

Grouping without chains
-----------------------

Groups are built around representatives, never by transitive closure: if A ~ B and
B ~ C but A and C are unrelated, A and C are not put in one group because of B.
Documents are taken in keep-policy order; each one not yet in a group becomes a
representative and collects the ungrouped documents directly similar to *it* (exact,
near or contained in it), not to its members. A document that is only an excerpt of an
ungrouped larger document (contained in it, not near it) waits until that document is
grouped: keeping an excerpt and quarantining the full text would take text out of the
collection, so an excerpt never represents the document it was taken from, whatever the
policy. Documents similar to nothing are not reported.

Keep policies (ties broken by path, so the result is deterministic):

* ``oldest``: smallest modification time; ``newest``: largest;
* ``longest``: most words (default: it never prefers a shortened version);
* ``path``: lexicographically first path.
"""

from __future__ import annotations

import heapq
import math
import os
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from ..errors import DedupeError, InvalidParameter
from ..match.candidates import candidate_pairs
from ..match.verify import overlap
from ..read.files import Document, Skipped
from ..read.formats import read_paths
from ..text.normalise import tokenise
from ..text.shingle import ngram_hashes, shingle_set, word_hashes
from ..text.sign import band_keys, lsh_bands, signatures

Log = Callable[[str], None]

KEEP_POLICIES = ("oldest", "newest", "longest", "path")
RELATIONS = ("exact", "near", "contained")

SIZE_STEP = 1.05


@dataclass(frozen=True)
class DuplicateParameters:
    """Everything that decides what ``duplicates`` reports. Echoed in every report."""

    threshold: float = 0.8
    keep: str = "longest"
    num_perm: int = 128
    shingle_size: int = 3
    candidate_margin: float = 0.1
    ensemble_partitions: int = 16
    ensemble_recall_weight: float = 0.9

    @property
    def lsh_threshold(self) -> float:
        """The threshold the LSH indexes are tuned to: a margin below ``threshold``."""
        return max(0.05, self.threshold - self.candidate_margin)

    def __post_init__(self) -> None:
        """Refuse, with ``InvalidParameter``, values the grouping cannot work with."""
        if not 0.0 < self.threshold <= 1.0:
            raise InvalidParameter("threshold", f"must be in (0, 1], got {self.threshold}")
        if self.keep not in KEEP_POLICIES:
            raise InvalidParameter(
                "keep", f"must be one of {', '.join(KEEP_POLICIES)}, got {self.keep!r}"
            )
        if self.num_perm < 16:
            raise InvalidParameter("num_perm", f"must be at least 16, got {self.num_perm}")
        if self.shingle_size < 1:
            raise InvalidParameter("shingle_size", f"must be at least 1, got {self.shingle_size}")
        if not 0.0 <= self.candidate_margin < 1.0:
            raise InvalidParameter(
                "candidate_margin", f"must be in [0, 1), got {self.candidate_margin}"
            )
        if self.ensemble_partitions < 1:
            raise InvalidParameter("ensemble_partitions", "must be at least 1")
        if not 0.0 <= self.ensemble_recall_weight <= 1.0:
            raise InvalidParameter("ensemble_recall_weight", "must be in [0, 1]")


@dataclass(frozen=True, eq=False)
class Fingerprint:
    """What grouping needs of a document: identity, policy keys and its n-gram set.

    ``shingles`` holds the sorted unique 32-bit hashes of the document's word n-grams
    (empty when it has fewer words than the shingle size: such a document can only be
    an exact copy).
    """

    path: str
    digest: str
    mtime: float
    size: int
    words: int
    shingles: np.ndarray


def fingerprint(doc: Document, shingle_size: int = 3) -> Fingerprint:
    """The ``Fingerprint`` of a decoded document."""
    tokens = tokenise(doc.text)
    ngrams = ngram_hashes(word_hashes(tokens.words), shingle_size)
    shingles = shingle_set(ngrams, 0, len(tokens), shingle_size)
    return Fingerprint(doc.path, doc.digest, doc.mtime, doc.size, len(tokens), shingles)


@dataclass(frozen=True)
class Kept:
    """A group's representative: the copy the keep policy keeps."""

    path: str
    words: int
    mtime: float
    digest: str


@dataclass(frozen=True)
class Member:
    """A document of a group other than its representative, and how it relates to it.

    ``relation`` is ``exact`` (same bytes), ``near`` (Jaccard >= threshold) or
    ``contained`` (at least ``threshold`` of the member's n-grams are in the
    representative). ``jaccard`` and ``containment`` (of the smaller n-gram set in the
    larger) are exact values with respect to the representative.
    """

    path: str
    relation: str
    jaccard: float
    containment: float
    words: int
    mtime: float
    digest: str


@dataclass(frozen=True)
class DuplicateGroup:
    """A representative and the documents directly similar to it. Groups are numbered
    from 1 in representative path order."""

    group: int
    representative: Kept
    members: list[Member]


@dataclass
class DuplicatesResult:
    """What ``duplicates`` found: the groups, how many documents were compared, and
    the files that were skipped."""

    parameters: DuplicateParameters
    groups: list[DuplicateGroup]
    documents: int
    skipped: list[Skipped] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    linked: list[str] = field(default_factory=list)
    """The real paths that the skipped symbolic links point at: never to be moved."""


# --------------------------------------------------------------------------- similarity


def size_class(size: int, step: float = SIZE_STEP) -> int:
    """``size`` rounded up to the next power of ``step``.

    ``MinHashLSHEnsemble`` chooses its size partitions by a dynamic programme that is
    quadratic in the number of *distinct* set sizes (20 s for 3,000 documents); indexing
    size classes instead bounds that number (about 330 classes up to ten million
    shingles). Rounding up is the safe direction: the ensemble then assumes indexed
    sets slightly larger than they are, which lowers the Jaccard value it looks for.
    """
    return math.ceil(step ** math.ceil(math.log(size) / math.log(step) - 1e-9))


def candidate_content_pairs(sets: list[np.ndarray], params: DuplicateParameters) -> set:
    """Pairs ``(i, j)``, ``i < j``, of indices into ``sets`` that may be near or
    contained: LSH Ensemble containment queries plus Jaccard LSH (see module docstring).
    Empty sets are left out.
    """
    kept = [k for k, s in enumerate(sets) if len(s)]
    if len(kept) < 2:
        return set()
    sigs = signatures([sets[k] for k in kept], params.num_perm)
    threshold = params.lsh_threshold
    bands, rows = lsh_bands(threshold, params.num_perm)
    keys = band_keys(np.stack([sig.hashvalues for sig in sigs]), bands, rows)
    pairs = {(kept[i], kept[j]) for i, j in candidate_pairs(keys, np.arange(len(kept))).tolist()}
    recall = params.ensemble_recall_weight
    from datasketch import MinHashLSHEnsemble  # imports scipy: only where used

    ensemble = MinHashLSHEnsemble(
        threshold=threshold,
        num_perm=params.num_perm,
        num_part=params.ensemble_partitions,
        weights=(round(1.0 - recall, 6), recall),
    )
    sizes = [len(sets[k]) for k in kept]
    ensemble.index([(i, sig, size_class(sizes[i])) for i, sig in enumerate(sigs)])
    for i, sig in enumerate(sigs):
        for j in ensemble.query(sig, sizes[i]):
            if j != i:
                a, b = kept[i], kept[j]
                pairs.add((min(a, b), max(a, b)))
    return pairs


def similar_contents(
    sets: list[np.ndarray], params: DuplicateParameters, log: Log = lambda _: None
) -> dict[tuple[int, int], tuple[float, float]]:
    """Exact ``(jaccard, containment)`` of every pair ``(i, j)``, ``i < j``, of ``sets``
    that is near (Jaccard >= threshold) or contained (containment >= threshold)."""
    candidates = candidate_content_pairs(sets, params)
    similar = {}
    for a, b in sorted(candidates):
        jaccard, containment = overlap(sets[a], sets[b])
        if max(jaccard, containment) >= params.threshold:
            similar[(a, b)] = (jaccard, containment)
    log(f"duplicates: {len(candidates)} candidate pairs, {len(similar)} verified")
    return similar


# ------------------------------------------------------------------------------ grouping


def policy_key(fp: Fingerprint, keep: str) -> tuple:
    """Sort key of ``fp`` under keep policy ``keep``: the first sorts first."""
    if keep == "oldest":
        return (fp.mtime, fp.path)
    if keep == "newest":
        return (-fp.mtime, fp.path)
    if keep == "longest":
        return (-fp.words, fp.path)
    if keep == "path":
        return (fp.path,)
    raise InvalidParameter("keep", f"must be one of {', '.join(KEEP_POLICIES)}, got {keep!r}")


_RANK = {relation: k for k, relation in enumerate(RELATIONS)}


def group_fingerprints(
    fingerprints: list[Fingerprint], params: DuplicateParameters, log: Log = lambda _: None
) -> list[DuplicateGroup]:
    """Duplicate groups of ``fingerprints`` (one per document; paths must differ).

    See the module docstring for the relations, the candidate search and the grouping.
    """
    if len({fp.path for fp in fingerprints}) != len(fingerprints):
        raise DedupeError("the same path was given twice")
    # One content per distinct digest: similarity is a property of the content.
    content_of: dict[str, int] = {}
    contents: list[Fingerprint] = []
    for fp in sorted(fingerprints, key=lambda f: f.path):
        if fp.digest not in content_of:
            content_of[fp.digest] = len(contents)
            contents.append(fp)
    sets = [c.shingles for c in contents]
    log(f"duplicates: {len(fingerprints)} documents, {len(contents)} distinct contents")
    similar = similar_contents(sets, params, log)

    neighbours: dict[int, dict[int, tuple[float, float]]] = defaultdict(dict)
    # contains[c]: contents that are excerpts of c (contained, not near, and smaller).
    contains: dict[int, list[int]] = defaultdict(list)
    for (a, b), (jaccard, containment) in similar.items():
        neighbours[a][b] = neighbours[b][a] = (jaccard, containment)
        if jaccard < params.threshold and len(sets[a]) != len(sets[b]):
            small, large = (a, b) if len(sets[a]) < len(sets[b]) else (b, a)
            contains[large].append(small)

    docs = sorted(fingerprints, key=lambda f: policy_key(f, params.keep))
    docs_of: dict[int, list[int]] = defaultdict(list)
    for d, fp in enumerate(docs):
        docs_of[content_of[fp.digest]].append(d)
    # waiting[d]: ungrouped documents that hold document d as an excerpt.
    waiting = [0] * len(docs)
    for large, smalls in contains.items():
        for small in smalls:
            for d in docs_of[small]:
                waiting[d] += len(docs_of[large])
    ready = [d for d in range(len(docs)) if waiting[d] == 0]
    heapq.heapify(ready)
    grouped = [False] * len(docs)

    def take(d: int) -> None:
        grouped[d] = True
        for small in contains.get(content_of[docs[d].digest], ()):
            for e in docs_of[small]:
                waiting[e] -= 1
                if waiting[e] == 0 and not grouped[e]:
                    heapq.heappush(ready, e)

    found: list[tuple[Fingerprint, list[Member]]] = []
    while ready:
        r = heapq.heappop(ready)
        if grouped[r]:
            continue
        rep = docs[r]
        rc = content_of[rep.digest]
        members = []
        take(r)
        for d in docs_of[rc]:
            if not grouped[d]:
                take(d)
                members.append(_member(docs[d], "exact", 1.0, 1.0))
        for c, (jaccard, containment) in neighbours[rc].items():
            relation = "near" if jaccard >= params.threshold else "contained"
            for d in docs_of[c]:
                if not grouped[d]:
                    take(d)
                    members.append(_member(docs[d], relation, jaccard, containment))
        if members:
            members.sort(key=lambda m: (_RANK[m.relation], -m.jaccard, m.path))
            found.append((rep, members))

    found.sort(key=lambda g: g[0].path)
    groups = [
        DuplicateGroup(k, Kept(rep.path, rep.words, rep.mtime, rep.digest), members)
        for k, (rep, members) in enumerate(found, start=1)
    ]
    log(
        f"duplicates: {len(groups)} groups, "
        f"{sum(len(g.members) for g in groups)} documents besides the representatives"
    )
    return groups


def _member(fp: Fingerprint, relation: str, jaccard: float, containment: float) -> Member:
    return Member(fp.path, relation, jaccard, containment, fp.words, fp.mtime, fp.digest)


def find_duplicates(
    documents: list[Document], params: DuplicateParameters, log: Log = lambda _: None
) -> DuplicatesResult:
    """Duplicate groups among ``documents`` (decoded documents from any source)."""
    fingerprints = [fingerprint(doc, params.shingle_size) for doc in documents]
    return DuplicatesResult(params, group_fingerprints(fingerprints, params, log), len(documents))


def find_duplicate_files(
    paths: list[str],
    params: DuplicateParameters,
    log: Log = lambda _: None,
    exclude: tuple[str, ...] | list[str] = (),
) -> DuplicatesResult:
    """Duplicate groups among the files under ``paths`` (files or folders, recursively).

    Files inside the folders ``exclude`` (such as the quarantine folder, when it lies
    under a checked folder) are left out. Symbolic links are skipped: a link is never
    grouped, so it is never moved and never kept in place of the file it points at; the
    files they point at are listed in ``linked``, so that a quarantine leaves them in
    place.
    """
    collection = read_paths(paths, exclude, links=False)
    log(f"read {len(collection.documents)} documents, skipped {len(collection.skipped)}")
    result = find_duplicates(collection.documents, params, log)
    result.skipped = collection.skipped
    result.notes = collection.notes
    result.linked = sorted(
        {os.path.realpath(s.path) for s in collection.skipped if os.path.islink(s.path)}
    )
    return result
