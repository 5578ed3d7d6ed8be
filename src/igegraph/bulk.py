"""Building big structures without the cyclic garbage collector running every few hundred
allocations.

A cone fetch of thousands of blockers, a projection, a traversal that lists every action, a
load, a validation or an export allocates hundreds of thousands of small objects (rdflib terms,
tuples, networkx attribute dicts) and frees almost none: CPython's collector, triggered by allocations, then walks the
ever larger heap again and again, a fifth of the time of a ``blocks`` at 10M triples. None of
these structures makes reference cycles that need collecting right away, so the collector
waits until the work is done.

Examples
--------
>>> import gc
>>> with paused():
...     gc.isenabled()
False
>>> gc.isenabled()
True
"""

from __future__ import annotations

import functools
import gc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import ParamSpec, TypeVar

__all__ = ["paused", "gc_paused"]

_P = ParamSpec("_P")
_T = TypeVar("_T")


@contextmanager
def paused() -> Iterator[None]:
    """Automatic garbage collection off inside the block (unless it was already off), on again
    after it, whatever happens; nested blocks leave it to the outermost."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def gc_paused(func: Callable[_P, _T]) -> Callable[_P, _T]:
    """Run ``func`` inside :func:`paused`."""

    @functools.wraps(func)
    def run(*args: _P.args, **kwargs: _P.kwargs) -> _T:
        with paused():
            return func(*args, **kwargs)

    return run
