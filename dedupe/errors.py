"""Errors a user can cause, in the library's terms. The CLI reports each as one line,
``dedupe: error: ...``, with exit code 2, and adds what to do where that depends on
the command line (such as how to create or rebuild an index).

DedupeError
    MissingInput            a path given to read does not exist
        MissingIndex        no index at the path given
    UnreadableInput         an input that cannot be read as what it was given as
        NotAnIndex          a path given as an index that is not a dedupe index
            DamagedIndex    a dedupe index SQLite cannot read back
    IndexMismatch           an index of another version or built with other settings
    InvalidParameter        a setting the pipeline cannot work with
    OutputRefused           an output that would overwrite an input, an index or a
                            file not ours, or that cannot be written
    MoveRefused             a quarantine or restore step that would lose or overwrite
                            a file: nothing is moved
    ClusterUnavailable      a Dask cluster that cannot run the scan
"""


class DedupeError(Exception):
    """Bad input or a request that cannot be carried out; the message is shown to the user."""


class MissingInput(DedupeError):
    """A path given to read does not exist."""


class MissingIndex(MissingInput):
    """No index at the path given (and none is to be created)."""


class UnreadableInput(DedupeError):
    """An input that exists but cannot be read as what it was given as (an SQLite
    report to update, a quarantine journal)."""


class NotAnIndex(UnreadableInput):
    """A path given as an index that is not a dedupe index: a folder, an empty file,
    another SQLite database or another kind of file."""


class DamagedIndex(NotAnIndex):
    """A dedupe index that SQLite cannot read back; it has to be built again."""


class IndexMismatch(DedupeError):
    """An index of another format version, or built with other values of the settings
    it stores. ``settings`` names those (fields of ``Parameters``)."""

    def __init__(self, message: str, settings: tuple[str, ...] = ()):
        super().__init__(message)
        self.settings = settings


class InvalidParameter(DedupeError):
    """A setting the pipeline cannot work with. ``name`` is the setting's field name (of
    ``Parameters`` or ``DuplicateParameters``), and the message begins with it:
    ``threshold must be in (0, 1], got 2.0``."""

    def __init__(self, name: str, requirement: str):
        super().__init__(f"{name} {requirement}")
        self.name = name


class OutputRefused(DedupeError):
    """An output path that would overwrite an input, an index or a file not ours, or
    that cannot be written."""


class MoveRefused(DedupeError):
    """A quarantine or restore step that would lose or overwrite a file; nothing is moved."""


class ClusterUnavailable(DedupeError):
    """A Dask cluster that cannot run the scan: no scheduler, no workers, workers
    without this version of dedupe, or in another folder than relative paths need."""
