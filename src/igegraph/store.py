"""Persistent stores: the merged graph loaded once into an on-disk Oxigraph database.

A store is a directory holding

``igegraph-store.json``
    The manifest: store format, igegraph and pyoxigraph versions, build time, every source
    file with its size and ``mtime_ns``, the triple count, the kind of projection and the
    names of the two entries below. It is written last, so a directory without it is not
    (or not yet) a store; its values are checked (types, non-negative counts) on every read.
``oxigraph-<id>/``
    The Oxigraph (RocksDB) database; all triples are in its default graph.
``projection-<id>.json``
    The networkx projection as compact JSON (never a pickle), tagged with the SHA-256 of the
    manifest it was built for; a projection whose tag differs, or that is not a private
    file of the current user, is rebuilt on first use. Above :data:`CAUSAL_ONLY_ABOVE`
    triples it holds only the edges of causal properties (``ige:causal true``), which is
    what traversals follow.

A rebuild (``force=True``) builds the new database and projection under new names beside the
old ones and swaps them in with one rename of the manifest: a build killed at any moment
leaves the old store usable, and the next build removes what it left behind. Folders are
made ``0700`` and files ``0600`` whatever the umask.

Opening is read-only, so any number of processes can use a store at once, and takes
milliseconds whatever its size. Extra ``data`` files given to :func:`open_store` are merged
into an in-memory copy of the store (the store on disk is never changed), which costs a copy
of the store (about a second per million triples); to use them often, build a store with
them instead.

Examples
--------
>>> import tempfile
>>> from igegraph.store import build_store, open_store
>>> where = tempfile.mkdtemp() + "/kg"
>>> info = build_store(where)
>>> info.triples > 1000
True
>>> kg = open_store(where)
>>> len(kg) == info.triples
True
"""

from __future__ import annotations

import hashlib
import inspect
import json
import os
import re
import fcntl
import gc
import secrets
import stat
import shutil
import tempfile
import traceback
from dataclasses import dataclass, field
from datetime import datetime, timezone
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterable

from .declarations import vocabulary_changes, vocabulary_state
from .errors import DataError, StoreError
from .inputs import check_files, check_offline
from .kg import KnowledgeGraph, _error_line, _error_text, check_vocabulary_changes, parse_into, rdf_format
from .persist import decode_projection, encode_projection, read_private, write_private
from .resources import curated_files

if TYPE_CHECKING:
    import networkx as nx
    import rdflib

__all__ = ["build_store", "open_store", "store_info", "StoreInfo", "MANIFEST", "CAUSAL_ONLY_ABOVE"]

#: Name of the manifest file that marks a directory as an igegraph store.
MANIFEST = "igegraph-store.json"
#: Stores with more triples get a projection of the causal edges only.
CAUSAL_ONLY_ABOVE = 200_000

_STORE_FORMAT = 2
_LOCK = ".igegraph-build.lock"
# what a killed build may leave behind (removed by the next build): staging folders and
# temporary files, and databases or projections the manifest does not name
_STAGING = (".building-", ".tmp-")
_ENTRY = re.compile(r"(oxigraph|projection)-[0-9a-f]{16}(\.json)?")
_OURS = (MANIFEST, "oxigraph-*/", "projection-*.json")

# kg.rdf_format name -> pyoxigraph RdfFormat attribute
_OX_FORMATS = {"turtle": "TURTLE", "nt": "N_TRIPLES", "xml": "RDF_XML", "json-ld": "JSON_LD", "n3": "N3"}


@dataclass
class StoreInfo:
    """What a store holds, read from its manifest.

    Attributes
    ----------
    directory : Path
        The store directory.
    triples : int
        Number of triples in the store.
    sources : list of dict
        One ``{"path", "size", "mtime_ns", "kind"}`` per loaded file (``kind`` is
        ``"curated"`` or ``"data"``), in load order.
    igegraph_version : str
        The igegraph version that built the store.
    created : str
        Build time, ISO 8601 (UTC).
    projection : str
        ``"full"`` or ``"causal"`` (causal edges only, for big stores).
    disk_bytes : int
        Size of the directory on disk.
    changed : list of str
        Source files that changed or vanished since the build (the store is then a snapshot
        of older data; rebuild with ``force=True`` to refresh it).
    vocabulary_changes : list of str
        Triples about curated vocabulary terms that the build's data files added or removed
        (only with ``allow_vocabulary_changes``).
    """

    directory: Path
    triples: int
    sources: list[dict] = field(default_factory=list)
    igegraph_version: str = ""
    created: str = ""
    projection: str = "full"
    disk_bytes: int = 0
    changed: list[str] = field(default_factory=list)
    vocabulary_changes: list[str] = field(default_factory=list)


