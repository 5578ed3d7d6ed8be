"""Loading for the CLI: a persistent store when asked, otherwise a parse-once on-disk cache.

Every CLI command loads the graph through :func:`load_cached`. The first run parses the
ontology, the curated data and any ``--data`` files and writes a cache entry; later runs load
the triples from the entry (N-Quads, read by Oxigraph's bulk parser) and the networkx
projection from compact JSON (see :mod:`igegraph.persist`), skipping the parsers and the
projection build. Nothing in the cache can execute code.

Where the cache lives
    ``$IGEGRAPH_CACHE_DIR`` if set, else ``$XDG_CACHE_HOME/igegraph``, else
    ``~/.cache/igegraph``. ``IGEGRAPH_NO_CACHE=1`` turns the cache off.

When an entry is used
    Its key is a SHA-256 over the backend, the igegraph and Python versions and the path and
    the *content* of every ontology, data and query file shipped with igegraph, of the
    package's modules and of every ``--data`` file. Any edit makes a new key (a file edited
    to the same size with its mtime put back too), so a stale entry is never read. Entries
    are written to a temporary file and renamed into place, so readers never see half an
    entry; a truncated, corrupt or mismatched entry is ignored and rebuilt. Only the most
    recent :data:`MAX_ENTRIES` entries are kept.

Who may write it
    The folder is made ``0700`` and entries ``0600`` whatever the umask. A folder that
    belongs to someone else or that others may write is not used at all, and an entry that
    belongs to someone else or that others may write is ignored.

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
import sys
from collections.abc import Iterable
from functools import cache, cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from .persist import decode_projection, encode_projection, private_dir, read_private, write_private

if TYPE_CHECKING:  # kg imports rdflib; keep `igegraph --help` free of it
    import networkx as nx
    from oxrdflib import OxigraphStore

    from .kg import KnowledgeGraph

__all__ = ["load_cached", "cache_dir", "cache_key", "clear_cache", "MAX_ENTRIES"]

#: How many cache entries (distinct sets of input files) are kept.
MAX_ENTRIES = 8

# Part of every key and entry, so that entries of another layout are simply never matched.
_FORMAT = "igegraph-cache/2"
_GRAPH_SUFFIX = ".graph.nq"
_PROJECTION_SUFFIX = ".projection.json"


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


def _digest(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def cache_key(data: Iterable[str | Path] = (), backend: str = "oxigraph") -> str:
    """The cache key of a graph: a SHA-256 over backend, versions, and the path and content
    of every input file and of the package's modules (so a code change never reads an old
    projection).

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
        A file cannot be read (the caller then loads without the cache, which reports it).

    Examples
    --------
    >>> cache_key(backend="oxigraph") != cache_key(backend="memory")
    True
    """
    from . import __version__

    # the package's own modules count too: the projection they build is cached
    code = sorted(Path(__file__).resolve().parent.rglob("*.py"))
    files = [[str(path.resolve()), _digest(path)] for path in [*_input_files(data), *code]]
    blob = json.dumps(
        {"format": _FORMAT, "backend": backend, "igegraph": __version__,
         "python": list(sys.version_info[:2]), "files": files},
        sort_keys=True,
    )
    return hashlib.sha256(blob.encode()).hexdigest()[:32]


#: Temporary files older than this (seconds) were left by killed runs and are removed.
_STALE_TMP = 3600


def _prune(folder: Path, keep: int | None = None) -> None:
    """Drop all but the ``keep`` (default :data:`MAX_ENTRIES`) most recently written entries,
    and temporary files that killed runs left behind."""
    import time

    keep = MAX_ENTRIES if keep is None else keep
    try:
        entries = sorted(folder.glob(f"*{_GRAPH_SUFFIX}"), key=lambda p: p.stat().st_mtime, reverse=True)
        for old in entries[keep:]:
            key = old.name[: -len(_GRAPH_SUFFIX)]
            for path in (old, folder / f"{key}{_PROJECTION_SUFFIX}"):
                path.unlink(missing_ok=True)
        for tmp in folder.glob(".tmp-*"):  # an hour old: no live write is that slow
            if tmp.stat().st_mtime < time.time() - _STALE_TMP:
                tmp.unlink(missing_ok=True)
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
            if (path.is_file() and path.name.endswith((_GRAPH_SUFFIX, _PROJECTION_SUFFIX))
                    or path.name.startswith(".tmp-")):
                path.unlink(missing_ok=True)
                removed += 1
    return removed


# ------------------------------------------------------------------ graph (de)serialisation


def _dump_graph(kg: "KnowledgeGraph", key: str) -> bytes:
    """A cache entry: one line of JSON (what it is), then the triples as N-Quads."""
    import pyoxigraph as ox

    if kg.backend == "oxigraph":
        # Oxigraph's own N-Quads writer and bulk loader: Rust on both sides, ~10x rdflib.
        store = cast("OxigraphStore", kg.graph.store)._inner  # rdflib types graph.store as the base Store
        body = cast(bytes, store.dump(format=ox.RdfFormat.N_QUADS))  # bytes without an output
    else:
        body = kg.graph.serialize(format="nt", encoding="utf-8")
    head = {"format": _FORMAT, "key": key, "backend": kg.backend, "count": len(kg.graph),
            "sources": [str(p) for p in kg.sources], "vocabulary_changes": kg.vocabulary_changes}
    return json.dumps(head, ensure_ascii=False).encode() + b"\n" + body


def _rdflib_term(t: Any) -> Any:
    """The rdflib term of a pyoxigraph term, as rdflib's own parsers would make it."""
    import pyoxigraph as ox
    from rdflib import BNode, Literal, URIRef

    if isinstance(t, ox.NamedNode):
        return URIRef(t.value)
    if isinstance(t, ox.BlankNode):
        return BNode(t.value)
    if t.language:
        return Literal(t.value, lang=t.language)
    if t.datatype.value == "http://www.w3.org/2001/XMLSchema#string":
        return Literal(t.value)
    return Literal(t.value, datatype=URIRef(t.datatype.value))


