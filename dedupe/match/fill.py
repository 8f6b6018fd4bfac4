"""Stage 6c, fill: between the in-order passages of two renderings, sentence by sentence.

Two translations of one book share few words per sentence, so the paraphrase search
finds them in patches, but patches that run in the same order in both documents. A pair
whose passages hold a chain of at least ``fill_min_anchors`` paraphrases in that order
(``established``) is taken as two renderings of one text, and the text between two
consecutive passages of the chain as a rendering too. Each such gap is aligned as
parallel text is (Gale-Church, vecalign, bleualign): dynamic programming over the
sentences of both sides, in order, where a sentence matches one, two or none, each
match scoring the rarity-weighted Jaccard of the two sides' stemmed content words (the
weights of the paraphrase search) less ``fill_threshold`` and a skip nothing
(``matched_sentences``). Runs of matched sentences sharing ``fill_min_shared`` content
words are joined with the paraphrase passages they touch and reported as ``paraphrase``
passages whose similarity is their pieces' mean, weighted by words.
"""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from scipy.sparse import csr_matrix

from ..arrays import covered
from ..kernels import compiled
from ..parameters import Parameters
from ..text.prepared import Prepared
from .align import Alignment, Span
from .verify import Weights

LONGEST_GAP = 4000
"""Most words a gap between two passages of a chain may hold on either side to be
filled: renderings of one text are anchored every few hundred words; a wider gap is
text one of them does not render (or a chain of licence passages around two books)."""
LENGTH_RATIO = 3.0
"""Most times longer one side of a gap may be than the other (plus ``min_words``):
renderings of one text keep its length roughly, as Gale-Church assumes."""


@dataclass(frozen=True)
class Filled:
    """Sentences matched between the anchors of a chain of ``anchors``, joined with the
    ``passages`` (paraphrase anchors) they touch: ``similarity`` is the mean of the
    pieces' similarities, weighted by their words; ``matches`` counts the sentence
    matches."""

    alignment: Alignment
    similarity: float
    matches: int
    passages: int
    anchors: int


@dataclass(frozen=True)
class _Piece:
    alignment: Alignment
    similarity: float
    matches: int  # sentence matches; 0 for an anchor
    anchor: int  # index in the chain, -1 for a run of matched sentences
    joinable: bool


def in_order(anchors: list[Alignment]) -> list[int]:
    """Indices into ``anchors`` (alignments of one document pair) of their longest chain
    that starts later in both documents at each step, in order."""
    ranked = sorted(
        range(len(anchors)),
        key=lambda k: (anchors[k].a.start, -anchors[k].b.start, anchors[k].a.end, k),
    )
    tails: list[int] = []  # b starts of the best chain ends, by chain length
    ends: list[int] = []  # the anchor ending each length's best chain
    before = {}
    for k in ranked:
        length = bisect_left(tails, anchors[k].b.start)
        before[k] = ends[length - 1] if length else -1
        if length == len(tails):
            tails.append(anchors[k].b.start)
            ends.append(k)
        else:
            tails[length], ends[length] = anchors[k].b.start, k
    chain, k = [], ends[-1] if ends else -1
    while k >= 0:
        chain.append(k)
        k = before[k]
    return chain[::-1]


def established(found: list[tuple[Alignment, str, float]], params: Parameters) -> list[int]:
    """Indices into ``found`` (``(alignment, kind, similarity)`` between one document
    pair) of its longest in-order chain if that holds at least ``fill_min_anchors``
    paraphrases: the pair is then two renderings of one text; otherwise none."""
    chain = in_order([alignment for alignment, _, _ in found])
    if sum(found[k][1] == "paraphrase" for k in chain) < params.fill_min_anchors:
        return []
    return chain


