"""Quarantine and restore: moves are journaled, nothing is deleted or overwritten, and a
restore brings the collection back byte for byte, or refuses without moving anything."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from dedupe.cli import main
from dedupe.duplicates.find import DuplicateParameters, find_duplicate_files
from dedupe.duplicates.quarantine import file_digest, plan_moves, quarantine, read_journal, restore
from dedupe.errors import DedupeError

from .test_find import make_collection

MOVED = {"orig_copy.txt", "orig_copy2.txt", "doc_edited.txt", "excerpt.txt"}


def tree(root: Path) -> dict[str, tuple[str, float]]:
    """Every file under ``root``: relative path → (digest, mtime)."""
    return {
        str(p.relative_to(root)): (file_digest(str(p)), p.stat().st_mtime)
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def files_in(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())


def run(*args: str):
    return CliRunner().invoke(main, [str(a) for a in args])


@pytest.fixture
def setup(tmp_path) -> tuple[Path, Path]:
    collection = make_collection(tmp_path / "collection")
    return collection, tmp_path / "quarantine"


def quarantined(collection: Path, folder: Path) -> Path:
    """Quarantine the collection's duplicates (keep=path); the journal's path."""
    args = ["--keep", "path", "--quarantine", folder, "--format", "json", "--quiet"]
    out = run("duplicates", collection, *args)
    assert out.exit_code == 0, out.stderr
    journal = json.loads(out.stdout)["journal"]
    assert journal and Path(journal).parent == folder
    return Path(journal)


def test_quarantine_then_restore_is_byte_identical(setup):
    collection, folder = setup
    before = tree(collection)

    journal = quarantined(collection, folder)

    after_move = tree(collection)
    assert {Path(p).name for p in before} - {Path(p).name for p in after_move} == MOVED
    entries = read_journal(str(journal)).entries
    assert len(entries) == len(MOVED)
    for entry in entries:
        assert set(entry) == {"original", "moved_to", "digest", "group", "kept", "reason"}
        assert Path(entry["original"]).is_absolute()
        assert not Path(entry["original"]).exists()
        moved = folder / entry["moved_to"]
        assert file_digest(str(moved)) == entry["digest"]
        assert moved.parts[len(folder.parts)] == str(entry["group"])
        assert Path(entry["kept"]).exists()
    reasons = {Path(e["original"]).name: e["reason"] for e in entries}
    assert reasons["orig_copy.txt"].startswith("exact copy of ")
    assert reasons["doc_edited.txt"].startswith("near duplicate of ")
    assert reasons["excerpt.txt"].startswith("contained in ")
    # The relative path under the collection is kept inside the group folder.
    assert any(e["moved_to"].endswith(os.path.join("sub", "orig_copy2.txt")) for e in entries)

    out = run("restore", journal)
    assert out.exit_code == 0, out.stderr
    assert len(out.stdout.splitlines()) == len(MOVED)
    assert tree(collection) == before
    # Only the journal is left in the quarantine folder: no moved file, no empty folder.
    assert files_in(folder) == [journal.name]
    assert [p for p in folder.iterdir() if p.is_dir()] == []


def test_restoring_twice_does_nothing_the_second_time(setup):
    collection, folder = setup
    before = tree(collection)
    journal = quarantined(collection, folder)
    assert len(restore(str(journal)).restored) == len(MOVED)
    again = restore(str(journal))
    assert again.restored == [] and len(again.in_place) == len(MOVED)
    assert tree(collection) == before


def test_an_interrupted_quarantine_restores(setup):
    """A crash between a journal line and its move leaves a line whose file never
    moved: restore takes it as in place and restores the others."""
    collection, folder = setup
    before = tree(collection)
    journal = quarantined(collection, folder)
    first = read_journal(str(journal)).entries[0]
    os.rename(folder / first["moved_to"], first["original"])  # as if never moved
    result = restore(str(journal))
    assert len(result.restored) == len(MOVED) - 1
    assert [e["original"] for e in result.in_place] == [first["original"]]
    assert tree(collection) == before


def rewrite_journal(journal: Path, change) -> None:
    """Rewrite the journal's entries through ``change``, keeping its header line."""
    header = journal.read_text(encoding="utf-8").splitlines()[0]
    entries = read_journal(str(journal)).entries
    change(entries)
    lines = [header, *(json.dumps(e) for e in entries)]
    journal.write_text("".join(line + "\n" for line in lines), encoding="utf-8")


@pytest.mark.parametrize("spelling", ["relative", "absolute"])
def test_a_journal_pointing_outside_its_folder_is_refused(setup, tmp_path, spelling):
    collection, folder = setup
    journal = quarantined(collection, folder)
    outside = tmp_path / "elsewhere" / "file.txt"
    outside.parent.mkdir()

    def change(entries):
        os.rename(folder / entries[0]["moved_to"], outside)
        entries[0]["moved_to"] = (
            os.path.relpath(outside, folder) if spelling == "relative" else str(outside)
        )

    rewrite_journal(journal, change)
    collection_before, folder_before = tree(collection), tree(folder)

    with pytest.raises(DedupeError, match="outside the quarantine folder"):
        restore(str(journal))
    assert tree(collection) == collection_before
    assert tree(folder) == folder_before
    assert outside.exists()

    out = run("restore", journal)
    assert out.exit_code == 2
    assert out.stderr.count("\n") == 1 and out.stderr.startswith("dedupe: error: refusing")
    assert tree(collection) == collection_before


