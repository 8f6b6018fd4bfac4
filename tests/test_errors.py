"""The error taxonomy: each error a user can cause has a class in the library's terms,
the tree the module documents is the tree of classes, and the CLI reports each as one
line with exit code 2."""

from __future__ import annotations

import inspect
import json
import re

import pytest
from click.testing import CliRunner

from dedupe import errors
from dedupe.cli import main
from dedupe.duplicates.quarantine import read_journal
from dedupe.errors import DedupeError, InvalidParameter, MissingInput, UnreadableInput
from dedupe.provenance.boilerplate import mark_boilerplate


def documented_tree() -> dict[str, str]:
    """Each class the module docstring lists, with the class it is indented under."""
    parents: dict[str, str] = {}
    stack: list[tuple[int, str]] = []
    for line in errors.__doc__.splitlines():
        match = re.match(r"( *)([A-Z]\w+)(\s|$)", line)
        if not match or not match.group(2).endswith(
            ("Error", "Input", "Index", "Mismatch", "Parameter", "Refused", "Unavailable")
        ):
            continue
        depth = len(match.group(1))
        while stack and stack[-1][0] >= depth:
            stack.pop()
        parents[match.group(2)] = stack[-1][1] if stack else ""
        stack.append((depth, match.group(2)))
    return parents


def test_the_documented_tree_is_the_class_tree():
    classes = {
        name: cls
        for name, cls in inspect.getmembers(errors, inspect.isclass)
        if issubclass(cls, DedupeError)
    }
    actual = {
        name: ("" if cls is DedupeError else cls.__bases__[0].__name__)
        for name, cls in classes.items()
    }
    assert documented_tree() == actual


def test_a_boilerplate_threshold_below_three_names_its_setting():
    with pytest.raises(InvalidParameter) as refused:
        mark_boilerplate([], 2)
    assert refused.value.name == "boilerplate_documents"


def test_journals_missing_or_malformed(tmp_path):
    with pytest.raises(MissingInput):
        read_journal(str(tmp_path / "none.jsonl"))
    bad = tmp_path / "bad.jsonl"
    bad.write_text("not json\n{}\n")
    with pytest.raises(UnreadableInput):
        read_journal(str(bad))
    headless = tmp_path / "headless.jsonl"
    headless.write_text(json.dumps({"original": "a", "moved_to": "b", "digest": "c"}) + "\n")
    with pytest.raises(UnreadableInput, match="not a dedupe journal"):
        read_journal(str(headless))


@pytest.mark.parametrize(
    "args, words",
    [
        (["restore", "nowhere.jsonl"], "no such journal"),
        (["index", "status", "--index", "nowhere.sqlite"], "create it with: dedupe index add"),
        (["scan", "corpus", "--dask", "local:0"], "--dask"),
    ],
)
def test_the_cli_reports_each_as_one_line_with_exit_code_2(args, words, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "corpus").mkdir()
    (tmp_path / "corpus" / "a.txt").write_text("a few words\n")
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2
    assert result.stderr.startswith("dedupe: error: ") and result.stderr.count("\n") == 1
    assert words in result.stderr