def _restore_graph(raw: bytes, key: str, backend: str) -> "KnowledgeGraph":
    """Rebuild a KnowledgeGraph from a cache entry; raise anything on mismatch."""
    from .kg import new_graph

    line, _, body = raw.partition(b"\n")
    head = json.loads(line)
    if not isinstance(head, dict) or head.get("format") != _FORMAT or head.get("key") != key \
            or head.get("backend") != backend or type(head.get("count")) is not int \
            or not all(isinstance(p, str) for p in head.get("sources", [None])) \
            or not all(isinstance(c, str) for c in head.get("vocabulary_changes", [None])):
        raise ValueError("cache entry does not match its key")
    import pyoxigraph as ox

    if backend == "oxigraph":
        from .store.graph import _wrap

        store = ox.Store()
        store.load(input=body, format=ox.RdfFormat.N_QUADS)
        graph = _wrap(store)
        count = len(store)
    else:
        graph = new_graph("memory")
        terms: dict = {}  # equal terms become one object, as the parser makes them

        def term(t: Any) -> Any:
            found = terms.get(t)
            if found is None:
                found = terms[t] = _rdflib_term(t)
            return found

        quads = ox.parse(body, format=ox.RdfFormat.N_QUADS)
        graph.addN((term(q.subject), term(q.predicate), term(q.object), graph) for q in quads)
        count = len(graph)
    if count != head["count"]:
        raise ValueError("cache entry is truncated")
    kg = _cached_kg(graph, backend, [Path(p) for p in head["sources"]], key)
    kg.vocabulary_changes = head["vocabulary_changes"]
    return kg


class _CachedProjection:
    """Mixin: the projection is read from (or written to) the cache entry next to the triples."""

    _cache_key: str

    @cached_property
    def projection(self) -> "nx.MultiDiGraph":
        from .project import build_projection

        path = cache_dir() / f"{self._cache_key}{_PROJECTION_SUFFIX}"
        tag = {"cache_key": self._cache_key}
        projection = decode_projection(read_private(path), tag)
        if projection is not None:
            return projection
        projection = build_projection(self)  # type: ignore[arg-type]
        try:
            if private_dir(path.parent):
                write_private(path, encode_projection(projection, tag))
        except (OSError, ValueError):  # a read-only cache, or values JSON cannot hold: no cache
            pass
        return projection


@cache
def _cached_kg_class() -> type:
    """KnowledgeGraph with a cache-backed projection (made on first use: kg imports rdflib)."""
    from .kg import KnowledgeGraph

    return type("CachedKnowledgeGraph", (_CachedProjection, KnowledgeGraph), {"__module__": __name__})


def _cached_kg(graph: Any, backend: str, sources: list[Path], key: str) -> "KnowledgeGraph":
    kg = _cached_kg_class()(graph, backend, sources)
    kg._cache_key = key
    return kg


# ------------------------------------------------------------------ the public entry point


def load_cached(data: Iterable[str | Path] = (), backend: str = "oxigraph", store: str | Path | None = None,
                allow_vocabulary_changes: bool = False, lenient: bool = False) -> "KnowledgeGraph":
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
    allow_vocabulary_changes : bool
        Accept ``data`` that redefines terms of the igegraph vocabulary (see
        :func:`igegraph.kg.load`); the changes are listed in ``kg.vocabulary_changes``.
    lenient : bool
        Refuse no vocabulary change or value (for ``validate``; see :func:`igegraph.kg.load`).

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
    files = [Path(p) for p in data]
    if store is not None:
        from .store import open_store

        return open_store(store, data=files, allow_vocabulary_changes=allow_vocabulary_changes, lenient=lenient)

    from .kg import check_vocabulary_changes, load

    def parse() -> "KnowledgeGraph":
        return load(files, backend=backend, allow_vocabulary_changes=allow_vocabulary_changes, lenient=lenient)

    if os.environ.get("IGEGRAPH_NO_CACHE", "").strip() not in ("", "0"):
        return parse()
    try:
        key = cache_key(files, backend)
    except OSError:  # a --data file is missing: let the loader report it properly
        return parse()

    folder = cache_dir()
    path = folder / f"{key}{_GRAPH_SUFFIX}"
    raw = read_private(path)
    if raw is not None:
        try:
            kg = _restore_graph(raw, key, backend)
        except Exception:  # a corrupt or mismatched entry: rebuild it below
            pass
        else:
            if files and not lenient:
                check_vocabulary_changes(kg, allow_vocabulary_changes, files)
            return kg

    kg = parse()
    try:
        if private_dir(folder):
            entry = _dump_graph(kg, key)
            write_private(path, entry)
            _prune(folder)
            # the entry's triple order, as every later run will have it: rows of a query
            # without ORDER BY come out the same on the first run as on the next ones
            return _restore_graph(entry, key, backend)
    except Exception:  # an unwritable cache never fails a command
        pass
    cached = _cached_kg(kg.graph, kg.backend, kg.sources, key)
    cached.vocabulary_changes = kg.vocabulary_changes
    return cached
