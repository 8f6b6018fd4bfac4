"""The records the stages and reports share: values that compare and hash by content,
cannot be changed once made, and a result whose lists belong to it alone."""

from __future__ import annotations

import dataclasses

import pytest

from dedupe.model import Location, Passage, Reuse, ScanResult, Side
from dedupe.parameters import Parameters

HERE = Location("a.txt", 1, 2, 0, 40)
THERE = Location("b.txt", 3, 3, 10, 50)


def test_locations_and_passages_are_values():
    passage = Passage(1, "verbatim", 1.0, 8, "evidence", HERE, THERE, "text…")
    again = Location("a.txt", 1, 2, 0, 40)
    same = Passage(1, "verbatim", 1.0, 8, "evidence", again, THERE, "text…")
    assert passage == same and hash(passage) == hash(same)
    assert len({passage, same}) == 1
    assert passage.boilerplate is False
    with pytest.raises(dataclasses.FrozenInstanceError):
        passage.kind = "near"


def test_a_reuse_names_its_two_sides_and_an_empty_note_by_default():
    reuse = Reuse(Side(HERE, 0, 8, "text…"), Side(THERE, 2, 10, "text…"), "near", 0.9)
    assert reuse.note == ""
    assert {reuse.a.location.path, reuse.b.location.path} == {"a.txt", "b.txt"}


def test_each_result_has_lists_of_its_own():
    one, two = ScanResult(Parameters(), [], []), ScanResult(Parameters(), [], [])
    one.skipped.append("x")
    one.notes.append("y")
    assert two.skipped == [] and two.notes == []