def test_a_journal_whose_original_exists_again_is_refused(setup):
    collection, folder = setup
    journal = quarantined(collection, folder)
    entries = read_journal(str(journal)).entries
    Path(entries[-1]["original"]).write_text("a new file in its place\n")
    collection_before, folder_before = tree(collection), tree(folder)

    with pytest.raises(DedupeError, match="original path exists again"):
        restore(str(journal))
    assert tree(collection) == collection_before
    assert tree(folder) == folder_before
    assert Path(entries[-1]["original"]).read_text() == "a new file in its place\n"


def test_a_changed_quarantined_file_is_refused(setup):
    collection, folder = setup
    journal = quarantined(collection, folder)
    entry = read_journal(str(journal)).entries[1]
    with open(folder / entry["moved_to"], "a", encoding="utf-8") as handle:
        handle.write("edited\n")
    with pytest.raises(DedupeError, match="does not match"):
        restore(str(journal))
    assert not Path(entry["original"]).exists()


@pytest.mark.parametrize(
    "line", ["not json", "[1, 2]", '{"original": "/x", "digest": "ab"}', '{"moved_to": 3}']
)
def test_a_malformed_journal_is_refused(tmp_path, line):
    journal = tmp_path / "journal.jsonl"
    journal.write_text(f'{{"dedupe_journal": 1, "roots": ["{tmp_path}"]}}\n{line}\n')
    with pytest.raises(DedupeError, match="journal.jsonl:2"):
        restore(str(journal))


def test_a_journal_without_its_header_is_refused(tmp_path):
    journal = tmp_path / "journal.jsonl"
    journal.write_text('{"original": "/x", "moved_to": "1/x", "digest": "ab"}\n')
    with pytest.raises(DedupeError, match="not a dedupe journal"):
        restore(str(journal))


def test_dry_run_moves_nothing(setup):
    collection, folder = setup
    before = tree(collection)
    args = ["--keep", "path", "--quarantine", folder, "--dry-run", "--format", "json"]
    out = run("duplicates", collection, *args)
    assert out.exit_code == 0, out.stderr
    assert tree(collection) == before
    assert not folder.exists()
    data = json.loads(out.stdout)
    assert data["journal"] is None
    assert {Path(m["original"]).name for m in data["moves"]} == MOVED
    assert {m["group"] for m in data["moves"]} == {1, 2, 3}
    moved_to = [m["moved_to"] for g in data["groups"] for m in g["members"]]
    assert all(p.startswith(str(folder)) for p in moved_to)
    assert "would move" in out.stderr
    assert "dry run: 4 files would be moved" in out.stderr


def test_table_shows_the_moves(setup):
    collection, folder = setup
    out = run("duplicates", collection, "--quarantine", folder, "--dry-run")
    assert out.exit_code == 0, out.stderr
    assert "moved_to" in out.stdout.splitlines()[0]
    assert str(folder / "1") in out.stdout


def test_an_existing_target_is_never_overwritten(setup):
    collection, folder = setup
    result = find_duplicate_files([str(collection)], DuplicateParameters())
    moves = plan_moves(result.groups, str(folder))
    Path(moves[1].target).parent.mkdir(parents=True)
    Path(moves[1].target).write_text("already here\n")
    before = tree(collection)
    with pytest.raises(DedupeError, match="refusing to overwrite"):
        quarantine(moves)
    assert tree(collection) == before
    assert Path(moves[1].target).read_text() == "already here\n"
    # Planned afresh, the taken name is made unique instead.
    again = plan_moves(result.groups, str(folder))
    assert again[1].moved_to != moves[1].moved_to
    assert Path(again[1].moved_to).stem.endswith("~1")


def test_a_file_changed_since_it_was_read_is_not_moved(setup):
    collection, folder = setup
    result = find_duplicate_files([str(collection)], DuplicateParameters())
    moves = plan_moves(result.groups, str(folder))
    with open(moves[-1].original, "a", encoding="utf-8") as handle:
        handle.write("late edit\n")
    before = tree(collection)
    with pytest.raises(DedupeError, match="changed since it was read"):
        quarantine(moves)
    assert tree(collection) == before
    assert not folder.exists()


def test_files_inside_the_quarantine_folder_are_not_planned(setup):
    collection, _ = setup
    result = find_duplicate_files([str(collection)], DuplicateParameters())
    with pytest.raises(DedupeError, match="already inside the quarantine folder"):
        plan_moves(result.groups, str(collection))


def test_restore_of_a_missing_journal_is_one_line_exit_2(tmp_path):
    out = run("restore", tmp_path / "nope.jsonl")
    assert out.exit_code == 2
    assert out.stderr.strip() == f"dedupe: error: no such journal: {tmp_path / 'nope.jsonl'}"


def test_a_quarantine_folder_inside_the_collection_is_left_out(setup):
    collection, _ = setup
    folder = collection / "quarantine"
    before = tree(collection)
    journal = quarantined(collection, folder)
    # A second run does not see the quarantined files (or the journal) as documents.
    out = run("duplicates", collection, "--quarantine", folder, "--format", "json")
    assert out.exit_code == 0, out.stderr
    assert json.loads(out.stdout)["groups"] == []
    assert "4 documents compared" in out.stderr
    restore(str(journal))
    assert {k: v for k, v in tree(collection).items() if not k.startswith("quarantine")} == before
