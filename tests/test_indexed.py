"""The drivers through an index: scan --index reports what a plain scan does, reading
only what changed; query names indexed sources."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np

from dedupe.evaluation.language import generate_text
from dedupe.parameters import Parameters
from dedupe.pipeline.indexed import query, scan_indexed
from dedupe.pipeline.scan import scan
from dedupe.report.tables import to_dict
from dedupe.store.index import Index
from dedupe.text import prepared as prepared_module

from .conftest import CORPUS
from .strategies import write_docs


def test_query_of_a_planted_excerpt_names_the_indexed_source_and_lines(tmp_path):
    collection = tmp_path / "collection"
    docs = write_docs(collection, 5, words=900)
    source_paragraphs = docs[3].read_text().split("\n\n")
    excerpt = tmp_path / "accession.txt"
    excerpt.write_text(
        generate_text(np.random.default_rng(77), 200) + "\n" + source_paragraphs[2] + "\n"
    )
    with Index(str(tmp_path / "i.sqlite"), Parameters()) as index:
        index.add([str(collection)])
        result = query([str(excerpt)], index)
    assert len(result.passages) == 1
    passage = result.passages[0]
    paths = {passage.source.path, passage.copy.path}
    assert paths == {str(docs[3].resolve()), str(excerpt)}
    held = docs[3] if passage.source.path == str(docs[3].resolve()) else excerpt
    located = passage.source if held == docs[3] else passage.copy
    text = docs[3].read_text()
    line = text[: text.index(source_paragraphs[2])].count("\n") + 1
    assert located.start_line == located.end_line == line


def test_query_aligns_a_licence_many_indexed_documents_hold_against_one_of_them(tmp_path):
    # The licence is in eight indexed documents and in the accession: a family, aligned
    # against its source only and marked, not eight passages.
    docs = write_docs(tmp_path / "collection", 8, words=500)
    licence = generate_text(np.random.default_rng(5), 160)
    for doc in docs:
        doc.write_text(licence + "\n\n" + doc.read_text())
    quoted = docs[3].read_text().split("\n\n")[3]
    accession = tmp_path / "accession.txt"
    own = generate_text(np.random.default_rng(77), 200)
    accession.write_text(licence + "\n\n" + own + "\n\n" + quoted + "\n")
    with Index(str(tmp_path / "i.sqlite"), Parameters()) as index:
        index.add([str(tmp_path / "collection")])
        result = query([str(accession)], index)
    marked = [p for p in result.passages if p.boilerplate]
    assert len(marked) == 1 and marked[0].excerpt.split()[:3] == licence.split()[:3]
    [quote] = [p for p in result.passages if not p.boilerplate]
    assert {quote.source.path, quote.copy.path} == {str(docs[3].resolve()), str(accession)}


def test_query_of_a_file_byte_identical_to_an_indexed_one_is_one_whole_passage(tmp_path):
    docs = write_docs(tmp_path / "collection", 4, words=600)
    accession = tmp_path / "accession.txt"
    accession.write_bytes(docs[2].read_bytes())
    with Index(str(tmp_path / "i.sqlite"), Parameters()) as index:
        index.add([str(tmp_path / "collection")])
        result = query([str(accession)], index)
    [whole] = result.passages
    words = {d.path: d.words for d in result.documents}
    assert whole.kind == "verbatim" and whole.words == words[str(accession)]
    assert {whole.source.path, whole.copy.path} == {str(docs[2].resolve()), str(accession)}


def test_query_finds_what_a_scan_of_the_collection_and_the_file_finds_for_it(tmp_path):
    collection = tmp_path / "collection"
    shutil.copytree(CORPUS, collection)
    # 002, which shares with 003; named to come after the collection, as a query numbers it
    # (a paraphrase's alignment depends on which document comes first).
    accession = tmp_path / "zz_accession.txt"
    shutil.move(sorted(collection.iterdir())[2], accession)
    params = Parameters()

    def found(passages: list) -> list[tuple]:
        return sorted(
            (Path(p.source.path).name, Path(p.copy.path).name, p.kind, p.words, p.boilerplate)
            for p in passages
            if accession.name in (Path(p.source.path).name, Path(p.copy.path).name)
        )

    with Index(str(tmp_path / "i.sqlite"), params) as index:
        index.add([str(collection)])
        queried = query([str(accession)], index)
    scanned = scan([str(collection), str(accession)], params)
    assert found(queried.passages) == found(scanned.passages)
    assert len(found(queried.passages)) >= 2


def test_scan_through_the_index_reports_what_a_plain_scan_does(tmp_path):
    params = Parameters()
    with Index(str(tmp_path / "i.sqlite"), params) as index:
        indexed, stats = scan_indexed([str(CORPUS)], index)
        again, stats_again = scan_indexed([str(CORPUS)], index)
    plain = scan([str(CORPUS)], params)
    assert len(stats.signed) == 5 and stats_again.signed == []
    assert to_dict(indexed) == to_dict(plain) == to_dict(again)


def test_rescan_after_an_addition_reads_only_the_new_file_and_its_partners(tmp_path, monkeypatch):
    import dedupe.store.records as records_module

    folder = tmp_path / "collection"
    docs = write_docs(folder, 8, words=700)
    paragraphs = [d.read_text().split("\n\n") for d in docs]
    docs[1].write_text("\n\n".join(paragraphs[1][:2] + [paragraphs[0][1]] + paragraphs[1][2:]))
    params = Parameters(paraphrase=False)
    with Index(str(tmp_path / "i.sqlite"), params) as index:
        first, _ = scan_indexed([str(folder)], index)
        assert to_dict(first) == to_dict(scan([str(folder)], params))
        assert len(first.passages) == 1

        added = folder / "new.txt"
        added.write_text(generate_text(np.random.default_rng(999), 300) + "\n" + paragraphs[5][2])
        reads = []
        real_read, real_reread = records_module.read_whole, prepared_module.read_document
        monkeypatch.setattr(records_module, "read_whole", lambda p: reads.append(p) or real_read(p))
        monkeypatch.setattr(
            prepared_module, "read_document", lambda p: reads.append(p) or real_reread(p)
        )
        second, stats = scan_indexed([str(folder)], index)

    assert stats.signed == [str(added)]
    # The new file is read once, to sign it (alignment takes it as prepared then), its
    # partner to align it; the other seven documents are not read at all.
    assert sorted(Path(p).name for p in reads) == ["doc005.txt", "new.txt"]
    assert to_dict(second) == to_dict(scan([str(folder)], params))
    assert len(second.passages) == 2


def test_byte_identical_copies_are_reported_as_a_scan_reports_them(tmp_path):
    folder = tmp_path / "c"
    shutil.copytree(CORPUS, folder)
    first = sorted(folder.iterdir())[1]
    shutil.copy(first, folder / "zz_copy.txt")
    params = Parameters()
    with Index(str(tmp_path / "i.sqlite"), params) as index:
        indexed, _ = scan_indexed([str(folder)], index)
    plain = scan([str(folder)], params)
    copies = [p for p in plain.passages if p.copy.path.endswith("zz_copy.txt")]
    assert len(copies) == 1 and copies[0].kind == "verbatim"
    assert to_dict(indexed) == to_dict(plain)


def test_scan_through_a_new_index_reports_boilerplate_families_as_a_plain_scan_does(tmp_path):
    # A licence in ten documents (three of them with a line of their own added) and one
    # paragraph quoted between two: the scan pairs the licence's copies with one source
    # (families), and the index must find the same.
    folder = tmp_path / "collection"
    docs = write_docs(folder, 10, words=500)
    licence = generate_text(np.random.default_rng(5), 160)
    for k, doc in enumerate(docs):
        own = f"Line {k} of this copy is its own." if k % 3 == 0 else ""
        doc.write_text(doc.read_text() + "\n\n" + licence + own + "\n")
    quoted = docs[2].read_text().split("\n\n")[1]
    docs[7].write_text(docs[7].read_text() + "\n\n" + quoted + "\n")
    params = Parameters()
    plain = scan([str(folder)], params)
    with Index(str(tmp_path / "i.sqlite"), params) as index:
        indexed, _ = scan_indexed([str(folder)], index)
    assert sum(p.boilerplate for p in plain.passages) >= 9
    assert any(not p.boilerplate for p in plain.passages)
    assert to_dict(indexed) == to_dict(plain)


def test_scan_through_the_index_with_another_boilerplate_threshold_is_a_scan_with_it(tmp_path):
    # The families a scan aligns depend on --boilerplate-documents: results stored with
    # one threshold are not those of another.
    folder = tmp_path / "collection"
    docs = write_docs(folder, 6, words=400)
    licence = generate_text(np.random.default_rng(5), 160)
    for doc in docs:
        doc.write_text(doc.read_text() + "\n\n" + licence + "\n")
    with Index(str(tmp_path / "i.sqlite"), Parameters()) as index:
        scan_indexed([str(folder)], index)
    wider = Parameters(boilerplate_documents=7)
    with Index(str(tmp_path / "i.sqlite"), wider) as index:
        indexed, _ = scan_indexed([str(folder)], index)
    plain = scan([str(folder)], wider)
    assert len(plain.passages) == 15  # six documents above the threshold: every pair
    assert to_dict(indexed) == to_dict(plain)


def test_a_document_scanned_through_the_index_is_aligned_with_every_indexed_one(tmp_path):
    # Two folders scanned one after the other into one index, then together: the
    # passage between them is found though neither scan named both folders.
    first, second = tmp_path / "first", tmp_path / "second"
    ones, twos = write_docs(first, 3, words=500), write_docs(second, 3, words=500, seed=50)
    quoted = ones[1].read_text().split("\n\n")[1]
    twos[2].write_text(twos[2].read_text() + "\n\n" + quoted + "\n")
    params = Parameters()
    with Index(str(tmp_path / "i.sqlite"), params) as index:
        alone, _ = scan_indexed([str(first)], index)
        scan_indexed([str(second)], index)
        both, stats = scan_indexed([str(first), str(second)], index)
    assert alone.passages == [] and stats.signed == []
    assert len(both.passages) == 1
    assert to_dict(both) == to_dict(scan([str(first), str(second)], params))
