"""The command line: exit codes, stdout/stderr discipline, options."""

from __future__ import annotations

import json
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from dedupe.cli import main
from dedupe.report import render
from dedupe.scan import Parameters, scan

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


@pytest.mark.parametrize(
    ("option", "value", "mentions"),
    [
        ("--threshold", "2", "--threshold"),
        ("--threshold", "0", "--threshold"),
        ("--num-perm", "8", "--num-perm"),
        ("--shingle-size", "0", "--shingle-size"),
        ("--min-words", "1", "--min-words"),
    ],
)
def test_out_of_range_values_are_one_error_line(tmp_path, option, value, mentions):
    root = _corpus(tmp_path / "docs")
    assert mentions in _one_error_line(_run("scan", str(root), option, value))


@pytest.mark.parametrize(("option", "value"), [("--format", "bogus"), ("--num-perm", "many")])
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
    assert errors == [f"dedupe: error: no such folder for -o: {target.parent}"]
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


def test_help_mentions_every_option():
    result = _run("scan", "--help")
    assert result.exit_code == 0
    documented = [
        "--threshold", "--num-perm", "--shingle-size", "--min-words", "--format",
        "-o, --output", "--quiet", "--help",
    ]  # fmt: skip
    for option in documented:
        assert option in result.stdout
    for name in FORMAT_NAMES:
        assert name in result.stdout
    command = main.commands["scan"]
    for param in command.params:
        if isinstance(param, click.Option):
            for opt in param.opts + param.secondary_opts:
                assert opt in result.stdout, opt
            assert param.help, f"{param.name} has no help text"


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
