"""Whole-document duplicates: exact copies, near copies and excerpts grouped around the
copy the keep policy keeps, without chaining."""

from __future__ import annotations

import json
import os
import random
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from dedupe.cli import main
from dedupe.duplicates.find import (
    DuplicateParameters,
    candidate_content_pairs,
    find_duplicate_files,
    find_duplicates,
    fingerprint,
    group_fingerprints,
    size_class,
)
from dedupe.errors import DedupeError
from dedupe.evaluation.language import generate_text
from dedupe.read.files import Document, content_digest


def text(seed: int, words: int) -> str:
    return generate_text(np.random.default_rng(seed), words)


def edit_words(body: str, count: int, seed: int) -> str:
    """``body`` with ``count`` words replaced by made-up ones."""
    words = body.split(" ")
    for k in random.Random(seed).sample(range(len(words)), count):
        words[k] = f"zzq{k}"
    return " ".join(words)


def write(path: Path, body: str, mtime: float) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(body, encoding="utf-8")
    os.utime(path, (mtime, mtime))


def make_collection(root: Path) -> Path:
    """Three exact copies, a document and its (longer) near copy, a document and an
    excerpt of a third of it, and an unrelated file; the excerpt is the oldest file."""
    original = text(1, 600)
    write(root / "orig.txt", original, 3000)
    write(root / "orig_copy.txt", original, 1000)
    write(root / "sub" / "orig_copy2.txt", original, 2000)
    doc = text(2, 800)
    write(root / "doc.txt", doc, 5000)
    write(root / "doc_edited.txt", edit_words(doc, 8, seed=3) + text(3, 30), 4000)
    paras = text(4, 1200).strip().split("\n\n")
    third = len(paras) // 3
    write(root / "full.txt", "\n\n".join(paras) + "\n", 9000)
    write(root / "excerpt.txt", "\n\n".join(paras[third : 2 * third]) + "\n", 100)
    write(root / "unrelated.txt", text(5, 700), 6000)
    return root


def by_name(result) -> dict[str, dict[str, str]]:
    """``{representative name: {member name: relation}}``."""
    return {
        Path(g.representative.path).name: {Path(m.path).name: m.relation for m in g.members}
        for g in result.groups
    }


@pytest.fixture(scope="module")
def collection(tmp_path_factory) -> Path:
    return make_collection(tmp_path_factory.mktemp("collection"))


def test_exact_near_and_contained_copies_are_grouped(collection):
    result = find_duplicate_files([str(collection)], DuplicateParameters(keep="path"))

    assert by_name(result) == {
        "orig.txt": {"orig_copy.txt": "exact", "orig_copy2.txt": "exact"},
        "doc.txt": {"doc_edited.txt": "near"},
        "full.txt": {"excerpt.txt": "contained"},
    }
    assert result.documents == 8
    members = {Path(m.path).name: m for g in result.groups for m in g.members}
    assert members["orig_copy.txt"].jaccard == members["orig_copy.txt"].containment == 1.0
    assert 0.8 <= members["doc_edited.txt"].jaccard < 1.0
    excerpt = members["excerpt.txt"]
    assert excerpt.containment == 1.0
    assert excerpt.jaccard < 0.5
    assert excerpt.words < 500


def test_groups_are_numbered_in_representative_path_order(collection):
    result = find_duplicate_files([str(collection)], DuplicateParameters())
    assert [g.group for g in result.groups] == [1, 2, 3]
    paths = [g.representative.path for g in result.groups]
    assert paths == sorted(paths)


@pytest.mark.parametrize(
    ("keep", "expected"),
    [
        ("oldest", {"orig_copy.txt", "doc_edited.txt", "full.txt"}),
        ("newest", {"orig.txt", "doc.txt", "full.txt"}),
        ("longest", {"orig.txt", "doc_edited.txt", "full.txt"}),
        ("path", {"orig.txt", "doc.txt", "full.txt"}),
    ],
)
def test_keep_policy_picks_the_representative(collection, keep, expected):
    result = find_duplicate_files([str(collection)], DuplicateParameters(keep=keep))
    assert {Path(g.representative.path).name for g in result.groups} == expected
    # Whoever is kept, the same documents end up together.
    by_path = find_duplicate_files([str(collection)], DuplicateParameters(keep="path"))
    assert together(result) == together(by_path)


