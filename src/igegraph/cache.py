"""Loading for the CLI: a persistent store when asked, otherwise a parse-once on-disk cache.

Every CLI command loads the graph through :func:`load_cached`. The first run parses the
ontology, the curated data and any ``--data`` files and writes a cache entry; later runs load
the triples from the entry (N-Quads, read by Oxigraph's bulk parser), and the networkx
projection, the full-text index's texts and the SHACL shapes' results from compact JSON next
to it (see :mod:`igegraph.persist`, :mod:`igegraph.fulltext` and :mod:`igegraph.validate`),
skipping the parsers and those builds. Nothing in the cache can execute code.

Where the cache lives
    ``$IGEGRAPH_CACHE_DIR`` if set, else ``$XDG_CACHE_HOME/igegraph``, else
    ``~/.cache/igegraph``. ``IGEGRAPH_NO_CACHE=1`` turns the cache off.

When an entry is used
    Its key is a SHA-256 over the backend, the igegraph and Python versions and the path and
    the *content* of every ontology, data and query file shipped with igegraph, of the
    package's modules and of every ``--data`` file. Any edit makes a new key (a file edited
    to the same size with its mtime put back too), so a stale entry is never read. Entries
    are written to a temporary file and renamed into place, so readers never see half an
    entry; an entry records the SHA-256 of its triples, and a truncated, corrupt or
    mismatched entry is ignored and rebuilt. Only the :data:`MAX_ENTRIES` most recently
    used entries are kept (a run that reads an entry marks it used).

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

import contextlib
import hashlib
import json
import os
import sys
import time
from collections.abc import Callable, Iterable
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from .persist import private_dir, read_private, write_private
from .recent import Recent

if TYPE_CHECKING:  # kg imports rdflib; keep `igegraph --help` free of it
    from .backends import Backend
    from .kg import KnowledgeGraph

T = TypeVar("T")

__all__ = ["load_cached", "cache_dir", "cache_enabled", "cache_key", "clear_cache", "MAX_ENTRIES"]

#: How many cache entries (distinct sets of input files) are kept.
MAX_ENTRIES = 16

# Part of every key and entry, so that entries of another layout are simply never matched.
_FORMAT = "igegraph-cache/3"
_GRAPH_SUFFIX = ".graph.nq"
# <key>.<name>.json: a derived value kept next to the entry (see _CachedValues)
_VALUE_SUFFIX = ".json"
#: The derived values kept next to an entry.
_KEPT = ("projection", "fulltext", "shacl")


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


def cache_enabled() -> bool:
    """False when ``IGEGRAPH_NO_CACHE`` is set to anything but ``0`` or blank.

    Examples
    --------
    >>> import os
    >>> os.environ["IGEGRAPH_NO_CACHE"] = "1"
    >>> cache_enabled()
    False
    >>> del os.environ["IGEGRAPH_NO_CACHE"]
    """
    return os.environ.get("IGEGRAPH_NO_CACHE", "").strip() in ("", "0")


@cache
def _resource_folders() -> list[Path]:
    """The shipped resource folders, resolved once per process: where they are does not
    change while it runs (what they hold may, and is listed for every key)."""
    from .resources import resource_dir

    folders = (resource_dir(name) for name in ("ontology", "data", "queries"))
    return [folder.resolve() for folder in folders if folder.is_dir()]


def _input_files(data: Iterable[str | Path]) -> list[Path]:
    """Every file whose change must invalidate the cache, resolved: shipped resources (one
    directory read per folder, not a stat and a path resolution per file), then user data."""
    files: list[Path] = []
    for folder in _resource_folders():
        with os.scandir(folder) as entries:
            files.extend(sorted(Path(entry.path) for entry in entries if entry.is_file()))
    files.extend(Path(p).resolve() for p in data)
    return files


#: A file's digest is kept only when its last change (``st_ctime``) is this many nanoseconds
#: older than the look-up: any later write then moves ``st_ctime`` to another value (which
#: no system call sets back, and whose clock ticks in milliseconds), so the file's identity,
#: size, mtime and ctime name its content.
_SETTLED_NS = 2_000_000_000
# path -> (its stat as above, its SHA-256): each command of a test run or a server digests
# the same ~40 shipped files, and digesting is most of computing a key
_DIGESTS: Recent[str, tuple[tuple[int, ...], str]] = Recent(1024)


def _digest(path: Path) -> str:
    st = os.stat(path)
    seen = (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)
    kept = _DIGESTS.get(str(path))
    if kept is not None and kept[0] == seen:
        return kept[1]
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    if time.time_ns() - max(st.st_ctime_ns, st.st_mtime_ns) > _SETTLED_NS:
        _DIGESTS.put(str(path), (seen, h.hexdigest()))
    return h.hexdigest()


@cache
def _code_files() -> list[list[str]]:
    """Path and digest of each of the package's modules: they count in the key, since the
    projection they build is cached. Read once per process: the code that runs is the code
    imported, whatever happens to the files later."""
    return [[str(path.resolve()), _digest(path)] for path in sorted(Path(__file__).resolve().parent.rglob("*.py"))]


def cache_key(data: Iterable[str | Path] = (), backend: str = "oxigraph") -> str:
    """The cache key of a graph: a SHA-256 over backend, versions, and the path and content
    of every input file and of the package's modules (so a code change never reads an old
    projection).

    Parameters
    ----------
    data : iterable of path
        The user's ``--data`` files, in order.
    backend : str
        The backend's name (``"oxigraph"``, ``"memory"``).

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

    files = [[str(path), _digest(path)] for path in _input_files(data)] + _code_files()
    blob = json.dumps(
        {"format": _FORMAT, "backend": backend, "igegraph": __version__,
         "python": list(sys.version_info[:2]), "files": files},
        sort_keys=True,
    )
    return hashlib.sha256(blob.encode()).hexdigest()[:32]