class _ProgressReader:
    """A binary file wrapper that reports the bytes read so far to a callback."""

    def __init__(self, fh: Any, callback: Callable[[int], None]):
        self._fh = fh
        self._callback = callback

    def read(self, size: int = -1) -> bytes:
        chunk = self._fh.read(size)
        if chunk:
            self._callback(len(chunk))
        return chunk


def _read_manifest(directory: Path) -> tuple[dict, str]:
    """The manifest of a store and the SHA-256 of its bytes; StoreError if there is none."""
    if not directory.exists():
        raise StoreError(f"{directory}: no such store; build one with 'igegraph store build {directory}'")
    if not directory.is_dir():
        raise StoreError(f"{directory} is not a directory, so not an igegraph store")
    path = directory / MANIFEST
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise StoreError(
            f"{directory} is not an igegraph store (no {MANIFEST}); build one with 'igegraph store build {directory}'"
        ) from None
    except OSError as exc:
        raise StoreError(f"{path}: cannot read the store manifest: {exc.strerror or exc}") from None
    try:
        manifest = json.loads(raw)
        ok = _valid_manifest(manifest)
    except (ValueError, UnicodeDecodeError, RecursionError):
        ok = False
    if not ok:
        raise StoreError(
            f"{path}: damaged or unsupported store manifest; rebuild with 'igegraph store build {directory} --force'"
        )
    return manifest, hashlib.sha256(raw).hexdigest()


def _count(value: Any) -> bool:
    return type(value) is int and value >= 0


def _valid_manifest(m: Any) -> bool:
    """True if a parsed manifest has every field with the right type (counts non-negative)."""
    names_ok = (isinstance(m, dict) and isinstance(m.get("database"), str) and isinstance(m.get("projection_file"), str)
                and all(_ENTRY.fullmatch(m[k]) for k in ("database", "projection_file")))
    return (names_ok and m.get("igegraph_store") == _STORE_FORMAT and _count(m.get("triples"))
            and m.get("projection") in ("full", "causal")
            and all(isinstance(m.get(k, ""), str) for k in ("igegraph_version", "pyoxigraph_version", "created"))
            and isinstance(m.get("vocabulary_changes", []), list)
            and all(isinstance(c, str) for c in m.get("vocabulary_changes", []))
            and isinstance(m.get("sources"), list)
            and all(isinstance(src, dict) and isinstance(src.get("path"), str) and _count(src.get("size"))
                    and type(src.get("mtime_ns")) is int and src.get("kind") in ("curated", "data")
                    for src in m["sources"]))


def _disk_bytes(directory: Path) -> int:
    total = 0
    for root, _dirs, files in os.walk(directory):
        for name in files:
            try:
                total += os.stat(os.path.join(root, name)).st_size
            except OSError:
                pass
    return total


def store_info(directory: str | Path) -> StoreInfo:
    """Describe an existing store without opening its database.

    Parameters
    ----------
    directory : path
        A directory made by :func:`build_store`.

    Returns
    -------
    StoreInfo

    Raises
    ------
    StoreError
        The directory is missing, foreign or damaged.

    Examples
    --------
    >>> import tempfile
    >>> where = tempfile.mkdtemp() + "/kg"
    >>> _ = build_store(where)
    >>> store_info(where).changed
    []
    """
    directory = Path(directory)
    manifest, _digest = _read_manifest(directory)
    changed = []
    for src in manifest["sources"]:
        try:
            st = os.stat(src["path"])
            if st.st_size != src.get("size") or st.st_mtime_ns != src.get("mtime_ns"):
                changed.append(src["path"])
        except OSError:
            changed.append(src["path"])
    return StoreInfo(
        directory=directory,
        triples=manifest["triples"],
        sources=manifest["sources"],
        igegraph_version=str(manifest.get("igegraph_version", "")),
        created=str(manifest.get("created", "")),
        projection=str(manifest.get("projection", "full")),
        disk_bytes=_disk_bytes(directory),
        changed=changed,
        vocabulary_changes=list(manifest.get("vocabulary_changes", [])),
    )


