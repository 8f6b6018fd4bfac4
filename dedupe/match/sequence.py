"""Matching two sequences in order, as ``difflib.SequenceMatcher`` does, compiled.

``matching_blocks`` gives the same blocks as ``SequenceMatcher(None, a, b,
autojunk=False).get_matching_blocks()`` (the longest matching run, then the same on
both sides of it, recursively), and ``opcodes`` the same edit script as its
``get_opcodes()``, for sequences of integers (word hashes, content keys): alignment
compares long runs of them for every candidate pair, and difflib's pure-Python loops
were most of the cost.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from ..kernels import compiled

Block = tuple[int, int, int]
"""``(i, j, size)``: ``a[i:i + size] == b[j:j + size]``."""


def matching_blocks(a: np.ndarray, b: np.ndarray) -> list[Block]:
    """The matching runs of ``a`` and ``b`` in order, adjacent ones joined, without
    difflib's closing ``(len(a), len(b), 0)``."""
    if not len(a) or not len(b):
        return []
    found = blocks_kernel()(np.asarray(a, dtype=np.int64), np.asarray(b, dtype=np.int64))
    return [tuple(block) for block in found.tolist()]


def opcodes(blocks: list[Block], len_a: int, len_b: int) -> list[tuple[str, int, int, int, int]]:
    """``(tag, i1, i2, j1, j2)`` turning ``a`` into ``b`` around ``blocks``, as
    ``SequenceMatcher.get_opcodes``: tags ``equal``, ``replace``, ``delete``,
    ``insert``."""
    result = []
    i = j = 0
    for ai, bj, size in [*blocks, (len_a, len_b, 0)]:
        tag = ""
        if i < ai and j < bj:
            tag = "replace"
        elif i < ai:
            tag = "delete"
        elif j < bj:
            tag = "insert"
        if tag:
            result.append((tag, i, ai, j, bj))
        i, j = ai + size, bj + size
        if size:
            result.append(("equal", ai, i, bj, j))
    return result


@lru_cache(maxsize=1)
def blocks_kernel():
    """The compiled loop behind ``matching_blocks`` (numba; compiled on first use and
    cached on disk), for int64 arrays; callable from other compiled loops. The positions
    in ``b`` of the value ``a[i]`` are ``positions[first[i]:last[i]]``, ascending."""

    @compiled
    def blocks(a, b):  # pragma: no cover (compiled)
        positions = np.argsort(b, kind="mergesort")
        ordered = b[positions]
        first = np.searchsorted(ordered, a, side="left")
        last = np.searchsorted(ordered, a, side="right")
        length = np.zeros((2, len(b)), dtype=np.int64)
        stamp = np.full((2, len(b)), -2, dtype=np.int64)
        found = np.empty((min(len(a), len(b)), 3), dtype=np.int64)
        n_found = 0
        stack = np.empty((2 * min(len(a), len(b)) + 2, 4), dtype=np.int64)
        stack[0, 0], stack[0, 1], stack[0, 2], stack[0, 3] = 0, len(a), 0, len(b)
        top = 1
        row = 0
        while top > 0:
            top -= 1
            alo, ahi, blo, bhi = stack[top, 0], stack[top, 1], stack[top, 2], stack[top, 3]
            # The longest run, first in a, then in b (difflib's find_longest_match): the
            # run ending at (i, j) is one longer than the one ending at (i - 1, j - 1).
            row += 2  # rows of an earlier search are never read as the previous row
            best_i, best_j, best = alo, blo, 0
            for i in range(alo, ahi):
                row += 1
                now, before = row & 1, (row - 1) & 1
                for p in range(first[i], last[i]):
                    j = positions[p]
                    if j < blo:
                        continue
                    if j >= bhi:
                        break
                    k = 1
                    if j > 0 and stamp[before, j - 1] == row - 1:
                        k = length[before, j - 1] + 1
                    length[now, j] = k
                    stamp[now, j] = row
                    if k > best:
                        best_i, best_j, best = i - k + 1, j - k + 1, k
            if best:
                found[n_found, 0], found[n_found, 1], found[n_found, 2] = best_i, best_j, best
                n_found += 1
                if alo < best_i and blo < best_j:
                    stack[top, 0], stack[top, 1] = alo, best_i
                    stack[top, 2], stack[top, 3] = blo, best_j
                    top += 1
                if best_i + best < ahi and best_j + best < bhi:
                    stack[top, 0], stack[top, 1] = best_i + best, ahi
                    stack[top, 2], stack[top, 3] = best_j + best, bhi
                    top += 1
        found = found[:n_found]
        found = found[np.argsort(found[:, 0] * (len(b) + 1) + found[:, 1])]
        joined = np.empty_like(found)
        n = 0
        for k in range(len(found)):
            if (
                n > 0
                and joined[n - 1, 0] + joined[n - 1, 2] == found[k, 0]
                and joined[n - 1, 1] + joined[n - 1, 2] == found[k, 1]
            ):
                joined[n - 1, 2] += found[k, 2]
            else:
                joined[n] = found[k]
                n += 1
        return joined[:n]

    return blocks
