"""Loading for the CLI: persistent store when asked, otherwise parse the files."""

from __future__ import annotations

from typing import Iterable

from .kg import KnowledgeGraph, load

__all__ = ["load_cached"]


def load_cached(data: Iterable[str] = (), backend: str = "oxigraph", store: str | None = None) -> KnowledgeGraph:
    """Load the graph the CLI options describe."""
    if store is not None:
        from .store import open_store

        return open_store(store, data=data)
    return load(data, backend=backend)
