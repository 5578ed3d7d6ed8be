"""igegraph: a knowledge graph of IgE-mediated allergic disease and anti-IgE therapy.

Heavy libraries (rdflib, networkx, pyvis) are imported only when a function needs them, so
``import igegraph`` and ``igegraph --help`` stay instant.

Examples
--------
>>> import igegraph
>>> kg = igegraph.load()
>>> kg.resolve("Xolair")
'ig:omalizumab'
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from .errors import DataError, EndpointError, IgegraphError, OutputExists, QueryError, StoreError, UnknownEntity

if TYPE_CHECKING:  # what __getattr__ returns, spelled out for type checkers (mypy, pyright)
    from .fulltext import search  # noqa: F401
    from .kg import KnowledgeGraph, load  # noqa: F401
    from .project import build_projection  # noqa: F401
    from .resolve import SearchHit  # noqa: F401
    from .store import build_store, open_store  # noqa: F401

__version__ = "0.1.0"

# public name -> defining module, imported on first use. A name may not equal a submodule's
# (importing igegraph.resolve would replace a function called resolve), so term resolution is
# kg.resolve(term) or igegraph.resolve.resolve(kg, term).
_LAZY = {
    "KnowledgeGraph": "kg",
    "load": "kg",
    "search": "fulltext",
    "SearchHit": "resolve",
    "build_projection": "project",
    "build_store": "store",
    "open_store": "store",
}

__all__ = [
    "IgegraphError", "UnknownEntity", "QueryError", "DataError", "OutputExists", "StoreError", "EndpointError",
    *_LAZY,
]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'igegraph' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