# ------------------------------------------------------------------ projection


def build_store_projection(kg: KnowledgeGraph, causal_only: bool) -> "nx.MultiDiGraph":
    """The projection of a store: the usual one, or only its causal edges for big stores.

    Parameters
    ----------
    kg : KnowledgeGraph
    causal_only : bool
        Keep only edges whose property is causal (``ige:causal true``); every entity node is
        kept, so lookups and traversals behave as on the full projection.

    Returns
    -------
    networkx.MultiDiGraph
    """
    from . import project

    if "causal_only" in inspect.signature(project.build_projection).parameters:
        return project.build_projection(kg, causal_only=causal_only)  # type: ignore[call-arg]
    g = project.build_projection(kg)
    if causal_only:
        g.remove_edges_from([(u, v, k) for u, v, k, causal in g.edges(keys=True, data="causal") if not causal])
    return g


class StoreKnowledgeGraph(KnowledgeGraph):
    """A KnowledgeGraph opened from a persistent store; its projection comes from the store.

    Examples
    --------
    >>> import tempfile
    >>> where = tempfile.mkdtemp() + "/kg"
    >>> _ = build_store(where)
    >>> kg = open_store(where)
    >>> kg.store_dir == Path(where)
    True
    >>> kg.projection.has_edge("ig:omalizumab", "ig:free_IgE")
    True
    """

    def __init__(self, graph: "rdflib.Graph", sources: list[Path], store_dir: Path, manifest: dict,
                 manifest_digest: str, merged: bool = False):
        super().__init__(graph, "oxigraph", sources)
        self.store_dir = store_dir
        self.manifest = manifest
        self._digest = manifest_digest
        # With extra files merged in memory the stored projection no longer matches.
        self._merged = merged

    def __repr__(self) -> str:
        return f"<KnowledgeGraph store {self.store_dir} {len(self)} triples from {len(self.sources)} files>"

    @cached_property
    def projection(self) -> "nx.MultiDiGraph":
        """The projection cached next to the store (rebuilt if missing, foreign or out of date)."""
        path = self.store_dir / self.manifest["projection_file"]
        tag = {"manifest_sha256": self._digest}
        if not self._merged:
            projection = decode_projection(read_private(path), tag)
            if projection is not None:
                return projection
        causal_only = len(self) > CAUSAL_ONLY_ABOVE
        projection = build_store_projection(self, causal_only)
        if not self._merged:
            try:
                write_private(path, encode_projection(projection, tag))
            except (OSError, ValueError):  # a read-only store directory still works, just slower
                pass
        return projection


# ------------------------------------------------------------------ open


def _wrap(ox_store: Any) -> "rdflib.Graph":
    """An rdflib Graph over a pyoxigraph Store, reading and writing its default graph."""
    import rdflib
    from oxrdflib import OxigraphStore
    from rdflib.graph import DATASET_DEFAULT_GRAPH_ID

    from .vocab import PREFIXES

    graph = rdflib.Graph(store=OxigraphStore(store=ox_store), identifier=DATASET_DEFAULT_GRAPH_ID)
    for prefix, ns in PREFIXES.items():
        graph.bind(prefix, ns, override=True)
    return graph


