"""The ``dedupe`` command line: a thin click layer over the library.

``app`` holds the command group and turns library errors into ``dedupe: error: ...``
lines; ``reuse`` the commands that report reuse (scan, query, index), ``copies`` those
for whole-document duplicates (duplicates, restore); ``options``, ``progress`` and
``results`` what they share.
"""

from . import copies, reuse  # noqa: F401  (each registers its commands on ``main``)
from .app import main

__all__ = ["main"]
