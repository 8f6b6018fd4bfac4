"""Stage 5, candidates: segment pairs from different documents that share LSH buckets."""

from __future__ import annotations

from functools import lru_cache
from itertools import combinations

from datasketch import LeanMinHash, MinHashLSH


def candidate_pairs(
    signatures: list[LeanMinHash],
    docs: list[int],
    threshold: float,
    num_perm: int,
    max_bucket: int | None = None,
) -> list[tuple[int, int]]:
    """Sorted pairs ``(i, j)``, ``i < j``, of signature indices whose documents differ and
    whose MinHashes share a bucket of a ``MinHashLSH`` tuned to Jaccard ``threshold``.

    Pairs are read bucket by bucket from the LSH tables. A bucket holding more than
    ``max_bucket`` signatures is passed over: so many segments colliding means words the
    whole collection shares, not reuse between two of them.
    """
    lsh = MinHashLSH(threshold=threshold, num_perm=num_perm)
    with lsh.insertion_session() as session:
        for key, minhash in enumerate(signatures):
            session.insert(key, minhash, check_duplication=False)
    pairs = set()
    for table in lsh.hashtables:
        for bucket in table.keys():  # noqa: SIM118 (a datasketch storage, not a dict)
            members = table.get(bucket)
            if len(members) < 2 or (max_bucket is not None and len(members) > max_bucket):
                continue
            ordered = sorted(members)
            pairs.update((i, j) for i, j in combinations(ordered, 2) if docs[i] != docs[j])
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
