"""Stage 1, read: finding files, decoding them, skipping what cannot be used."""

from __future__ import annotations

import dataclasses
import os
import random
import zlib
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from dedupe.cli import main
from dedupe.errors import DedupeError
from dedupe.read.files import Document, Skipped, decoding_note, list_files, read_file
from dedupe.read.formats import read_document, read_documents, read_paths

from .strategies import make_document

CORPUS = Path(__file__).resolve().parent.parent / "corpus"

# English prose whose only non-ASCII characters (curly quotes, apostrophes, e-acute,
# en and em dashes) are spelled the same in cp1252 and its Central European sibling.
CP1252_PROSE = (
    "The caf\u00e9 on the corner closed last winter. \u201cWe could not pay the rent,\u201d "
    "the owner said \u2013 and the r\u00e9sum\u00e9 she sent out the next week listed "
    "twelve years of running it.\n\n"
    "Regulars were unhappy. \u201cIt\u2019s the only place that opened at six,\u201d one "
    "of them told the local paper \u2014 which ran the story on page three.\n"
)


def _write(path: Path, data: bytes | str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        path.write_text(data, encoding="utf-8", newline="")
    else:
        path.write_bytes(data)
    return path


# --- finding files ----------------------------------------------------------------


def test_missing_path_raises_dedupe_error(tmp_path):
    with pytest.raises(DedupeError, match="no-such-thing"):
        list_files([str(tmp_path / "no-such-thing")])
    with pytest.raises(DedupeError):
        read_paths([str(tmp_path / "no-such-thing")])


def test_missing_path_among_good_ones_still_raises(tmp_path):
    good = _write(tmp_path / "a.txt", "hello there\n")
    with pytest.raises(DedupeError):
        read_paths([str(good), str(tmp_path / "gone.txt")])


def test_hidden_files_and_folders_are_skipped(tmp_path):
    _write(tmp_path / "seen.txt", "visible\n")
    _write(tmp_path / ".hidden.txt", "hidden file\n")
    _write(tmp_path / ".git" / "config.txt", "hidden folder\n")
    _write(tmp_path / "sub" / ".cache" / "deep.txt", "hidden folder deeper down\n")
    _write(tmp_path / "sub" / "also-seen.txt", "visible too\n")
    found = [Path(p).relative_to(tmp_path).as_posix() for p in list_files([str(tmp_path)]).files]
    assert found == ["seen.txt", "sub/also-seen.txt"]


def test_folders_are_read_recursively_in_sorted_order(tmp_path):
    names = ["b.txt", "a/z.txt", "a/b/c/deep.txt", "c.txt", "a/a.txt", "0.txt"]
    for name in reversed(names):
        _write(tmp_path / name, f"text of {name}\n")
    found = list_files([str(tmp_path)]).files
    assert len(found) == len(names)
    assert found == sorted(found)
    assert {Path(p).relative_to(tmp_path).as_posix() for p in found} == set(names)
    # Deterministic: the same call gives the same list, and the documents come in it.
    assert list_files([str(tmp_path)]).files == found
    assert [d.path for d in read_paths([str(tmp_path)]).documents] == found


def test_a_file_named_twice_is_read_once(tmp_path):
    one = _write(tmp_path / "one.txt", "only once\n")
    found = list_files([str(tmp_path), str(one), str(tmp_path / "." / "one.txt")]).files
    assert found == [os.path.normpath(one)]


def test_a_hidden_file_named_explicitly_is_read(tmp_path):
    hidden = _write(tmp_path / ".notes.txt", "asked for by name\n")
    assert list_files([str(hidden)]).files == [str(hidden)]


# --- decoding ---------------------------------------------------------------------


def test_plain_utf8_file(tmp_path):
    text = "Caf\u00e9 \u201cquoted\u201d \u2014 \u4e2d\u6587 text.\n"
    doc = read_file(str(_write(tmp_path / "u.txt", text)))
    assert isinstance(doc, Document)
    assert doc.text == text
    assert doc.encoding == "utf-8"
    assert doc.size == len(text.encode("utf-8"))


def test_empty_and_whitespace_only_files_are_skipped(tmp_path):
    empty = _write(tmp_path / "empty.txt", b"")
    blank = _write(tmp_path / "blank.txt", b"  \r\n\n\t \n")
    assert read_file(str(empty)) == Skipped(str(empty), "empty")
    assert read_file(str(blank)) == Skipped(str(blank), "empty")


@pytest.mark.parametrize(
    "data",
    [b"\xef\xbb\xbf", b"\xef\xbb\xbf\r\n  \r\n", " \r\n".encode("utf-16")],
    ids=["utf8-bom", "utf8-bom-blank", "utf16-blank"],
)
def test_files_with_only_a_bom_and_blanks_are_skipped_as_empty(tmp_path, data):
    path = _write(tmp_path / "bom.txt", data)
    assert read_file(str(path)) == Skipped(str(path), "empty")


@pytest.mark.parametrize(
    "data",
    [
        bytes(range(256)) * 20,
        zlib.compress(random.Random(7).randbytes(4000)),
        random.Random(8).randbytes(3000),
        b"\x00\x01\x02\x03" * 500,
    ],
    ids=["all-bytes", "zlib", "random", "nul-heavy"],
)
def test_binary_files_are_skipped(tmp_path, data):
    path = _write(tmp_path / "blob.bin", data)
    assert read_file(str(path)) == Skipped(str(path), "binary")


def test_text_with_a_few_control_characters_is_still_text(tmp_path):
    # One form feed and one escape in a long file is under the 1% rule.
    text = "page one\f" + "ordinary words here. " * 50 + "\x1b\n"
    doc = read_file(str(_write(tmp_path / "t.txt", text)))
    assert isinstance(doc, Document) and doc.text == text


def test_cp1252_file_with_curly_quotes_and_accents(tmp_path):
    data = CP1252_PROSE.encode("cp1252")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")  # so the detector, not the UTF-8 path, is what is tested
    doc = read_file(str(_write(tmp_path / "win.txt", data)))
    assert isinstance(doc, Document)
    assert doc.text == CP1252_PROSE
    assert doc.encoding != "utf-8"
    notes = read_paths([str(tmp_path)]).notes
    assert notes == [f"{tmp_path / 'win.txt'}: decoded as {doc.encoding}"]


def test_cp1252_french_text_decodes_to_the_original(tmp_path):
    text = (
        "L\u2019\u00e9t\u00e9 dernier, \u00e0 Paris, le caf\u00e9 du coin \u00e9tait "
        "ferm\u00e9. Le g\u00e9rant, na\u00eff et ent\u00eat\u00e9, a d\u00e9clar\u00e9 "
        "\u00ab nous rouvrirons \u00e0 No\u00ebl \u00bb. Les habitu\u00e9s ont d\u00fb "
        "trouver un autre endroit pour boire leur caf\u00e9 cr\u00e8me.\n"
    ) * 4
    doc = read_file(str(_write(tmp_path / "fr.txt", text.encode("cp1252"))))
    assert isinstance(doc, Document)
    assert doc.text == text


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-le", "utf-16-be"])
def test_utf16_with_bom(tmp_path, codec):
    bom = {"utf-16": b"", "utf-16-le": b"\xff\xfe", "utf-16-be": b"\xfe\xff"}[codec]
    data = bom + CP1252_PROSE.encode(codec)
    doc = read_file(str(_write(tmp_path / "w.txt", data)))
    assert isinstance(doc, Document)
    assert doc.text == CP1252_PROSE  # no BOM character left at the start
    assert "16" in doc.encoding


def test_utf8_with_bom(tmp_path):
    doc = read_file(str(_write(tmp_path / "bom.txt", b"\xef\xbb\xbf" + "Caf\u00e9.\n".encode())))
    assert isinstance(doc, Document)
    assert doc.text == "Caf\u00e9.\n"
    assert doc.encoding == "utf-8"


def test_crlf_files_keep_their_line_ends_and_line_numbers(tmp_path):
    text = "first line\r\nsecond line\r\n\r\nfourth line\r\n"
    doc = read_file(str(_write(tmp_path / "dos.txt", text.encode("utf-8"))))
    assert isinstance(doc, Document)
    assert doc.text == text  # offsets index the file's own characters, \r included
    assert doc.line_of(text.index("second")) == 2
    assert doc.line_of(text.index("fourth")) == 4
    assert doc.line_of(text.index("\r\n")) == 1


def test_skipped_files_are_reported_and_the_rest_read(tmp_path):
    _write(tmp_path / "a.txt", "Some real text.\n")
    _write(tmp_path / "b.bin", bytes(range(256)) * 20)
    _write(tmp_path / "c.txt", b"")
    collection = read_paths([str(tmp_path)])
    assert [d.path for d in collection.documents] == [str(tmp_path / "a.txt")]
    assert [(Path(s.path).name, s.reason) for s in collection.skipped] == [
        ("b.bin", "binary"),
        ("c.txt", "empty"),
    ]
    assert collection.notes == []


# --- line numbers -------------------------------------------------------------------

LINE_TEXT = st.lists(
    st.one_of(st.sampled_from(["\n", "\r\n", "\r", " ", "\u2028", "ab"]), st.text(max_size=5)),
    max_size=40,
).map("".join)


@given(text=LINE_TEXT, data=st.data())
def test_line_of_counts_newlines_before_the_offset(text, data):
    doc = make_document(text)
    char = data.draw(st.integers(min_value=0, max_value=len(text)))
    assert doc.line_of(char) == text.count("\n", 0, char) + 1
    # Line starts are exactly the offsets just after each newline.
    assert doc.line_starts.tolist() == [0] + [k + 1 for k, ch in enumerate(text) if ch == "\n"]


# --- input is never written -------------------------------------------------------


def _listing(root: Path) -> dict[str, tuple[int, int]]:
    result = {}
    for folder, dirs, files in os.walk(root):
        for name in dirs + files:
            path = os.path.join(folder, name)
            stat = os.stat(path)
            result[os.path.relpath(path, root)] = (stat.st_size, stat.st_mtime_ns)
    return result


def test_a_scan_writes_nothing_into_the_input_folder(tmp_path):
    data = tmp_path / "input"
    for source in sorted(CORPUS.glob("*.txt")):
        _write(data / "docs" / source.name, source.read_bytes())
    _write(data / "empty.txt", b"")
    _write(data / "blob.bin", bytes(range(256)) * 20)
    _write(data / ".hidden" / "x.txt", "hidden\n")
    old = 1_500_000_000
    for path in data.rglob("*"):
        os.utime(path, (old, old))
    before = _listing(data)
    runner = CliRunner()
    for args in (["--format", "json"], ["-o", str(tmp_path / "report.csv"), "--format", "csv"]):
        result = runner.invoke(main, ["scan", str(data), *args])
        assert result.exit_code == 0, result.stderr
    assert (tmp_path / "report.csv").exists()
    assert _listing(data) == before


def test_ascii_sniffing_follows_the_same_rule_as_unicode_sniffing():
    import unicodedata

    from dedupe.read.files import looks_binary

    for code in range(128):
        char = chr(code)
        control = char not in "\t\n\r\f" and unicodedata.category(char) == "Cc"
        assert looks_binary("text " * 20 + char * 10) is control, code
        # The same character in a non-ASCII text takes the general path.
        assert looks_binary("caf\u00e9 " * 20 + char * 10) is control, code


# --- documents of any file: plain text as before -------------------------------------


def test_a_document_dated_by_its_container_is_still_frozen():
    fields = [f.name for f in dataclasses.fields(Document)]
    assert fields[-1] == "date" and dataclasses.fields(Document)[-1].default is None
    doc = Document("x.txt", "text\n", "utf-8", 5, 0.0, "d")
    assert doc.date is None
    dated = Document("c.jsonl#1", "text\n", "utf-8", 5, 0.0, "d", date(2020, 6, 19))
    assert dated.date == date(2020, 6, 19)
    with pytest.raises(dataclasses.FrozenInstanceError):
        doc.date = date(2020, 1, 1)  # type: ignore[misc]


def test_plain_files_give_one_document_as_read_file_does(tmp_path):
    files = {
        "u.txt": "Caf\u00e9 \u201cquoted\u201d.\n".encode(),
        "win.txt": CP1252_PROSE.encode("cp1252"),
        "blob.bin": bytes(range(256)) * 20,
        "empty.txt": b"",
        "no-extension": b"plain words\n",
        "odd#name.txt": b"a hash in a plain file name\n",
    }
    for name, data in files.items():
        path = str(_write(tmp_path / name, data))
        assert read_documents(path) == [read_file(path)]
        assert read_document(path) == read_file(path)
    assert read_document(str(tmp_path / "odd#name.txt")).path == str(tmp_path / "odd#name.txt")
    gone = str(tmp_path / "gone.txt")
    assert read_documents(gone) == [Skipped(gone, "unreadable: No such file or directory")]


def test_decoding_notes_name_legacy_encodings_only():
    def doc(encoding: str) -> Document:
        return Document("p", "t", encoding, 1, 0.0, "d")

    assert decoding_note(doc("cp1252")) == "p: decoded as cp1252"
    assert [decoding_note(doc(e)) for e in ("utf-8", "pdf", "docx")] == [None, None, None]