def open_store(directory: str | Path, data: Iterable[str | Path] = (),
               allow_vocabulary_changes: bool = False, lenient: bool = False) -> KnowledgeGraph:
    """Open a store built by :func:`build_store` (read-only, in milliseconds).

    Parameters
    ----------
    directory : path
        The store directory.
    data : iterable of path
        Extra RDF files. They are merged into an in-memory copy of the store; the store on
        disk is never modified. The copy costs about a second per million triples and the
        projection is then built afresh, so for repeated use build a store that includes them.
    allow_vocabulary_changes : bool
        Accept extra files that redefine the vocabulary (see :func:`igegraph.kg.load`).
    lenient : bool
        Refuse no vocabulary change or value (for ``validate``).

    Returns
    -------
    KnowledgeGraph
        On the Oxigraph backend; ``kg.projection`` is read from the store's cached JSON.

    Raises
    ------
    StoreError
        The directory is missing, not a store, or its database is damaged.
    DataError
        An extra file is missing or malformed.

    Examples
    --------
    >>> import tempfile
    >>> where = tempfile.mkdtemp() + "/kg"
    >>> _ = build_store(where)
    >>> kg = open_store(where)
    >>> kg.backend
    'oxigraph'
    >>> open_store(tempfile.mkdtemp())
    Traceback (most recent call last):
    ...
    igegraph.errors.StoreError: ... is not an igegraph store (no igegraph-store.json); ...
    """
    import pyoxigraph as ox

    directory = Path(directory)
    data = [Path(p) for p in data]
    manifest, digest = _read_manifest(directory)
    try:
        # read-only: several processes may open the same store at once
        db = ox.Store.read_only(str(directory / manifest["database"]))
    except (OSError, RuntimeError, ValueError) as exc:
        raise StoreError(
            f"{directory}: the Oxigraph database is damaged or unreadable ({_first_line(exc)}); "
            f"rebuild with 'igegraph store build {directory} --force'"
        ) from None
    sources = [Path(s["path"]) for s in manifest["sources"]]
    if not data:
        return StoreKnowledgeGraph(_wrap(db), sources, directory, manifest, digest)

    for path in data:  # fail before the copy
        rdf_format(path)
        if not path.is_file():
            raise DataError(str(path), "no such file")
    check_files(data)
    memory = ox.Store()
    memory.load(input=db.dump(format=ox.RdfFormat.N_QUADS), format=ox.RdfFormat.N_QUADS)
    del db
    graph = _wrap(memory)
    before = vocabulary_state(graph)
    for path in data:
        parse_into(graph, path, "oxigraph")
    kg = StoreKnowledgeGraph(graph, sources + data, directory, manifest, digest, merged=True)
    kg.vocabulary_changes = vocabulary_changes(before, vocabulary_state(graph, frozenset(before)))
    if not lenient:
        check_vocabulary_changes(kg, allow_vocabulary_changes, data)
    return kg


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


# ------------------------------------------------------------------ build


def _check_destination(directory: Path, force: bool) -> None:
    """Refuse to overwrite anything without ``force``."""
    if directory.exists() and not directory.is_dir():
        raise StoreError(f"{directory} exists and is not a directory")
    if not directory.is_dir():
        return
    try:
        entries = [p.name for p in directory.iterdir()]
    except OSError as exc:
        raise StoreError(f"{directory}: cannot read the directory: {exc.strerror or exc}") from None
    if not entries or force:
        return
    if MANIFEST in entries:
        raise StoreError(f"{directory} already holds an igegraph store; pass --force to rebuild it")
    raise StoreError(
        f"{directory} is not empty and is not an igegraph store; pass --force to build the store in it anyway "
        f"(only {', '.join(_OURS)} would be replaced)"
    )


def _load_file(db: Any, path: Path, on_bytes: Callable[[int], None]) -> None:
    """Bulk-load one file into the on-disk database; errors name the file and line."""
    import pyoxigraph as ox

    fmt = rdf_format(path)
    if fmt in ("json-ld", "xml"):  # formats whose parsers could fetch or expand: check first
        try:
            check_offline(path, path.read_text(encoding="utf-8"), fmt)
        except (OSError, UnicodeDecodeError) as exc:
            raise DataError(str(path), f"cannot read file: {exc}") from None
    try:
        with open(path, "rb") as fh:
            db.bulk_load(
                input=_ProgressReader(fh, on_bytes),
                format=getattr(ox.RdfFormat, _OX_FORMATS[fmt]),
                base_iri=path.resolve().as_uri(),  # same base as kg.load, so identical IRIs
            )
    except SyntaxError as exc:
        raise DataError(str(path), f"malformed {fmt}: {_error_text(exc)}", _error_line(exc)) from None
    except UnicodeDecodeError as exc:
        raise DataError(str(path), f"cannot read file: {exc}") from None
    except OSError as exc:
        if isinstance(exc, (FileNotFoundError, IsADirectoryError, PermissionError)) and not path.is_file():
            raise DataError(str(path), f"cannot read file: {exc}") from None
        raise StoreError(f"loading {path} into the store failed: {_first_line(exc)}") from None
    except ValueError as exc:
        raise DataError(str(path), f"cannot load: {_first_line(exc)}") from None


