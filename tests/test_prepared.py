"""A document prepared once: tokens with their character spans, hashes, segments and
sentence starts; kept in a store the workers share and prepared again only when the file
is unchanged."""

from __future__ import annotations

import numpy as np

from dedupe.parameters import Parameters
from dedupe.read.formats import read_document
from dedupe.text.prepared import PreparedCache, prepare, prepared_again, prepared_store

from .strategies import make_document, prose

PARAMS = Parameters()


def test_tokens_keep_their_character_spans_and_segments_cover_paragraphs():
    text = f"{prose(1, sentences=4)}\n\n{prose(2, sentences=4)}\n"
    prepared = prepare(make_document(text), PARAMS)
    words = [text[s:e] for s, e in zip(prepared.starts, prepared.ends, strict=True)]
    assert " ".join(words).lower().split()[:3] == text.lower().split()[:3]
    assert prepared.words == len(words) == len(prepared.ngrams) + PARAMS.shingle_size - 1
    second = text.index(prose(2, sentences=4))
    assert int(np.searchsorted(prepared.starts, second)) in prepared.breaks
    assert prepared.segments[0][0] == 0 and prepared.segments[-1][1] == prepared.words
    assert list(prepared.sentences) == sorted(prepared.sentences)


def test_equal_words_hash_equal_whatever_their_case():
    prepared = prepare(make_document("Harbour bridge. harbour BRIDGE.\n"), PARAMS)
    assert prepared.hashes[0] == prepared.hashes[2] and prepared.hashes[1] == prepared.hashes[3]


def test_the_store_gives_back_what_was_put_and_is_removed_after(tmp_path):
    prepared = prepare(make_document(prose(3), path="a.txt"), PARAMS)
    with prepared_store(str(tmp_path)) as store:
        store.put(prepared)
        again = store.get("a.txt", prepared.doc.digest)
        folder = store.folder
    assert again.doc == prepared.doc and np.array_equal(again.hashes, prepared.hashes)
    assert not (tmp_path / folder).exists()


def test_a_changed_file_is_left_out_with_a_note(tmp_path):
    path = tmp_path / "a.txt"
    path.write_text(prose(4) + "\n")
    digest = read_document(str(path)).digest
    found, notes = prepared_again([(str(path), digest)], PARAMS, "changed")
    assert [p.doc.path for p in found] == [str(path)] and notes == []
    path.write_text(prose(5) + "\n")
    other = Parameters(shingle_size=4)  # not in the cache under these settings
    found, notes = prepared_again([(str(path), digest)], other, "changed")
    assert found == [] and notes == [f"{path}: changed"]


def test_the_cache_lets_the_oldest_go_past_its_word_budget():
    docs = [prepare(make_document(prose(k), path=f"{k}.txt"), PARAMS) for k in range(3)]
    cache = PreparedCache(words=docs[0].words + docs[1].words)
    for doc in docs:
        cache.put(doc, PARAMS)
    assert cache.get("0.txt", docs[0].doc.digest, PARAMS) is None
    assert cache.get("2.txt", docs[2].doc.digest, PARAMS) is docs[2]
