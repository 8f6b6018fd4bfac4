"""The index file's format: which settings are stored in it and which are read, what is
an SQLite file, and the mismatch named by its settings."""

from __future__ import annotations

import dataclasses
import sqlite3

from dedupe.parameters import Parameters
from dedupe.store.schema import (
    STORED,
    mismatch,
    reading_parameters,
    sqlite_file,
    stored_parameters,
)


def test_every_setting_is_stored_or_read():
    params = Parameters()
    stored, reading = stored_parameters(params), reading_parameters(params)
    names = {f.name for f in dataclasses.fields(Parameters)}
    assert set(stored) == set(STORED)
    assert not set(stored) & set(reading)
    assert set(stored) | set(reading) == names


def test_a_mismatch_names_only_the_settings_that_differ():
    stored = stored_parameters(Parameters())
    error = mismatch("i.sqlite", stored, Parameters(shingle_size=4, num_perm=64))
    assert set(error.settings) == {"shingle_size", "num_perm"}
    assert "shingle_size 3 (asked 4)" in str(error) and "num_perm 128 (asked 64)" in str(error)


def test_only_files_that_begin_as_sqlite_databases_are_sqlite_files(tmp_path):
    database = tmp_path / "a.sqlite"
    sqlite3.connect(database).execute("CREATE TABLE t (x)").connection.close()
    text = tmp_path / "notes.txt"
    text.write_text("SQLite is a database\n")
    assert sqlite_file(str(database)) and not sqlite_file(str(text))
