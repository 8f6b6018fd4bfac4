"""Stage 5, candidates: segment pairs from different documents that share LSH buckets."""

from __future__ import annotations

from functools import lru_cache

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


@lru_cache(maxsize=64)
def lsh_bands(threshold: float, num_perm: int) -> tuple[int, int]:
    """The ``(bands, rows)`` that ``MinHashLSH`` chooses for ``threshold`` and ``num_perm``."""
    lsh = MinHashLSH(threshold=threshold, num_perm=num_perm)
    return lsh.b, lsh.r


def band_keys(minhash: LeanMinHash, bands: int, rows: int) -> list[bytes]:
    """The bucket key of ``minhash`` in each band, as ``MinHashLSH`` computes it; two
    sketches are candidates when they share a key in some band.
    """
    values = minhash.hashvalues
    return [bytes(values[k * rows : (k + 1) * rows].byteswap().data) for k in range(bands)]
