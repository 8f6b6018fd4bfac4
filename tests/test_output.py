"""Writing a report: an output path that is an input, inside a scanned folder or the
index is refused; files are replaced whole; undecodable names are shown as escapes."""

from __future__ import annotations

import os

import pytest

from dedupe.errors import OutputRefused
from dedupe.report.output import check_output, needs_printable, printable, write


def test_inputs_scanned_folders_and_the_index_are_refused(tmp_path):
    source = tmp_path / "in.txt"
    source.write_text("x\n")
    index = tmp_path / "index.sqlite"
    index.write_bytes(b"")
    for output, why in [
        (source, "is an input"),
        (tmp_path / "report.json", "inside the scanned folder"),
        (index, "is the index"),
        (tmp_path / "nowhere" / "r.json", "no such folder"),
    ]:
        inputs = [str(tmp_path)] if why == "inside the scanned folder" else [str(source)]
        with pytest.raises(OutputRefused, match=why):
            check_output(str(output), inputs, [str(index)])
    os.link(source, tmp_path / "hard.txt")
    with pytest.raises(OutputRefused, match="is an input"):
        check_output(str(tmp_path / "hard.txt"), [str(source)])
    check_output(str(tmp_path / "elsewhere.json"), [str(source)])  # allowed


def test_a_file_is_replaced_whole_and_no_partial_file_is_left(tmp_path):
    target = tmp_path / "report.txt"
    target.write_text("old\n")
    write("new\n", str(target))
    assert target.read_text() == "new\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.txt"]


def test_undecodable_bytes_of_a_name_are_shown_as_escapes():
    name = os.fsdecode(b"caf\xe9.txt")
    assert needs_printable([name]) and not needs_printable(["cafe.txt"])
    assert printable(name) == "caf\\xe9.txt"
