"""Errors a user can cause. The CLI reports them as one line with exit code 2."""


class DedupeError(Exception):
    """Bad input or a request that cannot be carried out; the message is shown to the user."""
