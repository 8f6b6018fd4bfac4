"""Stage 4, sign: MinHash signatures of shingle sets, computed in bulk with datasketch."""

from __future__ import annotations

import numpy as np
from datasketch import LeanMinHash, MinHash

SEED = 1


def _identity(value: int) -> int:
    return value


def signatures(shingle_sets: list[np.ndarray], num_perm: int) -> list[LeanMinHash]:
    """One ``LeanMinHash`` per shingle set (the sets hold 32-bit shingle hashes).

    Uses ``MinHash.bulk``, which shares one permutation setup and feeds each set as a
    single batch.
    """
    batches = (s.tolist() for s in shingle_sets)
    minhashes = MinHash.bulk(batches, num_perm=num_perm, seed=SEED, hashfunc=_identity)
    return [LeanMinHash(m) for m in minhashes]
