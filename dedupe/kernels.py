"""Compiling the inner loops with numba, cached on disk outside the installed package,
and the cores they and the worker processes may use.

numba's own default caches beside the source, in the package's ``__pycache__``: an
installed copy then leaves files there that survive uninstalling it and shadow a later
(editable) install. The cache lives in the user's cache folder instead
(``$XDG_CACHE_HOME/dedupe/numba``, else ``~/.cache/dedupe/numba``, or
``NUMBA_CACHE_DIR``), in a subfolder named after the package's sources
(``source_stamp``): numba checks that the file of a cached function is unchanged, not
the files of the compiled functions it calls. Without a writable folder the loops are
compiled in memory each run.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path


def compiled(function: Callable) -> Callable:
    """``function`` compiled by numba in nopython mode, releasing the GIL."""
    from numba import njit

    return njit(nogil=True, cache=_cache_ready())(function)


@lru_cache(maxsize=1)
def _cache_ready() -> bool:
    """Point numba's cache at the user cache folder; False when none can be written."""
    from numba.core import config

    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    chosen = os.environ.get("NUMBA_CACHE_DIR") or os.path.join(base, "dedupe", "numba")
    folder = os.path.join(chosen, source_stamp())
    try:
        os.makedirs(folder, exist_ok=True)
    except OSError:
        return False
    if not os.access(folder, os.W_OK):
        return False
    config.CACHE_DIR = folder
    return True


def source_stamp() -> str:
    """A digest of the package's source files (relative paths, sizes, modification
    times): it changes whenever any module does."""
    package = Path(__file__).resolve().parent
    digest = hashlib.sha256()
    for path in sorted(package.rglob("*.py")):
        facts = path.stat()
        line = f"{path.relative_to(package)} {facts.st_size} {facts.st_mtime_ns}\n"
        digest.update(line.encode())
    return digest.hexdigest()[:16]


def available_cores() -> int:
    """The cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1
