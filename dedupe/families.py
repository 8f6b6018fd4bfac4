"""Families of similar segments: what the candidate stage hands to alignment.

A text that recurs in k documents (a licence in every file, a quotation everybody
reprints) puts k segments in one LSH bucket. Comparing every pair of them costs k^2;
here it costs k. A bucket spread over ``boilerplate_documents`` documents or more links
each member to one other (``candidates.bucket_links``: k-1 links, as datatrove's MinHash
clustering does); the links are verified, and verified links join segments into
families (connected components, ``components``). Chaining through links can join
unrelated text (A like B, B like C, A unlike C), so every member is verified against its
family's representative, and a member unlike it keeps only its own verified links.

A family spread over at least ``boilerplate_documents`` documents is boilerplate: only
its representative is paired with each member in another document, k-1 pairs, so that
each copy is aligned once, against one source. The representative is the likeliest
source: the member linked to the most documents (the source of a recurring text shares
it with every copy, a copy of one part of it with fewer), then the first by
``document_order`` (earliest stated date, longest document, oldest file, path).
Every other verified pair (reuse between a few documents) is aligned as it is.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from .arrays import runs

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
    labels = components(len(nodes), np.searchsorted(nodes, edges))
    node_docs = docs[nodes]
    pairs_of = np.unique(np.stack([labels, node_docs], axis=1), axis=0)
    spread_of = np.bincount(pairs_of[:, 0], minlength=labels.max() + 1)
    # The likeliest source of a recurring text shares it with the most documents: each
    # copy of one part of it (an excerpt, an answer quoting a paragraph) with fewer.
    ends = np.searchsorted(nodes, np.concatenate([edges, edges[:, ::-1]]))
    reach = np.unique(np.stack([ends[:, 0], docs[nodes[ends[:, 1]]]], axis=1), axis=0)
    partners = np.bincount(reach[:, 0], minlength=len(nodes))
    order = np.lexsort((nodes, document_order[node_docs], -partners, labels))
    members, labels = nodes[order], labels[order]
    starts, sizes = runs(labels)
    representative = np.repeat(members[starts], sizes)
    wide = np.repeat(spread_of[labels[starts]] >= boilerplate_documents, sizes)
    # Each member of a wide family against its representative: one unlike it was only
    # chained in, and keeps its own links.
    candidates = wide & (members != representative)
    held = wide & ~candidates
    to_check = np.stack([representative[candidates], members[candidates]], axis=1)
    held[np.flatnonzero(candidates)[_passing(to_check, check)]] = True
    rows, reps = members[held], representative[held]
    kept = edges[~_within_families(edges, rows, reps)]
    apart = docs[rows] != docs[reps]
    star = np.stack([reps[apart], rows[apart]], axis=1)
    joined = np.sort(np.concatenate([kept, star]), axis=1)
    codes = np.unique((joined[:, 0] << 32) | joined[:, 1])
    return np.stack([codes >> 32, codes & 0xFFFFFFFF], axis=1), star


def _passing(pairs: np.ndarray, check: Check) -> np.ndarray:
    """Which rows of ``pairs`` verify, as a boolean mask."""
    return check(pairs) if len(pairs) else np.zeros(0, dtype=bool)


def _within_families(edges: np.ndarray, rows: np.ndarray, reps: np.ndarray) -> np.ndarray:
    """Which ``edges`` join two members of one family (they are paired by family)."""
    order = np.argsort(rows)
    lookup_rows, lookup_reps = rows[order], reps[order]

    def family(ends: np.ndarray) -> np.ndarray:
        at = np.minimum(np.searchsorted(lookup_rows, ends), max(len(lookup_rows) - 1, 0))
        found = len(lookup_rows) > 0
        known = lookup_rows[at] == ends if found else np.zeros(len(ends), dtype=bool)
        return np.where(known, lookup_reps[at] if found else -1, -1 - ends)

    return family(edges[:, 0]) == family(edges[:, 1])
