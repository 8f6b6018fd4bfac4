"""The command line: exit codes, stdout/stderr discipline, options."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import replace
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from dedupe.cli import main
from dedupe.cli.app import in_flags
from dedupe.cli.results import emit
from dedupe.model import Location, Passage, ScanResult
from dedupe.parameters import Parameters
from dedupe.pipeline.scan import scan
from dedupe.report.tables import render

from .conftest import CORPUS
from .strategies import prose

SHARED = prose(7, sentences=4, words=12)
FORMAT_NAMES = ["table", "csv", "json", "jsonl", "markdown"]


def _corpus(root: Path) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "a.txt").write_text(f"First\n\nDec. 9, 2019\n\n{prose(1)}\n\n{SHARED}\n")
    (root / "b.txt").write_text(f"Second\n\nDec. 11, 2019\n\n{SHARED}\n\n{prose(2)}\n")
    return root


def _run(*args: str):
    return CliRunner().invoke(main, list(args))


def _one_error_line(result) -> str:
    assert result.exit_code == 2, result.stderr
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("dedupe: error: ")
    assert "Traceback" not in result.stderr
    return lines[0]


def test_scan_reports_to_stdout_and_progress_to_stderr(tmp_path):
    root = _corpus(tmp_path / "docs")
    result = _run("scan", str(root))
    assert result.exit_code == 0, result.stderr
    assert result.stdout == render(scan([str(root)], Parameters()), "table")
    assert "a.txt" in result.stdout and "verbatim" in result.stdout
    assert result.stderr.splitlines()[-1] == "2 documents scanned, 0 skipped, 1 reused passages"


def test_missing_path_is_one_error_line_with_exit_code_2(tmp_path):
    missing = tmp_path / "not-there"
    line = _one_error_line(_run("scan", str(missing)))
    assert str(missing) in line


def test_missing_path_next_to_a_good_one_is_still_an_error(tmp_path):
    root = _corpus(tmp_path / "docs")
    _one_error_line(_run("scan", str(root), str(tmp_path / "gone.txt")))


def test_library_messages_name_settings_and_the_cli_names_their_options(tmp_path):
    root = _corpus(tmp_path / "docs")
    line = _one_error_line(_run("scan", str(root), "--min-words", "2", "--shingle-size", "5"))
    assert line == "dedupe: error: --min-words must be at least --shingle-size"
    line = _one_error_line(_run("duplicates", str(root), "--threshold", "0"))
    assert line == "dedupe: error: --threshold must be in (0, 1], got 0.0"
    # Only the setting's own name and field names are changed, not words of the text.
    assert in_flags("threshold must exceed the threshold_x", "threshold") == (
        "--threshold must exceed the threshold_x"
    )
    line = _one_error_line(_run("scan", str(root), "--format", "sqlite"))
    assert line.endswith("--output is needed for an SQLite report (a database cannot go to "
                         "standard output)")  # fmt: skip


@pytest.mark.parametrize(
    ("option", "value", "mentions"),
    [
        ("--threshold", "2", "--threshold"),
        ("--threshold", "0", "--threshold"),
        ("--num-perm", "8", "--num-perm"),
        ("--shingle-size", "0", "--shingle-size"),
        ("--min-words", "1", "--min-words"),
        ("--boilerplate-documents", "2", "--boilerplate-documents"),
    ],
)
def test_out_of_range_values_are_one_error_line(tmp_path, option, value, mentions):
    root = _corpus(tmp_path / "docs")
    assert mentions in _one_error_line(_run("scan", str(root), option, value))


@pytest.mark.parametrize(
    ("option", "value"),
    [("--format", "bogus"), ("--num-perm", "many"), ("--boilerplate-documents", "many")],
)
def test_bad_option_values_are_one_error_line(tmp_path, option, value):
    root = _corpus(tmp_path / "docs")
    _one_error_line(_run("scan", str(root), option, value))


def test_output_file_gets_the_report_and_stdout_nothing(tmp_path):
    root = _corpus(tmp_path / "docs")
    target = tmp_path / "out" / "report.json"
    target.parent.mkdir()
    result = _run("scan", str(root), "--format", "json", "-o", str(target))
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""
    written = target.read_text(encoding="utf-8")
    assert written == _run("scan", str(root), "--format", "json").stdout
    assert len(json.loads(written)["passages"]) == 1
    # The summary still goes to stderr.
    assert "1 reused passages" in result.stderr


def test_output_file_in_a_missing_folder_is_an_error_with_exit_code_2(tmp_path):
    root = _corpus(tmp_path / "docs")
    target = tmp_path / "no-such-folder" / "report.txt"
    result = _run("scan", str(root), "-o", str(target))
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    errors = [line for line in result.stderr.splitlines() if "error" in line]
    assert errors == [f"dedupe: error: no such folder for the output file: {target.parent}"]
    assert not target.parent.exists()


def test_output_file_in_a_missing_folder_fails_before_scanning(tmp_path):
    root = _corpus(tmp_path / "docs")
    _one_error_line(_run("scan", str(root), "-o", str(tmp_path / "no-such-folder" / "r.txt")))


def test_quiet_prints_nothing_on_stderr(tmp_path):
    root = _corpus(tmp_path / "docs")
    (root / "empty.txt").write_bytes(b"")  # would otherwise warn
    result = _run("scan", str(root), "--quiet")
    assert result.exit_code == 0
    assert result.stderr == ""
    assert "verbatim" in result.stdout


def test_quiet_still_reports_errors(tmp_path):
    _one_error_line(_run("scan", str(tmp_path / "missing"), "--quiet"))


@pytest.mark.parametrize("name", ["scan", "query"])
def test_help_mentions_every_option(name):
    result = _run(name, "--help")
    assert result.exit_code == 0
    documented = [
        "--threshold", "--num-perm", "--shingle-size", "--min-words", "--format",
        "-o, --output", "--quiet", "--help", "--boilerplate-documents N", "--no-boilerplate",
    ]  # fmt: skip
    for option in documented:
        assert option in result.stdout
    for name_ in FORMAT_NAMES:
        assert name_ in result.stdout
    command = main.commands[name]
    for param in command.params:
        if isinstance(param, click.Option):
            for opt in param.opts + param.secondary_opts:
                assert opt in result.stdout, opt
            assert param.help, f"{param.name} has no help text"


def _commands(command: click.Command, name: str):
    """``(full name, command)`` of ``command`` and of every subcommand under it."""
    yield name, command
    for sub, child in getattr(command, "commands", {}).items():
        yield from _commands(child, f"{name} {sub}")


COMMANDS = list(_commands(main, "dedupe"))


@pytest.mark.parametrize("name,command", COMMANDS[1:], ids=[n for n, _ in COMMANDS[1:]])
def test_help_of_every_command_ends_with_examples_of_it(name, command):
    result = _run(*name.split()[1:], "--help")
    assert result.exit_code == 0
    examples = result.stdout.split("Examples:")[1].split("Options:")[0]
    lines = [line.strip() for line in examples.splitlines() if line.strip()]
    assert lines and all(line.startswith(name + " ") or line == name for line in lines)
    # Every option an example uses is an option of the command it names.
    for line in lines:
        words = line.split()
        named = [(n, c) for n, c in COMMANDS if words[: len(n.split())] == n.split()]
        _, used = max(named, key=lambda item: len(item[0]))  # the subcommand, not its group
        flags = {
            f
            for p in used.params
            for f in getattr(p, "opts", []) + getattr(p, "secondary_opts", [])
        }
        assert {w for w in words if w.startswith("-")} <= flags, line


def test_the_readme_names_every_command_and_option():
    readme = (CORPUS.parent / "README.md").read_text(encoding="utf-8")
    for name, command in COMMANDS:
        assert f"{name} " in readme, name
        for param in command.params:
            flags = getattr(param, "opts", []) + getattr(param, "secondary_opts", [])
            for flag in flags:
                if flag.startswith("--") and flag != "--help":
                    assert flag in readme, f"{name} {flag}"


def test_empty_and_binary_files_are_warned_about_and_counted(tmp_path):
    root = _corpus(tmp_path / "docs")
    (root / "empty.txt").write_bytes(b"")
    (root / "blob.bin").write_bytes(bytes(range(256)) * 20)
    result = _run("scan", str(root))
    assert result.exit_code == 0, result.stderr
    stderr = result.stderr.splitlines()
    assert f"warning: skipped {root / 'blob.bin'}: binary" in stderr
    assert f"warning: skipped {root / 'empty.txt'}: empty" in stderr
    assert stderr[-1] == "2 documents scanned, 2 skipped, 1 reused passages"


def test_decoded_encoding_is_noted_on_stderr(tmp_path):
    root = _corpus(tmp_path / "docs")
    text = (
        "The caf\u00e9 \u201cclosed\u201d \u2013 the owner\u2019s r\u00e9sum\u00e9 said so.\n" * 6
    )
    (root / "win.txt").write_bytes(text.encode("cp1252"))
    result = _run("scan", str(root))
    assert result.exit_code == 0
    notes = [line for line in result.stderr.splitlines() if line.startswith("note: ")]
    assert len(notes) == 1 and notes[0].startswith(f"note: {root / 'win.txt'}: decoded as ")


@pytest.mark.parametrize("fmt", FORMAT_NAMES)
def test_two_runs_print_identical_output(tmp_path, fmt):
    root = _corpus(tmp_path / "docs")
    first = _run("scan", str(root), "--format", fmt, "--quiet")
    second = _run("scan", str(root), "--format", fmt, "--quiet")
    assert first.exit_code == second.exit_code == 0
    assert first.stdout_bytes == second.stdout_bytes


def test_nothing_found_is_said_plainly(tmp_path):
    root = tmp_path / "docs"
    root.mkdir()
    (root / "one.txt").write_text(prose(40) + "\n")
    (root / "two.txt").write_text(prose(41) + "\n")
    result = _run("scan", str(root))
    assert result.exit_code == 0
    assert result.stdout == "No reused passages found.\n"
    assert result.stderr.splitlines()[-1] == "2 documents scanned, 0 skipped, 0 reused passages"


def test_version():
    result = _run("--version")
    assert result.exit_code == 0
    assert result.stdout.startswith("dedupe, version ")


# --- boilerplate ------------------------------------------------------------------


def test_boilerplate_documents_flows_into_the_parameters(tmp_path):
    root = _corpus(tmp_path / "docs")
    default = json.loads(_run("scan", str(root), "--format", "json").stdout)
    assert default["parameters"]["boilerplate_documents"] == 4
    result = _run("scan", str(root), "--format", "json", "--boilerplate-documents", "7")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["parameters"]["boilerplate_documents"] == 7


def _located(path: str, start: int) -> Location:
    return Location(path, 1, 1, start, start + 100)


def _marked_result() -> ScanResult:
    """A header in three files (three passages, marked boilerplate) and one plain reuse."""
    header = [
        Passage(1, "verbatim", 1.0, 20, "unknown: x", _located(a, 0), _located(b, 0), "Licensed")
        for a, b in (("a.txt", "b.txt"), ("a.txt", "c.txt"), ("b.txt", "c.txt"))
    ]
    plain = Passage(2, "near", 0.8, 30, "unknown: x", _located("a.txt", 500), _located("d.txt", 0),
                    "Plain reuse")  # fmt: skip
    return ScanResult(
        Parameters(boilerplate_documents=3),
        [],
        [replace(p, boilerplate=True) for p in header] + [plain],
    )


@pytest.mark.parametrize("fmt", FORMAT_NAMES)
def test_no_boilerplate_leaves_it_out_of_every_format(capsys, fmt):
    emit(_marked_result(), fmt, None, quiet=False, boilerplate=False)
    out, err = capsys.readouterr()
    assert "Licensed" not in out and "Plain reuse" in out
    assert out == render(replace(_marked_result(), passages=_marked_result().passages[3:]), fmt)
    assert err.splitlines() == [
        "0 documents scanned, 0 skipped, 1 reused passages (3 boilerplate passages left out)"
    ]


def test_boilerplate_is_shown_marked_by_default(capsys):
    emit(_marked_result(), "csv", None, quiet=False)
    out, err = capsys.readouterr()
    records = list(csv.DictReader(io.StringIO(out)))
    assert [(r["kind"], r["boilerplate"]) for r in records] == [
        ("verbatim", "true"), ("verbatim", "true"), ("verbatim", "true"), ("near", "false"),
    ]  # fmt: skip
    assert err.splitlines() == [
        "0 documents scanned, 0 skipped, 4 reused passages "
        "(3 of them boilerplate, which --no-boilerplate leaves out)"
    ]
    emit(_marked_result(), "table", None, quiet=True)
    out, err = capsys.readouterr()
    assert out.count("verbatim (boilerplate)") == 3 and err == ""


def test_no_boilerplate_on_a_scan_hides_exactly_the_marked_passages(tmp_path):
    from .test_boilerplate import write_licence_corpus

    root = tmp_path / "docs"
    write_licence_corpus(root)

    def run(fmt: str, *extra: str) -> str:
        result = _run("scan", str(root), "--format", fmt, "--quiet", *extra)
        assert result.exit_code == 0, result.stderr
        return result.stdout

    full = json.loads(run("json"))
    assert any(p["excerpt"].startswith("Licensed") for p in full["passages"])
    kept = [p for p in full["passages"] if not p["boilerplate"]]
    assert json.loads(run("json", "--no-boilerplate")) == {**full, "passages": kept}
    assert [json.loads(line) for line in run("jsonl", "--no-boilerplate").splitlines()] == kept
    rows = list(csv.DictReader(io.StringIO(run("csv"))))
    assert list(csv.DictReader(io.StringIO(run("csv", "--no-boilerplate")))) == [
        r for r in rows if r["boilerplate"] == "false"
    ]
    assert sum(r["boilerplate"] == "true" for r in rows) == len(full["passages"]) - len(kept)
    for fmt in ("table", "markdown"):
        assert "(boilerplate)" not in run(fmt, "--no-boilerplate")


def test_scan_marks_a_licence_header_in_five_documents_as_boilerplate(tmp_path):
    from .test_boilerplate import write_licence_corpus

    root = tmp_path / "docs"
    write_licence_corpus(root)
    data = json.loads(_run("scan", str(root), "--format", "json", "--quiet").stdout)
    licence = [p for p in data["passages"] if p["excerpt"].startswith("Licensed")]
    assert len(licence) == 4 and all(p["boilerplate"] for p in licence)  # one per copy
    assert not any(p["boilerplate"] for p in data["passages"] if p not in licence)
    hidden = _run("scan", str(root), "--format", "json", "--quiet", "--no-boilerplate")
    assert not any(
        p["excerpt"].startswith("Licensed") for p in json.loads(hidden.stdout)["passages"]
    )


def test_query_takes_the_boilerplate_options(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    root = _corpus(Path("docs"))
    assert _run("index", "add", str(root), "--quiet").exit_code == 0
    Path("new.txt").write_text(f"Third\n\n{SHARED}\n")
    result = _run(
        "query", "new.txt", "--index", ".dedupe/index.sqlite", "--format", "json",
        "--boilerplate-documents", "5", "--no-boilerplate",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["parameters"]["boilerplate_documents"] == 5
    assert len(data["passages"]) == 2  # new.txt shares SHARED with a.txt and b.txt
    bad = _run(
        "query", "new.txt", "--index", ".dedupe/index.sqlite", "--boilerplate-documents", "1"
    )
    assert "--boilerplate-documents must be at least 3" in _one_error_line(bad)


# --- progress ---------------------------------------------------------------------


def test_no_progress_bar_when_stderr_is_not_a_terminal(tmp_path):
    root = _corpus(tmp_path / "docs")
    result = _run("scan", str(root), "--verbose")
    assert result.exit_code == 0
    assert "\r" not in result.stderr and "[" not in result.stderr
    assert any(line.startswith("stage sketch: ") for line in result.stderr.splitlines())
