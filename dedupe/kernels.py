"""Compiling the inner loops with numba, cached on disk outside the installed package,
and the cores they and the worker processes may use.

numba's own default caches beside the source, in the package's ``__pycache__``: an
installed copy then leaves files there that survive uninstalling it and shadow a later
(editable) install. The cache lives in the user's cache folder instead
(``$XDG_CACHE_HOME/dedupe/numba``, else ``~/.cache/dedupe/numba``), unless
``NUMBA_CACHE_DIR`` names one; without a writable folder the loops are compiled in
memory each run.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from functools import lru_cache


def compiled(function: Callable) -> Callable:
    """``function`` compiled by numba in nopython mode, releasing the GIL."""
    from numba import njit

    return njit(nogil=True, cache=_cache_ready())(function)


@lru_cache(maxsize=1)
def _cache_ready() -> bool:
    """Point numba's cache at the user cache folder; False when none can be written."""
    from numba.core import config

    if os.environ.get("NUMBA_CACHE_DIR"):
        return True
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    folder = os.path.join(base, "dedupe", "numba")
    try:
        os.makedirs(folder, exist_ok=True)
    except OSError:
        return False
    if not os.access(folder, os.W_OK):
        return False
    config.CACHE_DIR = folder
    return True


def available_cores() -> int:
    """The cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1
