"""The command group: errors from the library become one ``dedupe: error: ...`` line
and an exit code; Ctrl-C and SIGTERM end the run cleanly."""

from __future__ import annotations

import os
import re
import signal
import sys
from contextlib import suppress

import click

from .. import __version__
from ..errors import DamagedIndex, DedupeError, IndexMismatch, InvalidParameter, MissingIndex
from ..report.output import printable


class InputError(click.ClickException):
    """A ``DedupeError`` or unreadable file, reported like a usage error (exit code 2)."""

    exit_code = 2


class Stopped(BaseException):
    """The run was interrupted (Ctrl-C, exit 130) or terminated (SIGTERM, exit 143).

    A ``BaseException``, like ``KeyboardInterrupt``, so that no ``except Exception``
    stops it on its way out: every ``with`` block (worker processes, temporary folders,
    open files) is closed as it passes."""

    def __init__(self, what: str, exit_code: int):
        super().__init__(what)
        self.what, self.exit_code = what, exit_code


def _finished() -> None:
    """The work is done and reported: a late Ctrl-C or SIGTERM changes nothing now, so
    it is not let to interrupt the interpreter's exit."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)


def _terminated(signum, frame) -> None:
    raise Stopped("terminated", 128 + signal.SIGTERM)


class Group(click.Group):
    """Reports bad usage, ``DedupeError`` and unreadable files as one line on stderr,
    ``dedupe: error: ...``, with exit code 2; an interrupt or SIGTERM as one line with
    exit code 130 or 143, once the run's workers and temporary files are gone."""

    def main(self, *args, **kwargs):
        kwargs["standalone_mode"] = False
        signal.signal(signal.SIGTERM, _terminated)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        try:
            code = super().main(*args, **kwargs)
        except Stopped as stop:
            signal.signal(signal.SIGINT, signal.SIG_IGN)  # the line is all that is left
            click.echo(f"dedupe: error: {stop.what}", err=True)
            # Workers and temporary files are gone; end now, without waiting at exit
            # for threads that a stopped pool may leave behind.
            for stream in (sys.stdout, sys.stderr):
                with suppress(OSError, ValueError):
                    stream.flush()
            os._exit(stop.exit_code)
        except click.exceptions.Abort:
            click.echo("dedupe: error: interrupted", err=True)
            sys.exit(130)
        except click.ClickException as err:
            click.echo(f"dedupe: error: {err.format_message()}", err=True)
            _finished()
            sys.exit(err.exit_code)
        _finished()
        sys.exit(code if isinstance(code, int) else 0)

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except KeyboardInterrupt:
            raise Stopped("interrupted", 130) from None
        except (DedupeError, OSError) as err:
            raise InputError(_message(err)) from None


HINTS = {
    MissingIndex: " (create it with: dedupe index add PATH)",
    DamagedIndex: "; rebuild it: remove the file and run dedupe index add again",
}
"""What to do, added to the library's message of these errors."""


def _message(err: Exception) -> str:
    if isinstance(err, OSError) and err.filename:
        return printable(f"{err.strerror}: {err.filename}")
    if isinstance(err, InvalidParameter):
        return printable(in_flags(str(err), err.name))
    if isinstance(err, IndexMismatch):
        return printable(in_flags(str(err)))
    hint = next((text for kind, text in HINTS.items() if isinstance(err, kind)), "")
    return printable(str(err) + hint)


def in_flags(message: str, name: str = "") -> str:
    """A library message about setting ``name``, which it begins with (and perhaps names
    others, such as ``shingle_size``), with those settings called by the options that
    set them: ``threshold must be ...`` becomes ``--threshold must be ...``. Words of
    the text that happen to spell a setting (``standard output``) are left alone."""
    flags = _flags(main)
    if name and message.startswith(name):
        message = flags.get(name, name) + message[len(name) :]
    return re.sub(r"(?<![-\w])\w+_\w+", lambda m: flags.get(m.group(), m.group()), message)


def _flags(command: click.Command) -> dict[str, str]:
    """The long option setting each parameter of ``command`` and its subcommands."""
    found = {}
    for param in command.params:
        longs = [o for o in param.opts if o.startswith("--")]
        if isinstance(param, click.Option) and longs:
            found.setdefault(param.name, longs[0])
    for child in getattr(command, "commands", {}).values():
        for name, flag in _flags(child).items():
            found.setdefault(name, flag)
    return found


@click.group(cls=Group)
@click.version_option(__version__, prog_name="dedupe")
def main() -> None:
    """Find passages reused across documents, and which copy is the source."""
