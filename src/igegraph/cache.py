"""Loading for the CLI: a persistent store when asked, otherwise a parse-once on-disk cache.

Every CLI command loads the graph through :func:`load_cached`. The first run parses the
ontology, the curated data and any ``--data`` files and writes a cache entry; later runs load
the triples from the entry (a binary N-Quads dump for the Oxigraph backend, a pickle of the
triples for the Memory backend) and the networkx projection from a pickle, skipping the
parsers and the projection build.

Where the cache lives
    ``$IGEGRAPH_CACHE_DIR`` if set, else ``$XDG_CACHE_HOME/igegraph``, else
    ``~/.cache/igegraph``. ``IGEGRAPH_NO_CACHE=1`` turns the cache off.

When an entry is used
    Its key covers the backend, the igegraph and Python versions, and the path, ``mtime_ns``
    and size of every ontology, data and query file shipped with igegraph and of every
    ``--data`` file. Editing any of them makes a new key, so a stale entry is never read.
    An unreadable or corrupt entry is ignored and rebuilt; entries are written to a temporary
    file and renamed into place, so readers never see half an entry. Only the most recent
    :data:`MAX_ENTRIES` entries are kept.

The cache holds pickles: like any cache directory it must be writable by you alone.

Examples
--------
>>> import os, tempfile
>>> os.environ["IGEGRAPH_CACHE_DIR"] = tempfile.mkdtemp()
>>> kg = load_cached()                  # parses, then writes the cache
>>> again = load_cached()               # reads the cache
>>> len(again) == len(kg)
True
>>> del os.environ["IGEGRAPH_CACHE_DIR"]
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import sys
import tempfile
from functools import cached_property, lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable

if TYPE_CHECKING:  # kg imports rdflib; keep `igegraph --help` free of it
    import networkx as nx

    from .kg import KnowledgeGraph

__all__ = ["load_cached", "cache_dir", "cache_key", "clear_cache", "MAX_ENTRIES"]

#: How many cache entries (distinct sets of input files) are kept.
MAX_ENTRIES = 8

# Bumped when the layout of an entry changes, so that old entries are simply never matched.
_FORMAT = 1
_GRAPH_SUFFIX = ".graph.pickle"
_PROJECTION_SUFFIX = ".projection.pickle"


def cache_dir() -> Path:
    """The directory of the graph cache.

    Returns
    -------
    Path
        ``$IGEGRAPH_CACHE_DIR``, else ``$XDG_CACHE_HOME/igegraph``, else ``~/.cache/igegraph``.

    Examples
    --------
    >>> import os
    >>> os.environ["IGEGRAPH_CACHE_DIR"] = "/tmp/igc"
    >>> str(cache_dir())
    '/tmp/igc'
    >>> del os.environ["IGEGRAPH_CACHE_DIR"]
    """
    explicit = os.environ.get("IGEGRAPH_CACHE_DIR")
    if explicit:
        return Path(explicit).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg).expanduser() if xdg else Path.home() / ".cache"
    return base / "igegraph"


def _input_files(data: Iterable[str | Path]) -> list[Path]:
    """Every file whose change must invalidate the cache: shipped resources, then user data."""
    from .resources import resource_dir

    files: list[Path] = []
    for name in ("ontology", "data", "queries"):
        folder = resource_dir(name)
        if folder.is_dir():
            files.extend(sorted(p for p in folder.iterdir() if p.is_file()))
    files.extend(Path(p) for p in data)
    return files


def cache_key(data: Iterable[str | Path] = (), backend: str = "oxigraph") -> str:
    """The cache key of a graph: a hash of backend, versions, every input file's stat and the
    stat of the package's modules (so a code change never reads an old projection).

    Parameters
    ----------
    data : iterable of path
        The user's ``--data`` files, in order.
    backend : str
        ``"oxigraph"`` or ``"memory"``.

    Returns
    -------
    str
        A hex digest.

    Raises
    ------
    OSError
        A file cannot be stat'ed (the caller then loads without the cache, which reports it).

    Examples
    --------
    >>> cache_key(backend="oxigraph") != cache_key(backend="memory")
    True
    """
    from . import __version__

    stats = []
    # the package's own modules count too: the projection they build is cached
    code = sorted(Path(__file__).resolve().parent.glob("*.py"))
    for path in [*_input_files(data), *code]:
        st = path.stat()
        stats.append([str(path.resolve()), st.st_mtime_ns, st.st_size])
    blob = json.dumps(
        {"format": _FORMAT, "backend": backend, "igegraph": __version__,
         "python": list(sys.version_info[:2]), "files": stats},
        sort_keys=True,
    )
    return hashlib.sha256(blob.encode()).hexdigest()[:32]


def _write_atomic(path: Path, payload: bytes) -> None:
    """Write a file so that readers see either the old content or the whole new one."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=path.suffix)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(payload)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def _prune(folder: Path, keep: int | None = None) -> None:
    """Drop all but the ``keep`` (default :data:`MAX_ENTRIES`) most recently written entries."""
    keep = MAX_ENTRIES if keep is None else keep
    try:
        entries = sorted(folder.glob(f"*{_GRAPH_SUFFIX}"), key=lambda p: p.stat().st_mtime, reverse=True)
        for old in entries[keep:]:
            key = old.name[: -len(_GRAPH_SUFFIX)]
            for path in (old, folder / f"{key}{_PROJECTION_SUFFIX}"):
                path.unlink(missing_ok=True)
    except OSError:  # a concurrent process pruned first; nothing to do
        pass


