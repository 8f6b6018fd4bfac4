"""Stage 8, report: the JSON contract and the other formats."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from dataclasses import asdict, replace
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dedupe.model import Location, Passage, ScanResult, excerpt
from dedupe.parameters import Parameters
from dedupe.pipeline.scan import scan
from dedupe.report.tables import (
    COLUMNS,
    CSV_COLUMNS,
    FORMATS,
    csv_rows,
    pretty_json,
    render,
    rows,
    to_dict,
    without_boilerplate,
)

from .strategies import prose

SHARED = prose(99, sentences=5, words=12)  # 60 words
PARAMS = Parameters()

PASSAGE_KEYS = {
    "cluster", "kind", "similarity", "words", "evidence", "source", "copy", "excerpt",
    "boilerplate",
}  # fmt: skip
LOCATION_KEYS = {"path", "start_line", "end_line", "start_char", "end_char"}
DOCUMENT_KEYS = {"path", "date", "words", "lines", "encoding"}


def _make_corpus(root: Path) -> dict[str, str]:
    """Three files: b.txt copies a paragraph of a.txt (dated two days later); c.txt is
    unrelated."""
    texts = {
        "a.txt": f"Briefing\n\nDec. 9, 2019\n\n{prose(10)}\n\n{SHARED}\n\n{prose(11)}\n",
        "b.txt": f"Digest\n\nDecember 11, 2019\n\n{prose(20)}\n\n{SHARED}\n",
        "c.txt": "Other\n\n" + "\n\n".join(prose(s) for s in range(30, 36)) + "\n",
    }
    root.mkdir(exist_ok=True)
    for name, text in texts.items():
        (root / name).write_text(text, encoding="utf-8")
    return texts


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> tuple[Path, dict[str, str]]:
    root = tmp_path_factory.mktemp("report") / "docs"
    return root, _make_corpus(root)


@pytest.fixture(scope="module")
def result(corpus) -> ScanResult:
    return scan([str(corpus[0])], PARAMS)


def _empty() -> ScanResult:
    return ScanResult(PARAMS, [], [])


def _passage(**changes) -> Passage:
    base = Passage(
        cluster=1,
        kind="near",
        similarity=0.8123,
        words=42,
        evidence="date: source dated 2019-12-09, copy dated 2019-12-11",
        source=Location("src.txt", 3, 5, 100, 400),
        copy=Location("copy, with comma.txt", 1, 2, 0, 300),
        excerpt='He said "yes", then \u201cno\u201d\u2026',
    )
    return replace(base, **changes)


# --- the JSON contract ------------------------------------------------------------


def test_json_has_exactly_the_documented_keys(result):
    data = json.loads(render(result, "json"))
    assert set(data) == {"parameters", "documents", "passages"}
    assert data["parameters"] == asdict(PARAMS)
    assert data["parameters"]["boilerplate_documents"] == 4
    assert data["documents"] and all(set(d) == DOCUMENT_KEYS for d in data["documents"])
    assert data["passages"]
    for passage in data["passages"]:
        assert set(passage) == PASSAGE_KEYS
        assert set(passage["source"]) == LOCATION_KEYS
        assert set(passage["copy"]) == LOCATION_KEYS


def test_json_passage_points_at_the_copied_paragraph(corpus, result):
    root, texts = corpus
    data = json.loads(render(result, "json"))
    (passage,) = data["passages"]
    assert passage["kind"] == "verbatim"
    assert passage["similarity"] == 1.0
    assert passage["words"] == 60
    assert passage["cluster"] == 1
    # a.txt is dated earlier, so it is the source.
    assert passage["evidence"] == "date: source dated 2019-12-09, copy dated 2019-12-11"
    for side, name in (("source", "a.txt"), ("copy", "b.txt")):
        loc = passage[side]
        assert loc["path"] == str(root / name)
        text = texts[name]
        # The span runs from the first to the last word, with the full stop joined to it.
        assert text[loc["start_char"] : loc["end_char"]] == SHARED
        assert loc["start_line"] == loc["end_line"] == text[: text.index(SHARED)].count("\n") + 1
    assert passage["excerpt"] == excerpt(SHARED)


def test_json_documents_carry_dates_and_counts(corpus, result):
    root, texts = corpus
    documents = json.loads(render(result, "json"))["documents"]
    assert [d["path"] for d in documents] == [str(root / n) for n in ("a.txt", "b.txt", "c.txt")]
    assert [d["date"] for d in documents] == ["2019-12-09", "2019-12-11", None]
    for d, name in zip(documents, ("a.txt", "b.txt", "c.txt"), strict=True):
        assert d["lines"] == texts[name].count("\n")
        assert d["encoding"] == "utf-8"
    assert documents[1]["words"] == 1 + 3 + 48 + 60  # title, dateline, two paragraphs


def test_json_keeps_non_ascii_and_ends_with_a_newline():
    text = render(ScanResult(PARAMS, [], [_passage()]), "json")
    assert text.endswith("}\n")
    assert "\u201cno\u201d\u2026" in text  # not \u escapes
    assert json.loads(text)["passages"][0]["excerpt"] == _passage().excerpt


def test_to_dict_round_trips_through_json(result):
    assert json.loads(json.dumps(to_dict(result))) == to_dict(result)


def test_empty_result_is_valid_json_with_no_passages():
    data = json.loads(render(_empty(), "json"))
    assert data == {"parameters": asdict(PARAMS), "documents": [], "passages": []}


# --- JSON lines -------------------------------------------------------------------


def test_jsonl_is_one_passage_object_per_line(result):
    many = replace(result, passages=[*result.passages, _passage(), _passage(cluster=2)])
    lines = render(many, "jsonl").splitlines()
    assert len(lines) == 3
    assert [json.loads(line) for line in lines] == to_dict(many)["passages"]
    assert all(set(json.loads(line)) == PASSAGE_KEYS for line in lines)
    assert render(_empty(), "jsonl") == ""


# --- CSV, table, markdown ---------------------------------------------------------


def test_csv_has_a_header_row_and_round_trips(result):
    many = replace(result, passages=[*result.passages, _passage(), _passage(boilerplate=True)])
    parsed = list(csv.reader(io.StringIO(render(many, "csv"))))
    assert parsed[0] == CSV_COLUMNS == [*COLUMNS, "boilerplate"]
    assert parsed[1:] == [[str(v) for v in row] for row in csv_rows(many)]
    # Fields with commas and quotes survive.
    assert parsed[2][CSV_COLUMNS.index("copy")] == "copy, with comma.txt:1-2"
    assert parsed[2][CSV_COLUMNS.index("excerpt")] == _passage().excerpt
    assert list(csv.reader(io.StringIO(render(_empty(), "csv")))) == [CSV_COLUMNS]


def test_csv_keeps_the_bare_kind_and_a_true_false_boilerplate_column():
    passages = [_passage(), _passage(cluster=2, kind="verbatim", boilerplate=True)]
    records = list(csv.DictReader(io.StringIO(render(ScanResult(PARAMS, [], passages), "csv"))))
    assert [(r["kind"], r["boilerplate"]) for r in records] == [
        ("near", "false"),
        ("verbatim", "true"),
    ]


def test_rows_format_locations_and_similarity():
    (row,) = rows(ScanResult(PARAMS, [], [_passage()]))
    assert row == [
        1,
        "src.txt:3-5",
        "copy, with comma.txt:1-2",
        "near",
        "0.81",
        42,
        "date: source dated 2019-12-09, copy dated 2019-12-11",
        _passage().excerpt,
    ]


def test_table_and_markdown_mark_boilerplate_in_the_kind_column():
    passages = [_passage(), _passage(cluster=2, kind="verbatim", boilerplate=True)]
    many = ScanResult(PARAMS, [], passages)
    assert [row[COLUMNS.index("kind")] for row in rows(many)] == ["near", "verbatim (boilerplate)"]
    for fmt in ("table", "markdown"):
        lines = render(many, fmt).splitlines()
        assert "(boilerplate)" not in lines[2]
        assert "verbatim (boilerplate)" in lines[3]


def test_json_and_jsonl_carry_the_boilerplate_field():
    passages = [_passage(), _passage(cluster=2, boilerplate=True)]
    many = ScanResult(PARAMS, [], passages)
    assert [p["boilerplate"] for p in json.loads(render(many, "json"))["passages"]] == [
        False,
        True,
    ]
    lines = render(many, "jsonl").splitlines()
    assert [json.loads(line)["boilerplate"] for line in lines] == [False, True]


@pytest.mark.parametrize("fmt", FORMATS)
def test_without_boilerplate_leaves_it_out_of_every_format(fmt):
    kept = [_passage(cluster=1, excerpt="kept one"), _passage(cluster=3, excerpt="kept two")]
    hidden = _passage(cluster=2, excerpt="furniture", boilerplate=True)
    full = ScanResult(PARAMS, [], [kept[0], hidden, kept[1]])
    shown = without_boilerplate(full)
    assert shown.passages == kept  # the others keep their cluster numbers
    assert full.passages == [kept[0], hidden, kept[1]]  # not changed in place
    text = render(shown, fmt)
    assert "furniture" not in text and "boilerplate)" not in text
    assert "kept one" in text and "kept two" in text
    assert render(shown, fmt) == render(ScanResult(PARAMS, [], kept), fmt)


def test_without_boilerplate_can_leave_nothing():
    shown = without_boilerplate(ScanResult(PARAMS, [], [_passage(boilerplate=True)]))
    assert render(shown, "table") == "No reused passages found.\n"
    assert json.loads(render(shown, "json"))["passages"] == []


def test_table_lists_the_passage_under_the_headers(corpus, result):
    root, _ = corpus
    lines = render(result, "table").splitlines()
    assert lines[0].split() == COLUMNS
    assert len(lines) == 3  # header, rule, one passage
    assert f"{root / 'a.txt'}:7-7" in lines[2] and f"{root / 'b.txt'}:7-7" in lines[2]


@pytest.mark.parametrize("fmt", ["table", "markdown"])
def test_table_formats_say_so_when_nothing_was_found(fmt):
    assert render(_empty(), fmt) == "No reused passages found.\n"


def test_markdown_is_a_pipe_table():
    lines = render(ScanResult(PARAMS, [], [_passage()]), "markdown").splitlines()
    assert len(lines) == 3
    assert all(line.startswith("|") and line.endswith("|") for line in lines)
    assert [cell.strip() for cell in lines[0].strip("|").split("|")] == COLUMNS


def test_markdown_row_keeps_its_columns_when_a_cell_holds_a_pipe():
    passage = _passage(excerpt="China.org.cn | December 11, 2019")
    lines = render(ScanResult(PARAMS, [], [passage]), "markdown").splitlines()
    columns = [line.replace("\\|", "").count("|") for line in lines]
    assert columns[2] == columns[0]


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_format_ends_with_a_newline(result, fmt):
    assert render(result, fmt).endswith("\n")


# --- determinism ------------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_same_scan_twice_gives_byte_identical_output(corpus, result, fmt):
    again = scan([str(corpus[0])], PARAMS)
    assert render(again, fmt).encode() == render(result, fmt).encode()


_RENDER = (
    "import sys; from dedupe.pipeline.scan import scan; from dedupe.parameters import Parameters; "
    "from dedupe.report.tables import render; "
    "sys.stdout.write(render(scan([sys.argv[1]], Parameters()), 'json'))"
)


def test_json_is_byte_identical_across_processes_with_different_hash_seeds(tmp_path):
    root = tmp_path / "docs"
    _make_corpus(root)
    corpus = Path(__file__).resolve().parent.parent / "corpus"
    for source in sorted(corpus.glob("*.txt")):
        (root / source.name).write_bytes(source.read_bytes())
    outputs = []
    for seed in ("0", "12345"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        done = subprocess.run(
            [sys.executable, "-c", _RENDER, str(root)],
            env=env,
            capture_output=True,
            check=True,
            cwd=tmp_path,
        )
        outputs.append(done.stdout)
    assert outputs[0] == outputs[1]
    assert len(json.loads(outputs[0])["passages"]) >= 2


def test_offsets_count_every_character_of_crlf_files(tmp_path):
    root = tmp_path / "docs"
    root.mkdir()
    texts = {
        "dos.txt": f"Briefing\r\nDec. 9, 2019\r\n\r\n{prose(3)}\r\n\r\n{SHARED}\r\n",
        "unix.txt": f"Digest\nDec. 12, 2019\n\n{prose(4)}\n\n{SHARED}\n\n{prose(5)}\n",
    }
    for name, text in texts.items():
        (root / name).write_bytes(text.encode("utf-8"))
    data = json.loads(render(scan([str(root)], PARAMS), "json"))
    (passage,) = data["passages"]
    assert passage["kind"] == "verbatim"
    for side, name in (("source", "dos.txt"), ("copy", "unix.txt")):
        loc = passage[side]
        assert loc["path"] == str(root / name)
        with open(root / name, encoding="utf-8", newline="") as handle:
            text = handle.read()
        assert text[loc["start_char"] : loc["end_char"]] == SHARED
        # Both files hold the paragraph on line 6 (title, dateline, blank, prose, blank).
        assert loc["start_line"] == loc["end_line"] == 6
        assert text[: loc["start_char"]].count("\n") + 1 == 6


def test_rows_on_the_same_lines_show_their_characters(corpus_scan):
    """Two passages between the same lines of the same files differ in the table."""
    table = rows(corpus_scan)
    places = [(row[1], row[2]) for row in table]
    assert len(set(places)) == len(places)
    assert any("(chars " in row[1] for row in table)  # corpus/ has such a pair (001:37)
    assert all("(chars " not in row[1] for row in table if row[1].endswith(":31-31"))


def test_to_dict_lists_each_passage_as_asdict_would(result):
    assert result.passages
    assert to_dict(result)["passages"] == [asdict(p) for p in result.passages]


REPORT_TEXT = st.text(st.characters(blacklist_categories=("Cs",)))  # no lone surrogates
REPORT_NUMBERS = st.integers(-(2**63), 2**63 - 1) | st.floats(0, 1e6).map(lambda x: round(x, 4))
REPORT_VALUES = st.recursive(
    st.none() | st.booleans() | REPORT_NUMBERS | REPORT_TEXT,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(REPORT_TEXT, inner, max_size=4),
    max_leaves=30,
)


@given(st.dictionaries(REPORT_TEXT, REPORT_VALUES, max_size=5))
def test_pretty_json_is_the_standard_librarys_indented_json(value):
    assert pretty_json(value) == json.dumps(value, indent=2, ensure_ascii=False) + "\n"
