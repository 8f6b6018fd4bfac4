"""Rows of the index: candidate pairs of a bucket of stored band keys."""

from __future__ import annotations

from dedupe.store.records import fresh_bucket_pairs


def test_a_bucket_over_many_documents_pairs_its_members_with_the_likeliest_source():
    members = [(10 + d, d) for d in range(6)]  # one segment in each of six documents
    rank = {d: (d + 3) % 6 for d in range(6)}  # document 3 ranks first
    fresh = set(range(6))
    star = fresh_bucket_pairs(members, fresh, rank, spread=4, cap=None)
    assert star == {(min(13, s), max(13, s)) for s, d in members if d != 3}
    # Fewer documents than the spread: every pair with a fresh side.
    few = fresh_bucket_pairs(members[:3], {0}, rank, spread=4, cap=None)
    assert few == {(10, 11), (10, 12)}
    assert fresh_bucket_pairs(members, fresh, rank, spread=None, cap=5) == set()