def fill(
    pa: Prepared,
    pb: Prepared,
    chain: list[tuple[Alignment, str, float]],
    weights: Weights,
    params: Parameters,
) -> tuple[list[Filled], set[int]]:
    """Runs of matched sentences in the gaps between consecutive passages of ``chain``
    (``(alignment, kind, similarity)`` between ``pa`` and ``pb``, in order in both),
    each joined with the runs and paraphrase passages it touches (within ``max_gap``
    tokens on both sides); and the indices into ``chain`` of the passages so joined."""
    pieces = []
    for k, (alignment, kind, similarity) in enumerate(chain):
        pieces.append(_Piece(alignment, similarity, 0, k, kind == "paraphrase"))
        if k + 1 == len(chain):
            break
        gap_a = Span(alignment.a.doc, alignment.a.end, chain[k + 1][0].a.start)
        gap_b = Span(alignment.b.doc, alignment.b.end, chain[k + 1][0].b.start)
        if parallel(gap_a.words, gap_b.words, params.min_words):
            pieces += _filled_gap(pa, pb, gap_a, gap_b, weights, params)
    found, joined = [], set()
    for group in _touching(pieces, params.max_gap):
        matches = sum(piece.matches for piece in group)
        if matches:
            anchors = {piece.anchor for piece in group if piece.anchor >= 0}
            joined |= anchors
            found.append(_joined(group, matches, len(anchors), len(chain)))
    return found, joined


def crossing(
    found: list[tuple[Alignment, str, float]], chain: list[int], runs: list[Filled]
) -> set[int]:
    """Indices into ``found`` of the paraphrases off ``chain`` whose two sides each lie
    at least half inside text that the chain and its filled ``runs`` align elsewhere:
    a second, crossing claim on text whose rendering is known (a cast of characters
    listed again chapters later), likeness of two places rather than one rendered
    twice. Text the chain leaves unaligned on either side keeps its passages."""
    on_chain = set(chain)
    aligned = [found[k][0] for k in chain] + [run.alignment for run in runs]
    sides_a = [(m.a.start, m.a.end) for m in aligned]
    sides_b = [(m.b.start, m.b.end) for m in aligned]
    return {
        k
        for k, (alignment, kind, _) in enumerate(found)
        if kind == "paraphrase"
        and k not in on_chain
        and covered(sides_a, alignment.a.start, alignment.a.end) >= 0.5 * alignment.a.words
        and covered(sides_b, alignment.b.start, alignment.b.end) >= 0.5 * alignment.b.words
    }


def parallel(words_a: int, words_b: int, min_words: int) -> bool:
    """Whether a gap of ``words_a`` and ``words_b`` words can hold one text rendered
    twice: each side ``min_words`` to ``LONGEST_GAP`` long, neither more than
    ``LENGTH_RATIO`` times the other (plus ``min_words``)."""
    shorter, longer = sorted((words_a, words_b))
    return (
        min_words <= shorter
        and longer <= LONGEST_GAP
        and longer <= LENGTH_RATIO * shorter + min_words
    )


def _touching(pieces: list[_Piece], max_gap: int) -> list[list[_Piece]]:
    """``pieces`` (in order in both documents) grouped where joinable ones follow each
    other within ``max_gap`` tokens on both sides."""
    groups: list[list[_Piece]] = []
    for piece in pieces:
        last = groups[-1][-1] if groups else None
        if (
            last is not None
            and last.joinable
            and piece.joinable
            and piece.alignment.a.start - last.alignment.a.end <= max_gap
            and piece.alignment.b.start - last.alignment.b.end <= max_gap
        ):
            groups[-1].append(piece)
        else:
            groups.append([piece])
    return groups


def _joined(group: list[_Piece], matches: int, passages: int, anchors: int) -> Filled:
    first, last = group[0].alignment, group[-1].alignment
    a = Span(first.a.doc, first.a.start, last.a.end)
    b = Span(first.b.doc, first.b.start, last.b.end)
    words = [piece.alignment.a.words + piece.alignment.b.words for piece in group]
    similarity = float(np.average([piece.similarity for piece in group], weights=words))
    return Filled(Alignment(a, b, len(group)), similarity, matches, passages, anchors)


def _filled_gap(
    pa: Prepared,
    pb: Prepared,
    gap_a: Span,
    gap_b: Span,
    weights: Weights,
    params: Parameters,
) -> list[_Piece]:
    cuts_a, cuts_b = sentence_cuts(pa.sentences, gap_a), sentence_cuts(pb.sentences, gap_b)
    shared = shared_weights(pa.content, cuts_a, pb.content, cuts_b, weights)
    matches = matched_sentences(lexical_scores(*shared), params.fill_threshold)
    runs = _runs(matches, cuts_a, cuts_b, gap_a.doc, gap_b.doc, params)
    return [run for run in runs if shared_words(pa, pb, run.alignment) >= params.fill_min_shared]


