"""Run one piece of work in a forked worker process, under a deadline, tied to its parent.

Neither rdflib nor pyoxigraph can interrupt an embedded query, so work that may run away
(a user's SPARQL query, and the formatting of its result) runs in a copy-on-write fork of this
process; its answer comes back through a pipe. The worker

* is killed when the deadline passes (the caller gets a :class:`~igegraph.errors.QueryError`);
* dies with its parent: ``prctl(PR_SET_PDEATHSIG, SIGKILL)`` on Linux, and everywhere a
  thread that exits the worker once its parent is gone, so killing ``igegraph`` (SIGTERM,
  SIGHUP, SIGKILL) never leaves a worker spinning under PID 1;
* reports a crash of the engine (a segfault on a pathological query) as one clear error;
* lets go of the pipes and sockets it inherited (:func:`foreign_pipes`, :func:`detach`): a
  fork copies every descriptor, and a copy of a pipe's write end keeps the process at the
  other end from ever seeing end-of-file (a subprocess its parent drives, such as
  Playwright's browser driver, would wait for the worker before it could exit).

Examples
--------
>>> run_in_worker(lambda: 6 * 7, timeout=10)
42
>>> import time
>>> run_in_worker(lambda: time.sleep(5), timeout=0.2)
Traceback (most recent call last):
...
igegraph.errors.QueryTimeout: query timed out after 0.2 s; narrow it or raise --timeout
"""

from __future__ import annotations

import contextlib
import functools
import gc
import math
import os
import signal
import stat
import sys
import threading
import time
from collections.abc import Callable
from typing import TypeVar

from .errors import IgegraphError, QueryError, QueryTimeout

__all__ = ["run_in_worker", "check_timeout", "foreign_pipes", "detach", "MAX_TIMEOUT"]

T = TypeVar("T")

#: The longest timeout accepted, in seconds (one day).
MAX_TIMEOUT = 86_400.0

_PR_SET_PDEATHSIG = 1


def check_timeout(timeout: float) -> float:
    """Return ``timeout`` if it is a usable number of seconds, else raise QueryError.

    >>> check_timeout(2.5)
    2.5
    >>> check_timeout(float("nan"))
    Traceback (most recent call last):
    ...
    igegraph.errors.QueryError: timeout must be a number of seconds between 0.1 and 86400, not nan
    """
    if not isinstance(timeout, (int, float)) or not math.isfinite(timeout) or not 0.1 <= timeout <= MAX_TIMEOUT:
        raise QueryError(f"timeout must be a number of seconds between 0.1 and {MAX_TIMEOUT:g}, not {timeout}")
    return float(timeout)


def _open_fds() -> list[int]:
    """The descriptors open in this process above the standard streams."""
    for listing in ("/proc/self/fd", "/dev/fd"):
        try:
            return sorted(int(name) for name in os.listdir(listing) if int(name) > 2)
        except OSError:
            continue
    return list(range(3, 256))  # no listing: the low descriptors, where pipes usually are


def foreign_pipes(keep: tuple[int, ...] = ()) -> list[int]:
    """The pipes and sockets open in this process, except ``keep`` and the standard streams.

    Call it before forking and hand the list to :func:`detach` in the child. Files are not
    listed: an on-disk store's database is read through them.

    >>> r, w = os.pipe()
    >>> r in foreign_pipes() and w in foreign_pipes() and w not in foreign_pipes(keep=(w,))
    True
    >>> os.close(r); os.close(w)
    """
    found = []
    for fd in _open_fds():
        if fd in keep:
            continue
        try:
            mode = os.fstat(fd).st_mode
        except OSError:  # closed since it was listed (the listing's own descriptor)
            continue
        if stat.S_ISFIFO(mode) or stat.S_ISSOCK(mode):
            found.append(fd)
    return found


def detach(fds: list[int]) -> None:
    """In a forked child: point each of ``fds`` at /dev/null, so the child holds no end of them.

    The numbers stay taken (by /dev/null), so an object that still thinks it owns one can
    close it without closing something the child opened since.
    """
    null = os.open(os.devnull, os.O_RDWR)
    try:
        for fd in fds:
            with contextlib.suppress(OSError):  # closed in the meantime: nothing to let go of
                os.dup2(null, fd)
    finally:
        os.close(null)


@functools.cache
def _prctl() -> Callable[..., int] | None:
    """libc's ``prctl`` on Linux, else None. Looked up in the parent, once: importing ctypes
    (which loads libffi) took 30-40 ms of each forked worker's start."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        import ctypes

        return ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):  # no libc symbol: the watcher of _tie_to_parent still works
        return None


def _tie_to_parent(parent: int, prctl: Callable[..., int] | None) -> None:
    """Make this (forked) process exit as soon as ``parent`` is gone (``prctl`` from :func:`_prctl`)."""
    if prctl is not None:
        prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:  # the parent died before the line above took effect
        os._exit(1)

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, daemon=True).start()


def run_in_worker(func: Callable[[], T], timeout: float) -> T:
    """Run ``func`` in a forked worker and return its result, or raise QueryError.

    Parameters
    ----------
    func : callable
        Takes no argument; its result must be picklable. An :class:`IgegraphError` it raises
        is re-raised here; any other exception becomes a QueryError with its first line.
    timeout : float
        Seconds (see :func:`check_timeout`) for the whole work, the transfer included.

    Returns
    -------
    The value ``func`` returned.
    """
    import multiprocessing as mp

    timeout = check_timeout(timeout)
    deadline = time.monotonic() + timeout
    ctx = mp.get_context("fork")
    receiver, sender = ctx.Pipe(duplex=False)
    parent = os.getpid()
    prctl = _prctl()
    inherited = foreign_pipes(keep=(sender.fileno(),))

    def child() -> None:
        # everything inherited from the parent out of the collector's sight: a collection would
        # walk (and so copy, page by page) the parent's whole heap, and this short-lived
        # process frees nothing of it anyway
        gc.freeze()
        detach(inherited)
        _tie_to_parent(parent, prctl)
        try:
            sender.send(("ok", func()))
        except BaseException as exc:  # the parent re-raises it
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            sender.send(("error", exc if isinstance(exc, IgegraphError) else QueryError(f"query failed: {first}")))
        finally:
            sender.close()

    proc = ctx.Process(target=child, daemon=True)
    proc.start()
    sender.close()
    try:
        if not receiver.poll(max(deadline - time.monotonic(), 0)):
            raise QueryTimeout(f"query timed out after {timeout:g} s; narrow it or raise --timeout")
        status, payload = receiver.recv()
    except EOFError:
        proc.join(1)
        code = proc.exitcode
        how = f"was killed by signal {-code}" if code is not None and code < 0 else "ended without an answer"
        raise QueryError(f"the query engine {how}; simplify the query") from None
    finally:
        receiver.close()
        if proc.is_alive():
            proc.kill()
        proc.join()
    if status == "error":
        raise payload
    return payload
