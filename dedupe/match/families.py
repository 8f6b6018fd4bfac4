"""Families of similar segments: what the candidate stage hands to alignment.

A text that recurs in k documents (a licence in every file, a quotation everybody
reprints) puts k segments in one LSH bucket. Comparing every pair of them costs k^2;
here it costs k. A bucket spread over ``boilerplate_documents`` documents or more links
each member to one other (``candidates.bucket_links``: k-1 links, as datatrove's MinHash
clustering does); the links are verified, and verified links join segments into
families (connected components, ``components``). Chaining through links can join
unrelated text (A like B, B like C, A unlike C), so every member is verified against its
family's representative; the members unlike it against the first of them, for a few
rounds (versions of one licence get a representative each); a member unlike every
representative keeps only its own verified links.

A family spread over at least ``boilerplate_documents`` documents is boilerplate: only
its representative is paired with each member in another document, k-1 pairs, so that
each copy is aligned once, against one source. The representative is the likeliest
source, the member whose document comes first by ``document_order`` (earliest stated
date, longest document, oldest file, path): one order for every family, so the many
families of one recurring text (a licence's paragraphs) share their representative's
document, and their copies are aligned with one document, not with one per paragraph.
Every other verified pair (reuse between a few documents) is aligned as it is.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from ..arrays import runs

Check = Callable[[np.ndarray], np.ndarray]
"""Takes ``(m, 2)`` pairs of segment rows, returns which verify (a boolean mask)."""


def components(size: int, edges: np.ndarray) -> np.ndarray:
    """The component label of each of ``size`` nodes joined by ``edges`` (union-find
    over an ``(m, 2)`` array, as a sparse graph's connected components)."""
    if not len(edges):
        return np.arange(size)
    ones = np.ones(len(edges), dtype=np.int8)
    graph = coo_matrix((ones, (edges[:, 0], edges[:, 1])), shape=(size, size))
    return connected_components(graph, directed=False)[1]


def family_pairs(
    edges: np.ndarray,
    docs: np.ndarray,
    document_order: np.ndarray,
    check: Check,
    boilerplate_documents: int,
) -> tuple[np.ndarray, np.ndarray]:
    """The segment pairs to align, from verified ``edges`` between segment rows (see the
    module docstring), and the ``(representative, member)`` pairs of the boilerplate
    families (members in other documents than their representative's).

    ``docs[row]`` is a segment's document; ``document_order[doc]`` the document's rank,
    first the likeliest source. Pairs come sorted and distinct, ``(i, j)`` with
    ``i < j``.
    """
    edges = np.asarray(edges, dtype=np.int64).reshape(-1, 2)
    if not len(edges):
        return edges, edges
    nodes = np.unique(edges)
    ends = np.searchsorted(nodes, edges)
    labels = components(len(nodes), ends)
    node_docs = docs[nodes]
    pairs_of = np.unique(np.stack([labels, node_docs], axis=1), axis=0)
    spread_of = np.bincount(pairs_of[:, 0], minlength=labels.max() + 1)
    order = np.lexsort((nodes, document_order[node_docs], labels))
    starts, sizes = runs(labels[order])
    wide = np.repeat(spread_of[labels[order][starts]] >= boilerplate_documents, sizes)
    representative = np.empty(len(nodes), dtype=np.int64)
    representative[order] = _leaders(nodes[order], labels[order], wide, check)
    kept = edges[~_paired_by_family(ends, representative, nodes)]
    held = representative >= 0
    rows, reps = nodes[held], representative[held]
    apart = docs[rows] != docs[reps]
    star = np.stack([reps[apart], rows[apart]], axis=1)
    joined = np.sort(np.concatenate([kept, star]), axis=1)
    codes = np.unique((joined[:, 0] << 32) | joined[:, 1])
    return np.stack([codes >> 32, codes & 0xFFFFFFFF], axis=1), star


LEADER_ROUNDS = 4  # representatives a wide family is split around, at most


def _leaders(members: np.ndarray, labels: np.ndarray, wide: np.ndarray, check: Check) -> np.ndarray:
    """The representative of each of ``members`` (sorted by family ``labels``, then
    likeliest source first) in a ``wide`` family, else -1. Each member is checked against
    its family's first member; those unlike it are checked, in a next round, against the
    first of them, and so on for ``LEADER_ROUNDS`` rounds (versions of one licence get one
    representative each). A member unlike every representative keeps -1: it was only
    chained in, and keeps its own links."""
    representative = np.full(len(members), -1, dtype=np.int64)
    waiting = np.flatnonzero(wide)
    for _ in range(LEADER_ROUNDS):
        if not len(waiting):
            break
        starts, sizes = runs(labels[waiting])
        leader = np.repeat(members[waiting[starts]], sizes)
        first = members[waiting] == leader
        representative[waiting[first]] = leader[first]
        others = waiting[~first]
        alike = _passing(np.stack([leader[~first], members[others]], axis=1), check)
        representative[others[alike]] = leader[~first][alike]
        waiting = others[~alike]
    return representative


def _passing(pairs: np.ndarray, check: Check) -> np.ndarray:
    """Which rows of ``pairs`` verify, as a boolean mask."""
    return check(pairs) if len(pairs) else np.zeros(0, dtype=bool)


def _paired_by_family(ends: np.ndarray, representative: np.ndarray, nodes: np.ndarray):
    """Which edges (``ends`` index ``nodes``) the families pair instead: those between
    two members of wide families, but for the links between two representatives'
    families through one of the representatives (versions of one text stay joined)."""
    rep_a, rep_b = representative[ends[:, 0]], representative[ends[:, 1]]
    leader = representative == nodes
    through_leader = leader[ends[:, 0]] | leader[ends[:, 1]]
    return (rep_a >= 0) & (rep_b >= 0) & ((rep_a == rep_b) | ~through_leader)
