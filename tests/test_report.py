"""Duplicate groups as the user reads them: the JSON contract, JSON lines, tables, and
where each member would be moved when quarantining."""

from __future__ import annotations

import csv
import io
import json

import pytest

from dedupe.duplicates.find import DuplicateParameters, find_duplicates
from dedupe.duplicates.quarantine import Move
from dedupe.duplicates.report import render, to_dict
from dedupe.errors import InvalidParameter

from .test_find import document, text


@pytest.fixture(scope="module")
def result():
    body = text(40, 500)
    docs = [
        document("a/one.txt", body),
        document("a/two.txt", body),
        document("b.txt", text(41, 500)),
    ]
    return find_duplicates(docs, DuplicateParameters(keep="path"))


def test_the_json_contract_names_parameters_groups_and_members(result):
    out = to_dict(result)
    assert set(out) == {"parameters", "groups"}
    assert out["parameters"]["keep"] == "path"
    (group,) = out["groups"]
    assert group["representative"]["path"] == "a/one.txt"
    assert [(m["path"], m["relation"]) for m in group["members"]] == [("a/two.txt", "exact")]
    assert json.loads(render(result, "json")) == out


def test_quarantining_adds_each_members_target_and_the_journal(result):
    member = result.groups[0].members[0]
    original = "/c/a/two.txt"
    moves = [
        Move(member.path, original, "/q", "1/a/two.txt", member.digest, 1, "/c/a/one.txt", "exact")
    ]
    out = to_dict(result, moves, "q/journal.jsonl")
    assert out["groups"][0]["members"][0]["moved_to"] == "/q/1/a/two.txt"
    assert out["journal"] == "q/journal.jsonl" and len(out["moves"]) == 1


def test_json_lines_table_and_csv_hold_the_same_groups(result):
    lines = render(result, "jsonl").splitlines()
    assert [json.loads(line) for line in lines] == to_dict(result)["groups"]
    rows = list(csv.DictReader(io.StringIO(render(result, "csv"))))
    assert {r["path"] for r in rows} >= {"a/two.txt"}
    assert "a/two.txt" in render(result, "table")


def test_no_groups_and_an_unknown_format():
    empty = find_duplicates([document("x.txt", text(42, 300))], DuplicateParameters())
    assert render(empty, "table") == "No duplicate documents found.\n"
    with pytest.raises(InvalidParameter) as refused:
        render(empty, "yaml")
    assert refused.value.name == "format"