#: Temporary files older than this (seconds) were left by killed runs and are removed.
_STALE_TMP = 3600


def _prune(folder: Path, keep: int | None = None) -> None:
    """Drop all but the ``keep`` (default :data:`MAX_ENTRIES`) most recently used entries
    (:func:`_mark_used`), derived values whose entry is gone (a process that still held a
    graph of a pruned entry may have written one after), and temporary files that killed
    runs left behind."""
    keep = MAX_ENTRIES if keep is None else keep
    try:
        entries = sorted(folder.glob(f"*{_GRAPH_SUFFIX}"), key=lambda p: p.stat().st_mtime, reverse=True)
        for old in entries[keep:]:
            key = old.name[: -len(_GRAPH_SUFFIX)]
            for path in (old, *(folder / f"{key}.{name}{_VALUE_SUFFIX}" for name in _KEPT)):
                path.unlink(missing_ok=True)
        for name in _KEPT:
            for value in folder.glob(f"*.{name}{_VALUE_SUFFIX}"):
                if not (folder / (value.name[: -len(f".{name}{_VALUE_SUFFIX}")] + _GRAPH_SUFFIX)).exists():
                    value.unlink(missing_ok=True)
        for tmp in folder.glob(".tmp-*"):  # an hour old: no live write is that slow
            if tmp.stat().st_mtime < time.time() - _STALE_TMP:
                tmp.unlink(missing_ok=True)
    except OSError:  # a concurrent process pruned first; nothing to do
        pass


def _mark_used(path: Path) -> None:
    """Make ``path`` the most recently used entry for :func:`_prune`: its mtime is now. Without
    it, the entry every command reads (the curated graph's) went as soon as :data:`MAX_ENTRIES`
    others had been written after it, however often it was read meanwhile."""
    with contextlib.suppress(OSError):  # pruned by another process meanwhile, or a read-only cache
        os.utime(path)


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
            if (path.is_file() and path.name.endswith((_GRAPH_SUFFIX, *(f".{name}{_VALUE_SUFFIX}" for name in _KEPT)))
                    or path.name.startswith(".tmp-")):
                path.unlink(missing_ok=True)
                removed += 1
    return removed


# ------------------------------------------------------------------ graph (de)serialisation