def together(result) -> list[list[str]]:
    return sorted(
        sorted([g.representative.path, *(m.path for m in g.members)]) for g in result.groups
    )


def test_an_excerpt_never_represents_its_full_document(collection):
    # excerpt.txt is the oldest file of the collection, and the shortest path.
    result = find_duplicate_files([str(collection)], DuplicateParameters(keep="oldest"))
    assert by_name(result)["full.txt"] == {"excerpt.txt": "contained"}


def test_no_chaining_a_b_c(tmp_path):
    """B is the first half of A and the second half of C: A ~ B and B ~ C, A and C
    unrelated. A group gathers only documents directly similar to its representative."""
    a = text(11, 600).split(" ")
    c = text(12, 600).split(" ")
    write(tmp_path / "a.txt", " ".join(a), 1)
    write(tmp_path / "b.txt", " ".join(a[: len(a) // 2] + c[len(c) // 2 :]), 2)
    write(tmp_path / "c.txt", " ".join(c), 3)
    params = DuplicateParameters(threshold=0.3, keep="path")

    result = find_duplicate_files([str(tmp_path)], params)
    assert by_name(result) == {"a.txt": {"b.txt": "near"}}
    # With B kept, A and C are both directly similar to it: one group, not a chain.
    newest = find_duplicate_files(
        [str(tmp_path)], DuplicateParameters(threshold=0.3, keep="newest")
    )
    assert by_name(newest) == {"c.txt": {"b.txt": "near"}}
    os.utime(tmp_path / "b.txt", (9, 9))
    star = find_duplicate_files([str(tmp_path)], DuplicateParameters(threshold=0.3, keep="newest"))
    assert by_name(star) == {"b.txt": {"a.txt": "near", "c.txt": "near"}}


def test_unrelated_documents_form_no_group(tmp_path):
    for k in range(4):
        write(tmp_path / f"u{k}.txt", text(20 + k, 400), k)
    assert find_duplicate_files([str(tmp_path)], DuplicateParameters()).groups == []


def document(path: str, body: str, mtime: float = 0.0) -> Document:
    data = body.encode("utf-8")
    return Document(path, body, "utf-8", len(data), mtime, content_digest(data))


def test_documents_can_come_from_anywhere():
    body = text(30, 500)
    docs = [
        document("mem/one", body),
        document("mem/two", body),
        document("mem/three", edit_words(body, 3, seed=1)),
        document("mem/other", text(31, 500)),
    ]
    result = find_duplicates(docs, DuplicateParameters(keep="path"))
    assert by_name(result) == {"one": {"two": "exact", "three": "near"}}


def test_grouping_does_not_depend_on_input_order():
    body, other = text(40, 600), text(41, 900)
    docs = [
        document("x/a", body, 5),
        document("x/b", body, 5),
        document("x/c", edit_words(body, 4, seed=2), 5),
        document("x/d", other, 5),
        document("x/e", " ".join(other.split(" ")[100:400]), 5),
    ]
    params = DuplicateParameters(keep="oldest")
    fps = [fingerprint(d) for d in docs]
    first = group_fingerprints(fps, params)
    assert group_fingerprints(list(reversed(fps)), params) == first
    assert [g.representative.path for g in first] == ["x/a", "x/d"]


def test_short_documents_are_only_exact_copies():
    docs = [document("s/a", "hi there"), document("s/b", "hi there"), document("s/c", "hi")]
    result = find_duplicates(docs, DuplicateParameters())
    assert by_name(result) == {"a": {"b": "exact"}}


def test_small_excerpts_of_long_documents_are_candidates():
    """Containment candidates come from LSH Ensemble: a 5% excerpt (Jaccard 0.05) is
    found, which no Jaccard LSH at the threshold would find."""
    long_text = text(50, 4000).split(" ")
    docs = [document("l/long", " ".join(long_text))]
    for k, start in enumerate((0, 1000, 3000)):
        docs.append(document(f"l/excerpt{k}", " ".join(long_text[start : start + 200])))
    docs += [document(f"l/noise{k}", text(60 + k, 300 + 200 * k)) for k in range(6)]
    result = find_duplicates(docs, DuplicateParameters())
    assert by_name(result) == {
        "long": {"excerpt0": "contained", "excerpt1": "contained", "excerpt2": "contained"}
    }
    sets = [fingerprint(d).shingles for d in docs]
    assert {(0, 1), (0, 2), (0, 3)} <= candidate_content_pairs(sets, DuplicateParameters())


def test_size_classes_round_up():
    assert size_class(1) == 1
    for size in (2, 7, 100, 101, 12345):
        assert size <= size_class(size) <= size * 1.05 + 1


def test_bad_parameters_are_refused():
    with pytest.raises(DedupeError, match="threshold"):
        find_duplicates([], DuplicateParameters(threshold=0.0))
    with pytest.raises(DedupeError, match="keep"):
        find_duplicates([], DuplicateParameters(keep="biggest"))


# --- command line -------------------------------------------------------------------


def test_cli_json_contract(collection):
    runner = CliRunner()
    args = ["duplicates", str(collection), "--keep", "path", "--format", "json", "--quiet"]
    out = runner.invoke(main, args)
    assert out.exit_code == 0, out.output
    data = json.loads(out.stdout)
    assert set(data) == {"parameters", "groups"}
    assert data["parameters"]["threshold"] == 0.8
    assert data["parameters"]["keep"] == "path"
    group = data["groups"][0]
    assert set(group) == {"group", "representative", "members"}
    assert set(group["representative"]) == {"path", "words", "mtime", "digest"}
    member_keys = {"path", "relation", "jaccard", "containment", "words", "mtime", "digest"}
    assert set(group["members"][0]) == member_keys
    representatives = [Path(g["representative"]["path"]).name for g in data["groups"]]
    assert representatives == ["doc.txt", "full.txt", "orig.txt"]
    # Same input, byte-identical output.
    assert runner.invoke(main, args).stdout == out.stdout


@pytest.mark.parametrize("fmt", ["table", "csv", "jsonl", "markdown"])
def test_cli_other_formats(collection, fmt):
    out = CliRunner().invoke(main, ["duplicates", str(collection), "--format", fmt])
    assert out.exit_code == 0, out.output
    assert "excerpt.txt" in out.stdout
    assert "unrelated.txt" not in out.stdout
    if fmt == "jsonl":
        assert len(out.stdout.splitlines()) == 3
    if fmt == "csv":
        assert out.stdout.splitlines()[0].startswith("group,relation,path,")
    assert "3 duplicate groups" in out.stderr


def test_cli_writes_the_report_to_a_file(collection, tmp_path):
    target = tmp_path / "report.json"
    out = CliRunner().invoke(
        main, ["duplicates", str(collection), "--format", "json", "-o", str(target), "--quiet"]
    )
    assert out.exit_code == 0
    assert out.stdout == "" and out.stderr == ""
    assert len(json.loads(target.read_text())["groups"]) == 3


@pytest.mark.parametrize(
    "args",
    [
        ["duplicates", "{tmp}/no/such/folder"],
        ["duplicates"],
        ["duplicates", "{tmp}", "--threshold", "1.5"],
        ["duplicates", "{tmp}", "--dry-run"],
    ],
)
def test_cli_bad_input_is_one_line_exit_2(args, tmp_path):
    out = CliRunner().invoke(main, [a.format(tmp=tmp_path) for a in args])
    assert out.exit_code == 2
    assert out.stdout == ""
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("dedupe: error: ")
    assert "Traceback" not in out.stderr