def build_store(
    directory: str | Path,
    data: Iterable[str | Path] = (),
    force: bool = False,
    progress: Callable[[int, int], None] | None = None,
    allow_vocabulary_changes: bool = False,
) -> StoreInfo:
    """Load the ontology, the curated data and user files once into an on-disk store.

    The store is built in a hidden staging folder inside ``directory`` and switched in by one
    rename of the manifest when complete: a failed or killed build leaves the directory as it
    was (a killed one leaves a staging folder that the next build removes).

    Parameters
    ----------
    directory : path
        Where the store goes. Created if missing; an empty directory is fine.
    data : iterable of path
        User RDF files to merge (Turtle, N-Triples, RDF/XML, JSON-LD, N3).
    force : bool
        Rebuild an existing store, or build in a non-empty directory that is not a store
        (then only the store's own entries, ``igegraph-store.json``, ``oxigraph-<id>/`` and
        ``projection-<id>.json``, are replaced; other files are left alone).
    progress : callable, optional
        Called as ``progress(bytes_read, total_bytes)`` while the files are read.
    allow_vocabulary_changes : bool
        Accept ``data`` that redefines the vocabulary (see :func:`igegraph.kg.load`); the
        changes are recorded in the manifest.

    Returns
    -------
    StoreInfo

    Raises
    ------
    DataError
        An input file is missing, has an unknown extension or is malformed (file and line).
    StoreError
        The directory cannot be written, or holds something and ``force`` is False.

    Examples
    --------
    >>> import tempfile
    >>> where = tempfile.mkdtemp() + "/kg"
    >>> info = build_store(where)
    >>> info.projection
    'full'
    >>> build_store(where)
    Traceback (most recent call last):
    ...
    igegraph.errors.StoreError: ... already holds an igegraph store; pass --force to rebuild it
    """
    import pyoxigraph as ox

    from . import __version__

    directory = Path(directory)
    files = [(p, "curated") for p in curated_files()] + [(Path(p), "data") for p in data]
    for path, _kind in files:  # cheap checks first: nothing is created for a missing file
        rdf_format(path)
        if not path.is_file():
            raise DataError(str(path), "no such file")
    check_files([path for path, kind in files if kind == "data"])
    _check_destination(directory, force)

    created: list[Path] = []  # directories this call made, removed again on failure
    staging: Path | None = None
    lock: int | None = None
    try:
        for parent in reversed([directory, *directory.parents]):
            if not parent.exists():
                parent.mkdir(mode=0o700)
                os.chmod(parent, 0o700)
                created.append(parent)
        lock = _lock(directory)
        _sweep(directory)
        staging = Path(tempfile.mkdtemp(prefix=".building-", dir=directory))
    except OSError as exc:
        _cleanup(directory, None, created, lock)
        raise StoreError(f"cannot write the store in {directory}: {exc.strerror or exc}") from None
    except StoreError:
        _cleanup(directory, None, created, lock)
        raise

    db: Any = None
    staged: Any = None
    token = secrets.token_hex(8)
    names = {"database": f"oxigraph-{token}", "projection_file": f"projection-{token}.json"}
    try:
        sources = []
        for path, kind in files:
            st = path.stat()
            sources.append({"path": str(path.resolve()), "size": st.st_size, "mtime_ns": st.st_mtime_ns, "kind": kind})
        total = sum(s["size"] for s in sources)
        done = 0

        def on_bytes(n: int) -> None:
            nonlocal done
            done += n
            if progress is not None:
                progress(done, total)

        db = ox.Store(str(staging / names["database"]))
        mine = [path for path, kind in files if kind == "data"]
        for path, kind in files:
            if kind == "data" and path == mine[0]:
                before = vocabulary_state(_wrap(db))
            _load_file(db, path, on_bytes)
        if mine:
            check = KnowledgeGraph(_wrap(db), "oxigraph")
            check.vocabulary_changes = vocabulary_changes(before, vocabulary_state(check.graph, frozenset(before)))
            check_vocabulary_changes(check, allow_vocabulary_changes, mine)
            changes, check = check.vocabulary_changes, None
        else:
            changes = []
        triples = len(db)
        db.flush()
        db = None  # closes the database (releases its lock) before it is reopened and moved
        gc.collect()  # the rdflib wrappers above hold it in reference cycles

        manifest = {
            "igegraph_store": _STORE_FORMAT,
            "igegraph_version": __version__,
            "pyoxigraph_version": getattr(ox, "__version__", ""),
            "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "triples": triples,
            "projection": "causal" if triples > CAUSAL_ONLY_ABOVE else "full",
            **names,
            "vocabulary_changes": changes,
            "sources": sources,
        }
        raw = (json.dumps(manifest, indent=2) + "\n").encode()
        digest = hashlib.sha256(raw).hexdigest()

        # Build the projection now, so that the first traversal on the store is fast.
        staged = StoreKnowledgeGraph(_wrap(ox.Store.read_only(str(staging / names["database"]))), [], staging,
                                     manifest, digest)
        projection = build_store_projection(staged, manifest["projection"] == "causal")
        try:
            write_private(staging / names["projection_file"], encode_projection(projection, {"manifest_sha256": digest}))
        except ValueError:  # values JSON cannot hold: the projection is built on first use
            pass
        staged = projection = None
        _make_private(staging)

        # Swap in: the new entries get new names beside the old ones, then one rename of the
        # manifest switches the store over; only then are the old entries removed.
        old = _read_manifest_names(directory)  # None for a damaged or older-format store
        for name in names.values():
            if (staging / name).exists():
                os.replace(staging / name, directory / name)
        tmp = staging / MANIFEST
        write_private(tmp, raw)
        os.replace(tmp, directory / MANIFEST)
        if old is not None:
            _remove(directory, *old.values())
    except BaseException as exc:
        # The open database must be closed before its files can be removed: drop every
        # reference to it, including those held by the frames of the traceback.
        db = staged = check = None
        traceback.clear_frames(exc.__traceback__)
        if not (directory / MANIFEST).is_file() or _read_manifest_names(directory) != names:
            _remove(directory, *names.values())
        _cleanup(directory, staging, created, lock)
        if isinstance(exc, OSError):
            raise StoreError(f"cannot write the store in {directory}: {exc.strerror or _first_line(exc)}") from None
        raise
    shutil.rmtree(staging, ignore_errors=True)
    _unlock(directory, lock)
    return store_info(directory)


