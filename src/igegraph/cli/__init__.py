"""The ``igegraph`` command line: a thin click layer over the library.

Each command parses its arguments, calls its same-named library function and formats the
result; library errors become one line on stderr and exit code 1, bad options exit code 2.
"""

from __future__ import annotations

import atexit
import gc
import signal
import sys
import threading
from typing import Any

import click

from ..errors import IgegraphError

__all__ = ["main"]


class _Terminated(BaseException):
    """SIGTERM or SIGHUP arrived: unwind (removing temporary files and staging folders)."""


# a signal _redeliver put off (handled inside a finaliser), whether _redeliver is running, and
# the SIGALRM handler it replaced meanwhile
_owed: int | None = None
_redelivering = False
_alarm_handler: Any = signal.SIG_DFL
_AGAIN = 0.001  # seconds: by then the finaliser has returned to ordinary code


def _terminate(signum: int, _frame: object) -> None:
    raise _Terminated(signum)


def _again(_signum: int, _frame: object) -> None:
    """SIGALRM, set by :func:`_redeliver`: raise the signal it put off."""
    if _redelivering:  # an exception raised here would be lost again: a moment later
        signal.setitimer(signal.ITIMER_REAL, _AGAIN)
        return
    raise _Terminated(_take_back())


def _redeliver(unraisable: "sys.UnraisableHookArgs") -> None:
    """A signal handled inside a finaliser or weakref callback cannot unwind from there (Python
    prints a traceback and goes on): deliver it again a moment later, as SIGALRM, so that it
    unwinds the command from ordinary code.

    Not with ``signal.raise_signal`` or ``os.kill``: its handler would run at once, still inside
    this hook, and the signal would be lost as well.
    """
    global _owed, _redelivering, _alarm_handler
    if isinstance(unraisable.exc_value, _Terminated):
        _redelivering = True
        if _owed is None:
            _alarm_handler = signal.signal(signal.SIGALRM, _again)
        _owed = unraisable.exc_value.args[0]
        signal.setitimer(signal.ITIMER_REAL, _AGAIN)
        _redelivering = False
    else:
        sys.__unraisablehook__(unraisable)


def _take_back() -> int | None:
    """The signal :func:`_redeliver` put off, if any; its alarm is cancelled and SIGALRM's
    handler put back."""
    global _owed
    owed, _owed = _owed, None
    if owed is not None:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, _alarm_handler if _alarm_handler is not None else signal.SIG_DFL)
    return owed


class _Group(click.Group):
    """A group that turns library errors into one clear line (never a traceback).

    While it runs, SIGTERM and SIGHUP unwind the command like Ctrl-C does, so that the
    cleanup code of atomic writes and store builds runs; the exit code is 128 + the signal.
    """

    def main(self, *args, **kwargs):
        # the interpreter's last garbage collections walk the whole heap (0.1-0.2 CPU-s after a
        # command, seconds after a server's session) for a process that is ending: spared, by
        # freezing what is left at exit (one registration however often the CLI runs in-process)
        atexit.unregister(gc.freeze)
        atexit.register(gc.freeze)
        main_thread = threading.current_thread() is threading.main_thread()  # else signals cannot be set
        previous = ({sig: signal.signal(sig, _terminate) for sig in (signal.SIGTERM, signal.SIGHUP)}
                    if main_thread else {})
        hook, sys.unraisablehook = sys.unraisablehook, _redeliver
        try:
            return super().main(*args, **kwargs)
        except _Terminated as exc:
            sys.exit(128 + exc.args[0])
        finally:
            owed = _take_back()
            sys.unraisablehook = hook
            for sig, handler in previous.items():
                signal.signal(sig, handler)
            if owed is not None:  # the command ended before the signal put off came again
                sys.exit(128 + owed)

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except IgegraphError as exc:
            raise click.ClickException(str(exc)) from None
        except KeyboardInterrupt:
            raise click.Abort() from None


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(package_name="igegraph")
def main() -> None:
    """igegraph: a knowledge graph of IgE-mediated allergic disease and anti-IgE therapy.

    Ask SPARQL questions, follow pathways from allergen to symptom, find what blocks them,
    and export interactive HTML graphs.

    Example: igegraph blocks --pathway ige-fceri-degranulation
    """


def _register() -> None:
    from . import demo, export, index, kb, push, query, serve, store, traverse, validate_cmd

    for module in (kb, validate_cmd, query, traverse, export, store, push, index, serve, demo):
        for command in module.COMMANDS:
            _full_short_help(command)
            main.add_command(command)


def _full_short_help(command: click.Command) -> None:
    """List a command (and its subcommands) in --help by its whole first paragraph: click
    otherwise cuts it at the terminal width (…)."""
    if command.short_help is None and command.help:
        command.short_help = " ".join(command.help.strip().split("\n\n")[0].split())
    for sub in getattr(command, "commands", {}).values():
        _full_short_help(sub)


_register()
