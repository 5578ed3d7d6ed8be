"""A map that keeps only its most recently used entries, safe to share between threads.

Processes that run many commands or requests (a server, a test run) keep values they may be
asked for again: the algebra of checked queries, graph templates, cones, fetched graphs, SHACL
results. Each such store keeps the last few only, so that a long-running process does not
grow without bound; :class:`Recent` is that store.

Examples
--------
>>> kept = Recent(2)
>>> kept.put("a", 1); kept.put("b", 2)
>>> kept.get("a")                 # a use: "a" is now the most recent
1
>>> kept.put("c", 3)              # past the limit: the least recently used ("b") goes
>>> "b" in kept, kept.get("b"), len(kept)
(False, None, 2)
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable
from typing import Generic, TypeVar

__all__ = ["Recent"]

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class Recent(Generic[K, V]):
    """The ``limit`` most recently used entries of a map; reading one (:meth:`get`) or writing
    one (:meth:`put`) uses it. Each call holds a lock, so threads may share one.

    Parameters
    ----------
    limit : int
        How many entries are kept (at least 1).
    """

    def __init__(self, limit: int) -> None:
        if limit < 1:
            raise ValueError(f"limit must be at least 1, not {limit}")
        self.limit = limit
        self._entries: OrderedDict[K, V] = OrderedDict()  # least recently used first
        self._lock = threading.Lock()

    def get(self, key: K, default: V | None = None) -> V | None:
        """The value of ``key`` (now the most recently used), else ``default``."""
        with self._lock:
            if key not in self._entries:
                return default
            self._entries.move_to_end(key)
            return self._entries[key]

    def put(self, key: K, value: V) -> None:
        """Keep ``value`` under ``key`` as the most recently used; the least recently used
        entries past :attr:`limit` are dropped."""
        with self._lock:
            self._entries[key] = value
            self._entries.move_to_end(key)
            while len(self._entries) > self.limit:
                self._entries.popitem(last=False)

    def keys(self) -> list[K]:
        """The keys kept, least recently used first (not a use)."""
        with self._lock:
            return list(self._entries)

    def values(self) -> list[V]:
        """The values kept, least recently used first (not a use)."""
        with self._lock:
            return list(self._entries.values())

    def clear(self) -> None:
        """Drop every entry."""
        with self._lock:
            self._entries.clear()

    def __contains__(self, key: object) -> bool:
        """Whether ``key`` is kept (not a use: its place is left as it was)."""
        with self._lock:
            return key in self._entries

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)