def shared_words(pa: Prepared, pb: Prepared, alignment: Alignment) -> int:
    """How many distinct content words the two sides of ``alignment`` share."""
    keys_a = pa.content[alignment.a.start : alignment.a.end]
    keys_b = pb.content[alignment.b.start : alignment.b.end]
    return int(np.count_nonzero(np.intersect1d(keys_a, keys_b)))


def sentence_cuts(bounds: np.ndarray, gap: Span) -> np.ndarray:
    """Token indices cutting ``gap`` into its sentences (``bounds`` are a document's
    sentence starts and token count): the gap's start, the sentence starts inside it,
    its end. Sentences cut by the gap's ends count as sentences."""
    inside = bounds[(bounds > gap.start) & (bounds < gap.end)]
    return np.concatenate([[gap.start], inside, [gap.end]]).astype(np.int64)


def shared_weights(
    content_a: np.ndarray,
    cuts_a: np.ndarray,
    content_b: np.ndarray,
    cuts_b: np.ndarray,
    weights: Weights,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For the sentences cut by ``cuts_a`` and ``cuts_b`` out of two documents' content
    hashes: the weight of the content words each sentence pair shares (a dense matrix),
    and the weight of each sentence's content words."""
    rows_a, keys_a = _sentence_words(content_a, cuts_a)
    rows_b, keys_b = _sentence_words(content_b, cuts_b)
    vocabulary = np.unique(np.concatenate([keys_a, keys_b]))
    value = weights.of(vocabulary)
    col_a, col_b = np.searchsorted(vocabulary, keys_a), np.searchsorted(vocabulary, keys_b)
    shape_a, shape_b = (len(cuts_a) - 1, len(vocabulary)), (len(cuts_b) - 1, len(vocabulary))
    weighted_a = csr_matrix((value[col_a], (rows_a, col_a)), shape=shape_a)
    present_b = csr_matrix((np.ones(len(col_b)), (rows_b, col_b)), shape=shape_b)
    shared = (weighted_a @ present_b.T).toarray()
    weight_a = np.asarray(weighted_a.sum(axis=1)).ravel()
    weight_b = np.asarray(present_b @ value).ravel()
    return shared, weight_a, weight_b


def _sentence_words(content: np.ndarray, cuts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(sentence, content hash)`` for each distinct content word of each sentence."""
    keys = content[cuts[0] : cuts[-1]].astype(np.int64)
    rows = np.repeat(np.arange(len(cuts) - 1), np.diff(cuts))
    words = keys != 0
    codes = np.unique((rows[words] << 32) | keys[words])
    return codes >> 32, codes & 0xFFFFFFFF


@dataclass(frozen=True)
class Scores:
    """Similarities of the sentences of two gaps: ``one[i, j]`` of sentence ``i`` with
    sentence ``j``, ``split[i, j]`` of ``i`` with ``j`` and ``j + 1`` together,
    ``joined[i, j]`` of ``i`` and ``i + 1`` together with ``j``."""

    one: np.ndarray
    split: np.ndarray
    joined: np.ndarray


def lexical_scores(shared: np.ndarray, weight_a: np.ndarray, weight_b: np.ndarray) -> Scores:
    """Rarity-weighted Jaccard of sentences (and of two sentences taken together) from
    the weight each pair shares and each sentence's weight (``shared_weights``)."""

    def jaccard(both: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        union = a + b - both
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(union > 0, both / union, 0.0)

    wa, wb = weight_a[:, None], weight_b[None, :]
    one = jaccard(shared, wa, wb)
    both = np.minimum(shared[:, :-1] + shared[:, 1:], wa)
    split = jaccard(both, wa, wb[:, :-1] + wb[:, 1:])
    both = np.minimum(shared[:-1] + shared[1:], wb)
    joined = jaccard(both, wa[:-1] + wa[1:], wb)
    return Scores(one, split, joined)


def matched_sentences(scores: Scores, threshold: float) -> np.ndarray:
    """The sentence matches of the best monotone alignment of two runs of sentences:
    rows ``(a_from, a_to, b_from, b_to, similarity)`` in order, sentences
    ``[a_from, a_to)`` matched with ``[b_from, b_to)`` (one or two each side). A match
    scores its similarity less ``threshold``, a skipped sentence nothing; the alignment
    maximises the total."""
    n, m = scores.one.shape
    split = np.zeros((n, m))
    joined = np.zeros((n, m))
    split[:, : max(0, m - 1)] = scores.split
    joined[: max(0, n - 1), :] = scores.joined
    return _path_kernel()(
        np.ascontiguousarray(scores.one, dtype=np.float64), split, joined, float(threshold)
    )


@lru_cache(maxsize=1)
def _path_kernel():
    """The compiled dynamic programme behind ``matched_sentences``."""

    @compiled
    def best_path(one, split, joined, threshold):  # pragma: no cover (compiled)
        n, m = one.shape
        score = np.zeros((n + 1, m + 1))
        move = np.zeros((n + 1, m + 1), dtype=np.int8)
        for i in range(n + 1):
            for j in range(m + 1):
                if i == 0 and j == 0:
                    continue
                best, way = -1.0, 0
                if i > 0 and score[i - 1, j] > best:
                    best, way = score[i - 1, j], 1
                if j > 0 and score[i, j - 1] > best:
                    best, way = score[i, j - 1], 2
                if i > 0 and j > 0:
                    total = score[i - 1, j - 1] + one[i - 1, j - 1] - threshold
                    if total > best:
                        best, way = total, 3
                if i > 0 and j > 1:
                    total = score[i - 1, j - 2] + split[i - 1, j - 2] - threshold
                    if total > best:
                        best, way = total, 4
                if i > 1 and j > 0:
                    total = score[i - 2, j - 1] + joined[i - 2, j - 1] - threshold
                    if total > best:
                        best, way = total, 5
                score[i, j], move[i, j] = best, way
        path = np.empty((n + m, 5))
        count, i, j = 0, n, m
        while i > 0 or j > 0:
            way = move[i, j]
            step_a = 2 if way == 5 else 1 if way == 1 or way == 3 or way == 4 else 0
            step_b = 2 if way == 4 else 1 if way == 2 or way == 3 or way == 5 else 0
            if way >= 3:
                path[count, 0], path[count, 1] = i - step_a, i
                path[count, 2], path[count, 3] = j - step_b, j
                if way == 3:
                    path[count, 4] = one[i - 1, j - 1]
                elif way == 4:
                    path[count, 4] = split[i - 1, j - 2]
                else:
                    path[count, 4] = joined[i - 2, j - 1]
                count += 1
            i, j = i - step_a, j - step_b
        return path[:count][::-1].copy()

    return best_path


def _runs(
    matches: np.ndarray,
    cuts_a: np.ndarray,
    cuts_b: np.ndarray,
    doc_a: int,
    doc_b: int,
    params: Parameters,
) -> list[_Piece]:
    """Matched sentences joined into runs where they follow each other within
    ``max_gap`` tokens on both sides; runs of ``min_words`` words or more."""
    runs: list[list[tuple[int, int, int, int, float]]] = []
    for a0, a1, b0, b1, s in matches.tolist():
        start_a, end_a = int(cuts_a[int(a0)]), int(cuts_a[int(a1)])
        start_b, end_b = int(cuts_b[int(b0)]), int(cuts_b[int(b1)])
        if (
            runs
            and start_a - runs[-1][-1][1] <= params.max_gap
            and start_b - runs[-1][-1][3] <= params.max_gap
        ):
            runs[-1].append((start_a, end_a, start_b, end_b, s))
        else:
            runs.append([(start_a, end_a, start_b, end_b, s)])
    found = []
    for run in runs:
        a = Span(doc_a, run[0][0], run[-1][1])
        b = Span(doc_b, run[0][2], run[-1][3])
        if min(a.words, b.words) < params.min_words:
            continue
        words = np.array([(e_a - s_a) + (e_b - s_b) for s_a, e_a, s_b, e_b, _ in run])
        similarity = float(np.average([m[4] for m in run], weights=words))
        found.append(_Piece(Alignment(a, b, len(run)), similarity, len(run), -1, True))
    return found