def _dump_graph(kg: "KnowledgeGraph", key: str) -> bytes:
    """A cache entry: one line of JSON (what it is, and the SHA-256 of the rest), then the
    triples as N-Quads."""
    body = kg.engine.dump(kg.graph)
    head = {"format": _FORMAT, "key": key, "backend": kg.backend, "count": len(kg.graph),
            "sha256": hashlib.sha256(body).hexdigest(),
            "sources": [str(p) for p in kg.sources], "vocabulary_changes": kg.vocabulary_changes}
    return json.dumps(head, ensure_ascii=False).encode() + b"\n" + body


# (key, backend) -> the head line and triples of the entry last restored in this process:
# the same bytes again (each command of a test run or a server restores the same entry) are
# known to pass the line count and SHA-256 checks (about 1.4 ms for the curated graph)
_VERIFIED: Recent[tuple[str, str], tuple[bytes, bytes]] = Recent(8)


def _restore_graph(raw: bytes, key: str, backend: "Backend", folder: Path) -> "KnowledgeGraph":
    """Rebuild a KnowledgeGraph from a cache entry; raise anything on mismatch."""
    line, _, body = raw.partition(b"\n")
    head = json.loads(line)
    if not isinstance(head, dict) or head.get("format") != _FORMAT or head.get("key") != key \
            or head.get("backend") != backend.name or type(head.get("count")) is not int \
            or not all(isinstance(p, str) for p in head.get("sources", [None])) \
            or not all(isinstance(c, str) for c in head.get("vocabulary_changes", [None])):
        raise ValueError("cache entry does not match its key")
    kept = _VERIFIED.get((key, backend.name))
    if kept == (line, body):
        body = kept[1]  # the bytes checked before (whose hash the backend's look-ups know)
    else:
        # both backends dump one triple a line (N-Quads, N-Triples)
        if body.count(b"\n") != head["count"]:
            raise ValueError("cache entry is truncated")
        # the triples are those this module wrote (about 1 ms for the curated graph's 0.9 MB), so
        # the backend may restore them without validating each IRI again (a quarter of the parse)
        if head.get("sha256") != hashlib.sha256(body).hexdigest():
            raise ValueError("cache entry is corrupt")
        _VERIFIED.put((key, backend.name), (line, body))
    graph = backend.restore(body)
    kg = _cached_kg(graph, backend, [Path(p) for p in head["sources"]], key, (folder, head["sha256"]))
    kg.vocabulary_changes = head["vocabulary_changes"]
    return kg


class _CachedValues:
    """Mixin: derived values (the projection, the full-text index, the SHACL results) are read
    from (or written to) files next to the cache entry's triples. A value is tagged with the
    entry's key and the SHA-256 of its triples: an entry written again (pruned, or rebuilt
    after damage; its blank nodes have new labels, its triples may come in another order)
    never reads the values of the one before."""

    _cache_key: str
    # the folder of the entry the graph was restored from, and its triples' SHA-256
    _cache_entry: tuple[Path, str] | None
    content_key: str | None

    def _kept(self, name: str, build: Callable[[], T], encode: Callable[[T, dict[str, str]], bytes],
              decode: Callable[[bytes | None, dict[str, str]], T | None]) -> T:
        if self.content_key is None or self._cache_entry is None:
            return build()  # changed since it was restored, or no entry: the entry's value is not its own
        folder, digest = self._cache_entry
        path = folder / f"{self._cache_key}.{name}{_VALUE_SUFFIX}"
        tag = {"cache_key": self._cache_key, "entry": digest}
        value = decode(read_private(path), tag)
        if value is not None:
            return value
        value = build()
        try:
            # not once the entry is gone (pruned by another process): nothing would remove it
            if private_dir(folder) and (folder / f"{self._cache_key}{_GRAPH_SUFFIX}").exists():
                write_private(path, encode(value, tag))
        except (OSError, ValueError):  # a read-only cache, or values JSON cannot hold: no cache
            pass
        return value


