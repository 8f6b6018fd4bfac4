"""The ``dedupe`` command's entry point: signals are handled from the first moment.

Loading the command line (numpy, numba, scipy, click) takes a second or more; a Ctrl-C
or SIGTERM in that time ends the command with its one line and exit code, as it does
later (when ``dedupe.cli`` handles them itself, removing what the run has made).
"""

from __future__ import annotations

import os
import signal
import sys


def _stop_while_loading(signum, frame) -> None:
    word = "terminated" if signum == signal.SIGTERM else "interrupted"
    sys.stderr.write(f"dedupe: error: {word}\n")
    sys.stderr.flush()
    os._exit(128 + signum)


def main() -> None:
    """Run the ``dedupe`` command line."""
    signal.signal(signal.SIGINT, _stop_while_loading)
    signal.signal(signal.SIGTERM, _stop_while_loading)
    from .cli import main as cli

    cli()
