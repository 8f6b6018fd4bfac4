"""Writing reports safely: never over an input, atomically, with printable file names.

``check_output`` refuses, before any work, an output path that is one of the inputs,
lies inside a scanned folder, or is a file the run must not replace (the index). ``write``
puts the text in place atomically (a hidden temporary file beside it, renamed over it),
so an interrupted run leaves the old report or the new one. File names that are not
valid UTF-8 reach Python with their undecodable bytes as lone surrogates
(``surrogateescape``); ``printable`` shows each such byte as ``\\xNN`` so every report is
valid UTF-8.
"""

from __future__ import annotations

import os
import re
import sys
import tempfile
from collections.abc import Iterable
from dataclasses import fields, is_dataclass, replace

from ..errors import OutputRefused

_UNDECODABLE = re.compile("[\udc80-\udcff]")


def check_output(output: str, inputs: Iterable[str], protected: Iterable[str] = ()) -> None:
    """Raise ``OutputRefused`` when ``output`` is one of ``inputs``, lies inside one of
    them (a scanned folder), or is one of ``protected``; also when its folder is
    missing."""
    target = os.path.realpath(output)
    folder = os.path.dirname(os.path.abspath(output))
    if not os.path.isdir(folder):
        raise OutputRefused(f"no such folder for the output file: {folder}")
    for path in protected:
        if target == os.path.realpath(path) or _same_file(output, path):
            raise OutputRefused(f"the output file {output} is the index {path}; choose another")
    for path in inputs:
        real = os.path.realpath(path)
        if target == real or _same_file(output, path):
            raise OutputRefused(f"the output file {output} is an input; choose another")
        if os.path.isdir(real) and os.path.commonpath([target, real]) == real:
            raise OutputRefused(
                f"the output file {output} is inside the scanned folder {path}; "
                "write it outside the folders being read"
            )


def _same_file(a: str, b: str) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def write(text: str, output: str | None) -> None:
    """``text`` to the file ``output`` (replaced atomically), or to standard output."""
    if not output:
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    folder = os.path.dirname(os.path.abspath(output))
    fd, partial = tempfile.mkstemp(prefix=f".{os.path.basename(output)}.", dir=folder)
    try:
        with open(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(partial, output)
    except BaseException:
        os.unlink(partial)
        raise


def printable(name: str) -> str:
    """``name`` with each undecodable byte of a file name shown as ``\\xNN``."""
    return _UNDECODABLE.sub(lambda m: f"\\x{ord(m[0]) - 0xDC00:02x}", name)


def printable_fields(value):
    """``value`` (dataclasses, lists, tuples, dicts, strings) with every string made
    ``printable``; returned as is when nothing in it needs changing."""
    if isinstance(value, str):
        return printable(value)
    if is_dataclass(value) and not isinstance(value, type):
        changes = {}
        for f in fields(value):
            if f.init:
                old = getattr(value, f.name)
                new = printable_fields(old)
                if new is not old and new != old:
                    changes[f.name] = new
        return replace(value, **changes) if changes else value
    if isinstance(value, (list, tuple)):
        items = [printable_fields(v) for v in value]
        return type(value)(items) if isinstance(value, tuple) else items
    if isinstance(value, dict):
        return {printable_fields(k): printable_fields(v) for k, v in value.items()}
    return value


def needs_printable(names: Iterable[str]) -> bool:
    """True when some of ``names`` holds an undecodable byte."""
    return any(_UNDECODABLE.search(name) for name in names)
