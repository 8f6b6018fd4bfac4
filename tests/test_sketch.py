"""Sketching (``dedupe.text.sketch``): a document prepared once is signed into one row per
segment long enough to report, and partitions of files are sketched in order."""

from __future__ import annotations

import numpy as np

from dedupe.evaluation.language import generate_text
from dedupe.parameters import CONTENT, VERBATIM, Parameters
from dedupe.read.files import Document
from dedupe.text.prepared import prepare
from dedupe.text.sign import lsh_bands
from dedupe.text.sketch import concat, describe, sign, sketch_files

PARAMS = Parameters()


def _document(path: str, text: str) -> Document:
    return Document(path, text, "utf-8", len(text), 0.0, path)


def _text(seed: int, paragraphs: int = 4) -> str:
    rng = np.random.default_rng(seed)
    return "\n\n".join(generate_text(rng, 60) for _ in range(paragraphs)) + "\n\n" + "Short one."


def test_every_segment_long_enough_is_one_signed_row_with_keys_in_each_band():
    prepared = prepare(_document("a.txt", _text(1)), PARAMS)
    signed = sign(prepared, 7, PARAMS)
    long_enough = [(a, b) for a, b in prepared.segments.tolist() if b - a >= PARAMS.min_words]
    assert signed.ranges.tolist() == [[7, a, b] for a, b in long_enough]
    assert len(signed) == len(long_enough) < len(prepared.segments)  # "Short one." is not
    for family in (VERBATIM, CONTENT):
        bands, _ = lsh_bands(PARAMS.lsh_threshold(family), PARAMS.num_perm)
        assert signed.keys[family].shape == (len(signed), bands)
        assert signed.present[family].all()
    # The word n-gram set of a row is the n-grams of its token range.
    a, b = long_enough[0]
    expected = np.unique(prepared.ngrams[a : b - PARAMS.shingle_size + 1])
    assert signed.verbatim[0].tolist() == expected.tolist()


def test_equal_text_signs_equal_keys_and_other_text_other_keys():
    one = sign(prepare(_document("a.txt", _text(1)), PARAMS), 0, PARAMS)
    again = sign(prepare(_document("b.txt", _text(1)), PARAMS), 1, PARAMS)
    other = sign(prepare(_document("c.txt", _text(2)), PARAMS), 2, PARAMS)
    assert np.array_equal(one.keys[VERBATIM], again.keys[VERBATIM])
    assert not np.isin(other.keys[VERBATIM], one.keys[VERBATIM]).any()


def test_concat_keeps_rows_in_order_and_document_numbers_as_they_are():
    parts = [sign(prepare(_document(f"{k}.txt", _text(k)), PARAMS), k, PARAMS) for k in (3, 5)]
    joined = concat(parts, PARAMS.families())
    assert joined.ranges.tolist() == parts[0].ranges.tolist() + parts[1].ranges.tolist()
    assert len(joined.verbatim) == len(joined) == len(parts[0]) + len(parts[1])
    assert joined.verbatim[len(parts[0])].tolist() == parts[1].verbatim[0].tolist()
    assert len(concat([], PARAMS.families())) == 0


def test_sketch_files_numbers_documents_in_order_and_lists_what_it_skips(tmp_path):
    (tmp_path / "a.txt").write_text(_text(1))
    (tmp_path / "empty.txt").write_text("")
    (tmp_path / "b.txt").write_text(_text(2))
    paths = [str(tmp_path / name) for name in ("a.txt", "empty.txt", "b.txt")]
    sketch = sketch_files(paths, PARAMS)
    assert [d.path for d in sketch.documents] == [paths[0], paths[2]]
    assert [s.path for s in sketch.skipped] == [paths[1]]
    assert set(sketch.signed.ranges[:, 0].tolist()) == {0, 1}
    assert sketch.documents[0] == describe(_document(paths[0], _text(1)), sketch.documents[0].words)
