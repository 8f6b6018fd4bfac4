"""Families of segments: linear links for crowded buckets, families joined from verified
links, boilerplate families paired around one representative, chained members set
apart."""

from __future__ import annotations

import numpy as np

from dedupe.match.candidates import bucket_links, bucket_pairs
from dedupe.match.families import components, family_pairs


def _set(pairs) -> set[tuple[int, int]]:
    return {(int(a), int(b)) for a, b in np.sort(np.asarray(pairs).reshape(-1, 2), axis=1)}


def test_a_bucket_over_few_documents_gives_every_pair():
    keys = np.array([7, 7, 7, 9], dtype=np.uint64)
    docs = np.array([0, 1, 2, 3])
    assert _set(bucket_links(keys, docs, spread=4)) == _set(bucket_pairs(keys, docs))


def test_a_bucket_over_many_documents_gives_k_minus_1_links_joining_them_all():
    k = 1000
    keys = np.full(k, 5, dtype=np.uint64)
    docs = np.arange(k) // 2  # two segments per document: 500 documents
    links = bucket_links(keys, docs, spread=4)
    assert len(links) <= k - 1
    assert np.all(docs[links[:, 0]] != docs[links[:, 1]])
    labels = components(k, links)
    assert len(np.unique(labels)) == 1  # every member joined


def test_family_pairs_star_a_wide_family_around_its_representative():
    # Segment r in document 0 is the source; rows 1..6 copies in documents 1..6, linked
    # in a chain (as buckets might link them), never all pairs.
    docs = np.arange(7)
    edges = np.array([(k, k + 1) for k in range(6)])

    def check(pairs):
        return np.ones(len(pairs), dtype=bool)

    order = np.arange(7)
    pairs, star = family_pairs(edges, docs, order, check, boilerplate_documents=4)
    rep = int(star[0, 0])
    assert _set(pairs) == {tuple(sorted((rep, k))) for k in range(7) if k != rep}
    assert len(pairs) == 6  # k-1, not 21


def test_a_narrow_family_keeps_its_verified_pairs():
    docs = np.array([0, 1, 2])
    edges = np.array([(0, 1), (1, 2), (0, 2)])
    pairs, star = family_pairs(edges, docs, np.arange(3), lambda p: np.ones(len(p), dtype=bool), 4)
    assert _set(pairs) == _set(edges) and len(star) == 0


def test_a_member_unlike_the_representative_keeps_only_its_own_links():
    # Rows 0-4 are one text in five documents; row 5 (document 5) is like row 4 only.
    docs = np.arange(6)
    edges = np.array([(0, 1), (0, 2), (0, 3), (0, 4), (4, 5)])

    def check(pairs):
        return ~np.isin(pairs, [5]).any(axis=1)  # row 5 is unlike every other but 4

    pairs, star = family_pairs(edges, docs, np.arange(6), check, 4)
    assert (4, 5) in _set(pairs)
    assert not any(5 in pair for pair in _set(star))
    assert {(0, k) for k in range(1, 5)} <= _set(pairs)