@cache
def _cached_kg_class() -> type:
    """KnowledgeGraph with cache-backed derived values (made on first use: kg imports rdflib)."""
    from .kg import KnowledgeGraph

    return type("CachedKnowledgeGraph", (_CachedValues, KnowledgeGraph), {"__module__": __name__})


def _cached_kg(graph: Any, backend: "Backend", sources: list[Path], key: str,
               entry: tuple[Path, str] | None) -> "KnowledgeGraph":
    kg = _cached_kg_class()(graph, backend, sources)
    kg._cache_key = key
    kg._cache_entry = entry
    # the entry's triples in the entry's order (blank nodes keep its labels): every graph
    # restored from it may share derived values
    kg.content_key = f"entry:{key}"
    return kg


# ------------------------------------------------------------------ the public entry point


def load_cached(data: Iterable[str | Path] = (), backend: "str | Backend" = "oxigraph",
                location: str | Path | None = None, allow_vocabulary_changes: bool = False, lenient: bool = False,
                **options: Any) -> "KnowledgeGraph":
    """Load the graph the CLI options describe, through the cache when possible.

    Parameters
    ----------
    data : iterable of path
        User RDF files to merge (``--data``).
    backend : str or Backend
        A registered backend (see :mod:`igegraph.backends`; ``--backend``, ``--store``,
        ``--endpoint``). Only backends that parse files into this process (``oxigraph``,
        ``memory``) are cached; a store or endpoint is opened directly.
    location : path or URL, optional
        The store directory or endpoint URL.
    allow_vocabulary_changes : bool
        Accept ``data`` that redefines terms of the igegraph vocabulary (see
        :func:`igegraph.kg.load`); the changes are listed in ``kg.vocabulary_changes``.
    lenient : bool
        Refuse no vocabulary change or value (for ``validate``; see :func:`igegraph.kg.load`).
    **options
        Backend options (an endpoint's ``user``, ``password``, ``graph``, ``timeout``).

    Returns
    -------
    KnowledgeGraph
        Identical in content to :func:`igegraph.kg.load`; its ``projection`` is also cached.

    Raises
    ------
    DataError
        A file is missing or malformed (raised by the parser; nothing is cached).
    StoreError
        The store is not a usable igegraph store.
    EndpointError
        The endpoint cannot be reached or used.

    Examples
    --------
    >>> import os, tempfile
    >>> os.environ["IGEGRAPH_CACHE_DIR"] = tempfile.mkdtemp()
    >>> kg = load_cached(backend="memory")
    >>> kg.backend
    'memory'
    >>> del os.environ["IGEGRAPH_CACHE_DIR"]
    """
    from .backends import get_backend
    from .kg import check_vocabulary_changes

    files = [Path(p) for p in data]
    engine = get_backend(backend, location, **options)

    def parse() -> "KnowledgeGraph":
        return engine.load(files, allow_vocabulary_changes=allow_vocabulary_changes, lenient=lenient)

    if not getattr(engine, "cacheable", False) or not cache_enabled():
        return parse()
    try:
        key = cache_key(files, engine.name)
    except OSError:  # a --data file is missing: let the loader report it properly
        return parse()

    folder = cache_dir()
    path = folder / f"{key}{_GRAPH_SUFFIX}"
    raw = read_private(path)
    if raw is not None:
        try:
            kg = _restore_graph(raw, key, engine, folder)
        except Exception:  # a corrupt or mismatched entry: rebuild it below
            pass
        else:
            if files and not lenient:
                check_vocabulary_changes(kg, allow_vocabulary_changes, files)
            _mark_used(path)
            return kg

    kg = parse()
    try:
        if private_dir(folder):
            entry = _dump_graph(kg, key)
            write_private(path, entry)
            _prune(folder)
            # the entry's triple order, as every later run will have it: rows of a query
            # without ORDER BY come out the same on the first run as on the next ones
            return _restore_graph(entry, key, engine, folder)
    except Exception:  # an unwritable cache never fails a command
        pass
    cached = _cached_kg(kg.graph, kg.engine, kg.sources, key, None)
    cached.vocabulary_changes = kg.vocabulary_changes
    cached.content_key = None  # the parser's triple order, not the entry's: its values are its own
    return cached
