"""Backends: where the triples live, behind one small interface, registered by name.

A backend makes empty graphs, loads files into them, runs SPARQL with bindings, dumps and
restores a graph for the on-disk cache, serializes and fetches subgraphs. Four are registered:

``memory``
    rdflib's pure-Python Memory store.
``oxigraph``
    rdflib over an embedded in-memory Oxigraph store (the default).
``store``
    A persistent on-disk Oxigraph store built by ``igegraph store build`` (location: DIR).
``endpoint``
    Any SPARQL 1.1 Protocol endpoint (Oxigraph server, Virtuoso, Fuseki, …; location: URL).

Other backends are added as rdflib adds stores: :func:`register` maps a name to
``"module:Class"``, imported only when the backend is first used (so ``igegraph --help``
imports no RDF library). Nothing outside this package touches a store's internals.

Examples
--------
>>> backend_names()
['endpoint', 'memory', 'oxigraph', 'store']
>>> [name for name in backend_names() if backend_location(name) is None]
['memory', 'oxigraph']
>>> get_backend("memory").name
'memory'
>>> get_backend("bogus")
Traceback (most recent call last):
...
ValueError: unknown backend 'bogus'; use one of endpoint, memory, oxigraph, store
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol, runtime_checkable

if TYPE_CHECKING:
    import rdflib
    from rdflib.query import Result

    from ..kg import KnowledgeGraph

__all__ = ["Backend", "register", "get_backend", "backend_names", "backend_location", "PASSWORD_ENV"]

#: Environment variable holding the password of an endpoint's user (``--endpoint-user``).
PASSWORD_ENV = "IGEGRAPH_ENDPOINT_PASSWORD"


@runtime_checkable
class Backend(Protocol):
    """What every backend does; ``graph`` arguments are graphs the backend itself made.

    Attributes
    ----------
    name : str
        The registered name.
    remote : bool
        True when the triples live in another process (a SPARQL endpoint): queries then go
        to it as they are, with its own request timeout, and commands fetch only the
        subgraph they need.
    """

    name: str
    remote: bool

    def load(self, data: Iterable[str | Path] = (), *, curated: bool = True, allow_vocabulary_changes: bool = False,
             lenient: bool = False) -> "KnowledgeGraph":
        """The knowledge graph: the curated files plus ``data`` (see :func:`igegraph.kg.load`)."""

    def new_graph(self) -> "rdflib.Graph":
        """An empty graph on this backend, with the project's prefixes bound."""

    def load_files(self, graph: "rdflib.Graph", paths: Iterable[Path]) -> None:
        """Parse RDF files into ``graph``; DataError names the file and line of a problem."""

    def query(self, graph: "rdflib.Graph", text: str, bindings: Mapping[Any, Any],
              timeout: float | None = None) -> "Result":
        """Run a checked SPARQL query with bound variables (rdflib terms) on ``graph``."""

    def dump(self, graph: "rdflib.Graph") -> bytes:
        """The triples of ``graph`` as N-Quads (for the cache)."""

    def restore(self, body: bytes) -> "rdflib.Graph":
        """A new graph holding the N-Quads that :meth:`dump` wrote, unchanged (the cache
        checks their digest first, so IRIs and literals need not be validated again)."""

    def serialize(self, graph: "rdflib.Graph", fmt: str) -> bytes:
        """``graph`` in an rdflib serialization format (``turtle``, ``nt`` …)."""

    def subgraph(self, graph: "rdflib.Graph", construct: str, bindings: Mapping[Any, Any]) -> "rdflib.Graph":
        """The triples a CONSTRUCT query makes, as a new graph on this backend."""


class _Entry(NamedTuple):
    target: str  # "module:Class"
    location: str | None  # what the backend is opened on ("DIR", "URL"), None if nothing


_REGISTRY: dict[str, _Entry] = {}


def register(name: str, target: str, location: str | None = None) -> None:
    """Register a backend class under ``name``, as ``"package.module:Class"`` (imported lazily).

    Parameters
    ----------
    name : str
        The name users give (``--backend NAME``, ``igegraph.load(backend=NAME)``).
    target : str
        Where the class is; it is called with ``location`` (when the backend has one) and
        keyword options.
    location : str, optional
        What the backend is opened on, e.g. ``"DIR"`` or ``"URL"``; None for backends that
        make their graphs themselves.
    """
    _REGISTRY[name] = _Entry(target, location)


def backend_names() -> list[str]:
    """The registered backend names, sorted."""
    return sorted(_REGISTRY)


def backend_location(name: str) -> str | None:
    """What the backend ``name`` is opened on (``"DIR"``, ``"URL"``), or None."""
    return _entry(name).location


def _entry(name: str) -> _Entry:
    try:
        return _REGISTRY[name]
    except KeyError:
        raise ValueError(f"unknown backend {name!r}; use one of {', '.join(backend_names())}") from None


def get_backend(name: str | Backend, location: str | Path | None = None, **options: Any) -> Backend:
    """The backend registered as ``name`` (a Backend is returned as it is).

    Parameters
    ----------
    name : str or Backend
    location : str or Path, optional
        The directory or URL of backends that need one.
    **options
        Passed to the backend class (for ``endpoint``: ``user``, ``password``, ``graph``,
        ``timeout``, ``store_url``).

    Raises
    ------
    ValueError
        ``name`` is not registered, or a location is missing or not wanted.
    """
    if not isinstance(name, str):
        return name
    entry = _entry(name)
    module, _, cls = entry.target.partition(":")
    factory = getattr(importlib.import_module(module), cls)
    if entry.location is None:
        if location is not None:
            raise ValueError(f"the {name} backend takes no location")
        return factory(**options)
    if location is None:
        raise ValueError(f"the {name} backend needs a {entry.location}")
    return factory(location, **options)


register("memory", "igegraph.backends.local:MemoryBackend")
register("oxigraph", "igegraph.backends.local:OxigraphBackend")
register("store", "igegraph.backends.local:StoreBackend", location="DIR")
register("endpoint", "igegraph.backends.endpoint:EndpointBackend", location="URL")