def clear_cache() -> int:
    """Delete every cache entry; return how many files were removed.

    Examples
    --------
    >>> import os, tempfile
    >>> os.environ["IGEGRAPH_CACHE_DIR"] = tempfile.mkdtemp()
    >>> clear_cache()
    0
    >>> del os.environ["IGEGRAPH_CACHE_DIR"]
    """
    folder = cache_dir()
    removed = 0
    if folder.is_dir():
        for path in folder.iterdir():
            if path.is_file() and path.name.endswith((_GRAPH_SUFFIX, _PROJECTION_SUFFIX)) or path.name.startswith(".tmp-"):
                path.unlink(missing_ok=True)
                removed += 1
    return removed


# ------------------------------------------------------------------ graph (de)serialisation


def _dump_graph(kg: "KnowledgeGraph", key: str) -> bytes:
    """Serialise the triples of a freshly parsed graph."""
    if kg.backend == "oxigraph":
        import pyoxigraph as ox

        # Oxigraph's own N-Quads writer and bulk loader: Rust on both sides, ~10x rdflib.
        body: Any = kg.graph.store._inner.dump(format=ox.RdfFormat.N_QUADS)
    else:
        # Intern equal terms so that pickle writes (and later rebuilds) each term only once.
        canon: dict = {}
        body = [tuple(canon.setdefault(t, t) for t in triple) for triple in kg.graph]
    return pickle.dumps(
        {"format": _FORMAT, "key": key, "backend": kg.backend, "count": len(kg.graph), "body": body,
         "sources": [str(p) for p in kg.sources]},
        protocol=pickle.HIGHEST_PROTOCOL,
    )


def _restore_graph(entry: dict, key: str, backend: str) -> "KnowledgeGraph":
    """Rebuild a KnowledgeGraph from a cache entry; raise anything on mismatch."""
    if entry.get("format") != _FORMAT or entry.get("key") != key or entry.get("backend") != backend:
        raise ValueError("cache entry does not match its key")
    from .kg import new_graph

    if backend == "oxigraph":
        import pyoxigraph as ox
        import rdflib
        from oxrdflib import OxigraphStore
        from rdflib.graph import DATASET_DEFAULT_GRAPH_ID

        from .vocab import PREFIXES

        store = ox.Store()
        store.load(input=entry["body"], format=ox.RdfFormat.N_QUADS)
        graph = rdflib.Graph(store=OxigraphStore(store=store), identifier=DATASET_DEFAULT_GRAPH_ID)
        for prefix, ns in PREFIXES.items():
            graph.bind(prefix, ns, override=True)
        count = len(store)
    else:
        graph = new_graph("memory")
        graph.addN((s, p, o, graph) for s, p, o in entry["body"])
        count = len(graph)
    if count != entry["count"]:
        raise ValueError("cache entry is truncated")
    return _cached_kg(graph, backend, [Path(p) for p in entry["sources"]], key)


