"""Errors a user can cause. The CLI reports each as one line with exit code 2."""


class DedupeError(Exception):
    """Bad input or a request that cannot be carried out; the message is shown to the user."""


class MissingInput(DedupeError):
    """A path given to read does not exist."""


class OutputRefused(DedupeError):
    """An output path that would overwrite an input, an index or a file not ours."""


class DamagedIndex(DedupeError):
    """An index file that is not a readable dedupe index."""


class InvalidParameter(DedupeError):
    """A setting the pipeline cannot work with. ``name`` is the setting's field name (of
    ``Parameters`` or ``DuplicateParameters``), and the message begins with it:
    ``threshold must be in (0, 1], got 2.0``."""

    def __init__(self, name: str, requirement: str):
        super().__init__(f"{name} {requirement}")
        self.name = name
