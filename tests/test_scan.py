"""The scan driver's own steps (``dedupe.pipeline.scan``): partitions of files, byte-identical
copies, verification of candidate chunks, boilerplate copies and alignment groups. The
whole pipeline is exercised by the corpus, planted and CLI tests."""

from __future__ import annotations

from collections import Counter
from itertools import combinations

import numpy as np

from dedupe.evaluation.language import generate_text
from dedupe.parameters import Parameters
from dedupe.pipeline.scan import (
    GROUP_DOCUMENTS,
    boilerplate_sources,
    grouped,
    identical_copies,
    partitions,
    scan,
    verified,
)

from .strategies import write_docs


def test_partitions_keep_file_order_and_split_by_size(tmp_path):
    files = []
    for k, size in enumerate([100, 100, 100, 100, 400, 100, 100, 100]):
        path = tmp_path / f"f{k}.txt"
        path.write_bytes(b"x" * size)
        files.append(str(path))
    parts = partitions(files, workers=1)  # about four parts of 250 bytes
    assert [f for part in parts for f in part] == files
    assert all(part for part in parts)
    assert 3 <= len(parts) <= 5
    assert [str(tmp_path / "f4.txt")] in parts  # a large file is a part of its own
    # A file that cannot be measured counts as empty and is still placed.
    assert partitions([*files, str(tmp_path / "gone.txt")], 1)[-1][-1].endswith("gone.txt")


def test_identical_copies_point_at_the_first_file_with_the_same_bytes():
    files = [("a", "d1"), ("b", "d2"), ("c", "d1"), ("d", "d3"), ("e", "d1"), ("f", "d2")]
    assert identical_copies(files) == {2: 0, 4: 0, 5: 1}
    assert identical_copies([]) == {}


def test_verified_checks_each_chunk_and_returns_distinct_sorted_passing_pairs():
    chunks = [np.array([[3, 4], [1, 2], [3, 4]]), np.array([[1, 2], [5, 9], [0, 7]])]
    checked_pairs = []

    def check(pairs: np.ndarray) -> np.ndarray:
        checked_pairs.extend(map(tuple, pairs.tolist()))
        return pairs[:, 0] % 2 == 1  # odd first rows pass

    checked, kept = verified(iter(chunks), check)
    assert kept.tolist() == [[1, 2], [3, 4], [5, 9]]
    assert checked == 5  # distinct within each chunk: (1, 2) is in both
    checked_pairs.clear()
    checked, kept = verified(iter(chunks), check, once=True)
    assert checked == 4 and sorted(checked_pairs) == [(0, 7), (1, 2), (3, 4), (5, 9)]
    assert kept.tolist() == [[1, 2], [3, 4], [5, 9]]


def test_boilerplate_sources_name_the_document_of_sources_and_of_members_like_them():
    star = np.array([[0, 3], [0, 5], [1, 6]])
    docs = np.arange(8) // 2  # rows 0 and 1 in document 0, 2 and 3 in 1, ...
    source = boilerplate_sources(star, docs, lambda pairs: pairs[:, 1] != 5)  # 5 differs
    assert source.tolist() == [0, 0, -1, 0, -1, -1, 0, -1]
    none = np.empty((0, 2), dtype=np.int64)
    assert boilerplate_sources(none, docs[:3], lambda p: p).tolist() == [-1] * 3


def test_a_licence_in_k_documents_is_k_minus_1_passages_none_between_two_copies(tmp_path):
    # Its copies hold the same windows; a content-word match between one copy's second
    # window and another's third is no paraphrase either.
    docs = write_docs(tmp_path, 6, words=500)
    licence = generate_text(np.random.default_rng(5), 160)
    for doc in docs:
        doc.write_text(licence + "\n\n" + doc.read_text())
    result = scan([str(tmp_path)], Parameters())
    assert len(result.passages) == 5 and all(p.boilerplate for p in result.passages)
    pairs = [{p.source.path, p.copy.path} for p in result.passages]
    assert len(set.intersection(*pairs)) == 1  # each copy against one source


def test_groups_hold_every_pair_once_and_read_a_bounded_number_of_documents():
    n = GROUP_DOCUMENTS + 40
    files = {d: (f"doc{d}.txt", f"digest{d}") for d in range(n)}
    # Document 0 is paired with every other (a boilerplate source), and a few more pairs.
    by_docs = {
        (0, d): {"verbatim": [(("doc0.txt", 0, 5), (f"doc{d}.txt", 0, 5))]} for d in range(1, n)
    }
    by_docs |= {(a, b): {"content": [((f"doc{a}.txt", 1, 9), (f"doc{b}.txt", 2, 9))]}
                for a, b in combinations(range(1, 6), 2)}  # fmt: skip
    tasks = grouped(by_docs, files, verified=True)
    assert all(task.verified for task in tasks)
    assert all(len(task.files) <= GROUP_DOCUMENTS for task in tasks)
    found = sorted(pair for task in tasks for pairs in task.collisions.values() for pair in pairs)
    expected = sorted(
        pair for families in by_docs.values() for pairs in families.values() for pair in pairs
    )
    assert found == expected
    # Every task reads exactly the documents its pairs name.
    for task in tasks:
        named = {key[0] for pairs in task.collisions.values() for pair in pairs for key in pair}
        assert named == {path for path, _ in task.files}
    blocks = -(-n // (GROUP_DOCUMENTS // 2))
    assert len(tasks) == blocks  # the hub is read once per block of its partners


def test_densely_paired_documents_are_read_once_per_block_pair_not_once_per_partner():
    n = 2 * GROUP_DOCUMENTS
    files = {d: (f"doc{d}.txt", f"digest{d}") for d in range(n)}
    by_docs = {
        (a, b): {"content": [((f"doc{a}.txt", 0, 9), (f"doc{b}.txt", 0, 9))]}
        for a, b in combinations(range(n), 2)
    }
    tasks = grouped(by_docs, files)
    assert all(len(task.files) <= GROUP_DOCUMENTS for task in tasks)
    assert sum(len(pairs) for task in tasks for pairs in task.collisions.values()) == len(by_docs)
    reads = Counter(path for task in tasks for path, _ in task.files)
    assert set(reads.values()) == {n // (GROUP_DOCUMENTS // 2)}  # 4 reads each, not n - 1
