"""Obfuscations of planted passages: what each keeps and what it changes."""

from __future__ import annotations

import random
import re

import numpy as np
import pytest

from dedupe.evaluation.language import generate_text, vocabulary
from dedupe.evaluation.obfuscate import obfuscate

from .test_language import words


def test_reword_keeps_function_words():
    sentences = [
        s
        for p in generate_text(np.random.default_rng(3), 300).split("\n\n")
        for s in re.split(r"(?<=\.) ", p.strip())
    ]
    reworded = obfuscate("reword", sentences, random.Random(1))
    function = set(vocabulary().function)
    before = sorted(w for w in words(" ".join(sentences)) if w in function)
    after = sorted(w for w in words(" ".join(reworded)) if w in function)
    assert before == after
    changed = sum(
        a != b for a, b in zip(words(" ".join(sentences)), words(" ".join(reworded)), strict=True)
    )
    assert changed > 0


def test_light_edits_five_to_ten_percent():
    sentences = re.split(r"(?<=\.)\s+", generate_text(np.random.default_rng(4), 400).strip())
    edited = obfuscate("light", sentences, random.Random(2))
    assert len(edited) == len(sentences)
    n_before, n_after = len(" ".join(sentences).split()), len(" ".join(edited).split())
    assert abs(n_before - n_after) <= 0.1 * n_before
    assert edited != sentences


def test_an_unknown_obfuscation_is_refused():
    with pytest.raises(ValueError):
        obfuscate("shred", ["A b c."], random.Random(0))