def _lock(directory: Path) -> int:
    """Take the build lock of a store directory; StoreError if another build holds it."""
    fd = os.open(directory / _LOCK, os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0), 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        os.close(fd)
        raise StoreError(f"another 'igegraph store build' is writing {directory}; wait for it to finish") from None
    return fd


def _unlock(directory: Path, lock: int | None) -> None:
    if lock is not None:
        (directory / _LOCK).unlink(missing_ok=True)
        os.close(lock)


def _read_manifest_names(directory: Path) -> dict | None:
    try:
        manifest = _read_manifest(directory)[0]
    except StoreError:
        return None
    return {"database": manifest["database"], "projection_file": manifest["projection_file"]}


def _sweep(directory: Path) -> None:
    """Remove what killed builds left behind: staging folders, temporary files, and database
    or projection entries the current manifest does not name. Called with the build lock held."""
    names = _read_manifest_names(directory)
    keep = set((names or {}).values())
    if names is None and (directory / MANIFEST).is_file():  # a store of format 1 (or damaged)
        _remove(directory, "oxigraph", "projection.pickle")
    for entry in directory.iterdir():
        if (entry.name.startswith(_STAGING) or _ENTRY.fullmatch(entry.name)) and entry.name not in keep:
            _remove(directory, entry.name)


def _remove(directory: Path, *names: str | None) -> None:
    for name in names:
        if not name:
            continue
        path = directory / name
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)


def _make_private(folder: Path) -> None:
    """Folders 0700 and files 0600 below ``folder``, whatever the umask was."""
    for root, dirs, files in os.walk(folder):
        os.chmod(root, 0o700)
        for name in files:
            path = os.path.join(root, name)
            if stat.S_ISREG(os.lstat(path).st_mode):
                os.chmod(path, 0o600)


def _cleanup(directory: Path, staging: Path | None, created: list[Path], lock: int | None) -> None:
    """Remove a failed build's staging folder, its lock and the directories it created."""
    if staging is not None:
        shutil.rmtree(staging, ignore_errors=True)
    _unlock(directory, lock)
    for folder in reversed(created):
        try:
            folder.rmdir()
        except OSError:
            pass