class _CachedProjection:
    """Mixin: the projection is read from (or written to) the cache entry next to the triples."""

    _cache_key: str

    @cached_property
    def projection(self) -> "nx.MultiDiGraph":
        from .project import build_projection

        path = cache_dir() / f"{self._cache_key}{_PROJECTION_SUFFIX}"
        try:
            with open(path, "rb") as fh:
                entry = pickle.load(fh)
            if entry.get("format") == _FORMAT and entry.get("key") == self._cache_key:
                return entry["projection"]
        except Exception:  # missing, truncated or foreign: rebuild below
            pass
        projection = build_projection(self)  # type: ignore[arg-type]
        try:
            payload = pickle.dumps({"format": _FORMAT, "key": self._cache_key, "projection": projection},
                                   protocol=pickle.HIGHEST_PROTOCOL)
            _write_atomic(path, payload)
        except Exception:  # a read-only cache dir must not fail the caller
            pass
        return projection


@lru_cache(maxsize=None)
def _cached_kg_class() -> type:
    """KnowledgeGraph with a cache-backed projection (made on first use: kg imports rdflib)."""
    from .kg import KnowledgeGraph

    return type("CachedKnowledgeGraph", (_CachedProjection, KnowledgeGraph), {"__module__": __name__})


def _cached_kg(graph: Any, backend: str, sources: list[Path], key: str) -> "KnowledgeGraph":
    kg = _cached_kg_class()(graph, backend, sources)
    kg._cache_key = key
    return kg


# ------------------------------------------------------------------ the public entry point


def load_cached(data: Iterable[str | Path] = (), backend: str = "oxigraph", store: str | Path | None = None) -> "KnowledgeGraph":
    """Load the graph the CLI options describe, through the cache when possible.

    Parameters
    ----------
    data : iterable of path
        User RDF files to merge (``--data``).
    backend : {"oxigraph", "memory"}
        The rdflib store to load into (``--backend``). Ignored when ``store`` is given.
    store : path, optional
        A persistent store built by :func:`igegraph.store.build_store` (``--store``); it is
        opened directly (see :func:`igegraph.store.open_store`), the cache is not used.

    Returns
    -------
    KnowledgeGraph
        Identical in content to :func:`igegraph.kg.load`; its ``projection`` is also cached.

    Raises
    ------
    DataError
        A file is missing or malformed (raised by the parser; nothing is cached).
    StoreError
        ``store`` is not a usable igegraph store.

    Examples
    --------
    >>> import os, tempfile
    >>> os.environ["IGEGRAPH_CACHE_DIR"] = tempfile.mkdtemp()
    >>> kg = load_cached(backend="memory")
    >>> kg.backend
    'memory'
    >>> del os.environ["IGEGRAPH_CACHE_DIR"]
    """
    data = [Path(p) for p in data]
    if store is not None:
        from .store import open_store

        return open_store(store, data=data)

    from .kg import load

    if os.environ.get("IGEGRAPH_NO_CACHE", "").strip() not in ("", "0"):
        return load(data, backend=backend)
    try:
        key = cache_key(data, backend)
    except OSError:  # a --data file is missing: let the loader report it properly
        return load(data, backend=backend)

    folder = cache_dir()
    path = folder / f"{key}{_GRAPH_SUFFIX}"
    try:
        with open(path, "rb") as fh:
            return _restore_graph(pickle.load(fh), key, backend)
    except Exception:  # no entry yet, or an unreadable/corrupt/foreign one: rebuild it
        pass

    kg = load(data, backend=backend)
    cached = _cached_kg(kg.graph, kg.backend, kg.sources, key)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        _write_atomic(path, _dump_graph(kg, key))
        _prune(folder)
    except Exception:  # an unwritable cache never fails a command
        pass
    return cached
