"""Stage 5, candidates: segment pairs from different documents that share LSH buckets."""

from __future__ import annotations

from datasketch import LeanMinHash, MinHashLSH


def candidate_pairs(
    signatures: list[LeanMinHash], docs: list[int], threshold: float, num_perm: int
) -> list[tuple[int, int]]:
    """Sorted pairs ``(i, j)``, ``i < j``, of signature indices whose documents differ and
    whose MinHashes collide in a ``MinHashLSH`` tuned to Jaccard ``threshold``.
    """
    lsh = MinHashLSH(threshold=threshold, num_perm=num_perm)
    with lsh.insertion_session() as session:
        for key, minhash in enumerate(signatures):
            session.insert(key, minhash, check_duplication=False)
    pairs = set()
    for i, minhash in enumerate(signatures):
        for j in lsh.query(minhash):
            if j > i and docs[j] != docs[i]:
                pairs.add((i, j))
    return sorted(pairs)
