"""Building a store: :func:`build_store`, its lock, and the sweep of what killed builds left."""

from __future__ import annotations

import contextlib
import fcntl
import gc
import hashlib
import json
import os
import secrets
import shutil
import stat
import sys
import traceback
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ..backends.local import oxigraph_graph
from ..declarations import vocabulary_changes, vocabulary_state
from ..errors import DataError, StoreError
from ..inputs import check_files, check_offline
from ..kg import KnowledgeGraph, _error_line, _error_text, check_vocabulary_changes, rdf_format
from ..persist import encode_projection, vouch, write_private
from ..recent import Recent
from ..resources import curated_files
from ..traverse.supplyindex import write_store_index
from .graph import StoreKnowledgeGraph, build_store_projection, vouch_dir
from .manifest import (
    _ENTRY,
    _STORE_FORMAT,
    CAUSAL_ONLY_ABOVE,
    MANIFEST,
    StoreInfo,
    _first_line,
    _read_manifest,
    store_info,
)

__all__ = ["build_store", "index_store", "read_rdf_file", "running_total"]

_LOCK = ".igegraph-build.lock"
# what a killed build may leave behind (removed by the next build): staging folders and
# temporary files, and databases or projections the manifest does not name
_STAGING = (".building-", ".tmp-")
_OURS = (MANIFEST, "oxigraph-*/", "projection-*.json")

#: User data files up to this many bytes in all are parsed here and inserted at once, like
#: the curated files (:func:`_load_small_files`); larger ones are bulk-loaded file by file.
_SMALL_DATA = 8 << 20
#: Files up to this many bytes whose triples hold no blank node keep them in :data:`_PARSED`.
_KEEP_PARSED = 1 << 20
# (base IRI, format, SHA-256 of the bytes) -> the triples parsed from them, pyoxigraph quads
_PARSED: Recent[tuple[str, str, str], list[Any]] = Recent(32)
#: What the last few builds of small files derived from their triples, by what they parsed
#: (see :func:`_load_small_files`): ``("projection", parsed, causal only)`` -> the projection,
#: ``("vocabulary", parsed)`` -> the curated files' vocabulary state; never changed (only read).
_DERIVED: Recent[tuple[str, ...], Any] = Recent(8)

# kg.rdf_format name -> pyoxigraph RdfFormat attribute
_OX_FORMATS = {"turtle": "TURTLE", "nt": "N_TRIPLES", "xml": "RDF_XML", "json-ld": "JSON_LD", "n3": "N3"}


class _ProgressReader:
    """A binary file wrapper that hands each chunk read to a callback."""

    def __init__(self, fh: Any, callback: Callable[[bytes], None]):
        self._fh = fh
        self._callback = callback

    def read(self, size: int = -1) -> bytes:
        chunk = self._fh.read(size)
        if chunk:
            self._callback(chunk)
        return chunk


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


def running_total(total: int, report: Callable[[int, int], None] | None) -> Callable[[int], None]:
    """An ``on_bytes(n)`` for :func:`read_rdf_file` that calls ``report(bytes so far, total)``.

    >>> seen = []
    >>> on_bytes = running_total(10, lambda done, total: seen.append((done, total)))
    >>> on_bytes(4); on_bytes(6); seen
    [(4, 10), (10, 10)]
    """
    done = 0

    def on_bytes(n: int) -> None:
        nonlocal done
        done += n
        if report is not None:
            report(done, total)

    return on_bytes


def read_rdf_file(path: Path, on_bytes: Callable[[int], None], read: Callable[..., Any]) -> None:
    """Hand one RDF file to a pyoxigraph reader, as ``store build`` reads it; errors name the file and line.

    ``read`` is called as ``read(input=binary file, format=RdfFormat, base_iri=...)``
    (``Store.bulk_load``, or a function that iterates ``pyoxigraph.parse`` with these
    arguments); ``on_bytes(n)`` hears of every ``n`` bytes read. JSON-LD and RDF/XML are
    checked first for what could reach the network (:func:`igegraph.inputs.check_offline`).
    """
    import pyoxigraph as ox

    fmt = rdf_format(path)
    if fmt in ("json-ld", "xml"):  # formats whose parsers could fetch or expand: check first
        try:
            check_offline(path, path.read_text(encoding="utf-8"), fmt)
        except (OSError, UnicodeDecodeError) as exc:
            raise DataError(str(path), f"cannot read file: {exc}") from None
    try:
        with open(path, "rb") as fh:
            read(
                input=_ProgressReader(fh, lambda chunk: on_bytes(len(chunk))),
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
        raise StoreError(f"loading {path} failed: {_first_line(exc)}") from None
    except ValueError as exc:
        raise DataError(str(path), f"cannot load: {_first_line(exc)}") from None


def _load_file(db: Any, path: Path, on_bytes: Callable[[int], None]) -> None:
    """Bulk-load one file into the on-disk database; errors name the file and line."""
    read_rdf_file(path, on_bytes, db.bulk_load)


def _load_small_files(db: Any, paths: list[Path], on_bytes: Callable[[int], None]) -> str | None:
    """Load small files (the curated ones, small user files) into the database with one bulk insert.

    Each ``bulk_load`` call writes and ingests files of its own (about 20 ms of CPU and 80 ms
    of disk each), which for the ~16 small curated files cost more than parsing them: parsed
    here and inserted at once, a build takes 0.09 instead of 0.3 CPU-seconds. Blank nodes are
    renamed apart per file, as ``bulk_load`` does.

    Returns the SHA-256 of what was parsed (each file's base IRI, format and bytes) when the
    triples hold no blank node, else None: the same bytes then make the same triples, which
    the database stores, and reads back, in the same order (see :data:`_DERIVED`); such a
    file's triples are kept (:data:`_PARSED`) for the next build that reads the same bytes.
    """
    import pyoxigraph as ox

    quads: list[Any] = []
    parsed: list[tuple[str, str, str]] = []
    named, literal = ox.NamedNode, ox.Literal
    ground = True

    def parse(input: Any, format: Any, base_iri: str) -> None:  # noqa: A002
        nonlocal ground
        data = b"".join(iter(lambda: input.read(1 << 16), b""))  # progress in steps, as a parser reads
        what = (base_iri, str(format), hashlib.sha256(data).hexdigest())
        found = _PARSED.get(what)
        if found is None:
            found = list(ox.parse(input=data, format=format, base_iri=base_iri, rename_blank_nodes=True))
            if not all(type(q.subject) is named and type(q.object) in (named, literal) for q in found):
                ground = False  # blank nodes (or RDF-star terms): each parse labels them anew
            elif len(data) <= _KEEP_PARSED:
                _PARSED.put(what, found)
        quads.extend(found)
        parsed.append(what)

    for path in paths:
        read_rdf_file(path, on_bytes, parse)
    db.bulk_extend(quads)
    return hashlib.sha256(json.dumps(parsed).encode()).hexdigest() if ground else None


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

    from .. import __version__

    directory = Path(directory)
    files = [(p, "curated") for p in curated_files()] + [(Path(p), "data") for p in data]
    for path, _kind in files:  # cheap checks first: nothing is created for a missing file
        rdf_format(path)
        if not path.is_file():
            raise DataError(str(path), "no such file")
    check_files([path for path, kind in files if kind == "data"])
    _check_destination(directory, force)

    created: list[Path] = []  # directories this call made, removed again on failure
    lock: int | None = None
    db: Any = None
    staged: Any = None
    old: dict | None = None
    token = secrets.token_hex(8)
    names = {"database": f"oxigraph-{token}", "projection_file": f"projection-{token}.json"}
    # Named before it exists and made inside the one try below: a SIGTERM that unwinds the
    # build at any point, even just after the folder appeared, finds it to remove.
    staging = directory / f".building-{token}"
    try:
        for parent in reversed([directory, *directory.parents]):
            if not parent.exists():
                parent.mkdir(mode=0o700)
                os.chmod(parent, 0o700)
                created.append(parent)
        lock = _lock(directory)
        _sweep(directory)
        staging.mkdir(mode=0o700)
        sources: list[dict[str, Any]] = []
        for path, kind in files:
            st = path.stat()
            sources.append({"path": str(path.resolve()), "size": st.st_size, "mtime_ns": st.st_mtime_ns, "kind": kind})
        on_bytes = running_total(sum(s["size"] for s in sources), progress)
        db = ox.Store(str(staging / names["database"]))
        content = _load_small_files(db, [path for path, kind in files if kind == "curated"], on_bytes)
        mine = [path for path, kind in files if kind == "data"]
        if mine:
            before = _DERIVED.get(("vocabulary", content)) if content is not None else None
            if before is None:
                graph = oxigraph_graph(db)
                before = vocabulary_state(graph)
                graph.close()  # lets go of the database
                if content is not None:
                    _DERIVED.put(("vocabulary", content), before)
            if sum(s["size"] for s in sources if s["kind"] == "data") <= _SMALL_DATA:
                loaded = _load_small_files(db, mine, on_bytes)
                content = None if content is None or loaded is None else f"{content}+{loaded}"
            else:
                content = None
                for path in mine:
                    _load_file(db, path, on_bytes)
            check = KnowledgeGraph(oxigraph_graph(db), "oxigraph")
            check.vocabulary_changes = vocabulary_changes(before, vocabulary_state(check.graph, frozenset(before)))
            check_vocabulary_changes(check, allow_vocabulary_changes, mine)
            changes = check.vocabulary_changes
            check.graph.close()  # its wrapper holds the database, which is closed below
            del check
        else:
            changes = []
        triples = len(db)
        # the supply-dominator index, in a named graph of its own: traversals fetch the
        # dominator chains of their cone instead of its whole supply ancestry
        write_store_index(db)
        db.flush()
        # Dropping the last reference closes the database (releases its lock) before it is
        # reopened and moved. The rdflib wrappers above are closed; should anything else still
        # hold it (in reference cycles), collect (a full collection costs ~0.1 s in a large process).
        held_elsewhere = sys.getrefcount(db) > 2  # this frame's name and the call's argument
        db = None
        if held_elsewhere:
            gc.collect()

        manifest = {
            "igegraph_store": _STORE_FORMAT,
            "igegraph_version": __version__,
            "pyoxigraph_version": getattr(ox, "__version__", ""),
            "created": datetime.now(UTC).isoformat(timespec="seconds"),
            "triples": triples,
            "projection": "causal" if triples > CAUSAL_ONLY_ABOVE else "full",
            **names,
            "vocabulary_changes": changes,
            "sources": sources,
        }
        raw = (json.dumps(manifest, indent=2) + "\n").encode()
        digest = hashlib.sha256(raw).hexdigest()

        # Build the projection now, so that the first traversal on the store is fast; a build
        # of the same bytes as one before in this process (small files, no blank node) has
        # the same triples in the same order, so the same projection.
        causal = manifest["projection"] == "causal"
        kept = ("projection", content, str(causal)) if content is not None else None
        projection = _DERIVED.get(kept) if kept is not None else None
        if projection is None:
            staged = StoreKnowledgeGraph(oxigraph_graph(ox.Store.read_only(str(staging / names["database"]))), [],
                                         staging, manifest, digest)
            projection = build_store_projection(staged, causal)
            if kept is not None:
                _DERIVED.put(kept, projection)
        try:
            raw_projection = encode_projection(projection, {"manifest_sha256": digest})
            write_private(staging / names["projection_file"], raw_projection)
            vouch(vouch_dir(), raw_projection)
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
        # Still inside the try: a signal as the emptied staging folder or the lock file goes
        # unwinds through the cleanup below, which removes both all the same. Only closing the
        # lock is left after it (a signal there leaves nothing on disk).
        shutil.rmtree(staging, ignore_errors=True)
        (directory / _LOCK).unlink(missing_ok=True)
    except BaseException as exc:
        # The open database must be closed before its files can be removed: drop every
        # reference to it, including those held by the frames of the traceback.
        db = staged = check = None
        traceback.clear_frames(exc.__traceback__)
        gc.collect()  # rdflib wrappers hold the database in reference cycles: close it now
        if lock is not None:  # else stopped before the lock was ours, having written nothing there
            if not (directory / MANIFEST).is_file() or _read_manifest_names(directory) != names:
                _remove(directory, *names.values())
            elif old is not None:  # stopped after the switch, while the old entries were removed
                _remove(directory, *old.values())
        _cleanup(directory, staging, created, lock)
        if isinstance(exc, OSError):
            raise StoreError(f"cannot write the store in {directory}: {exc.strerror or _first_line(exc)}") from None
        raise
    os.close(lock)
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
    for root, _dirs, files in os.walk(folder):
        os.chmod(root, 0o700)
        for name in files:
            path = os.path.join(root, name)
            if stat.S_ISREG(os.lstat(path).st_mode):
                os.chmod(path, 0o600)


def _cleanup(directory: Path, staging: Path, created: list[Path], lock: int | None) -> None:
    """Remove a failed build's staging folder, its lock and the directories it created."""
    shutil.rmtree(staging, ignore_errors=True)
    _unlock(directory, lock)
    for folder in reversed(created):
        with contextlib.suppress(OSError):
            folder.rmdir()


def index_store(directory: str | Path) -> int:
    """Rewrite the supply-dominator index of a store (:mod:`igegraph.traverse.supplyindex`):
    for a store built before igegraph wrote one. ``store build`` writes it; the store's data
    graph is left as it is. Returns the number of index triples.

    Raises
    ------
    StoreError
        The directory is not a store, its database cannot be opened for writing (another
        process has it open), or a build is running.

    Examples
    --------
    >>> import tempfile
    >>> where = tempfile.mkdtemp() + "/kg"
    >>> _ = build_store(where)
    >>> index_store(where) > 10
    True
    """
    import pyoxigraph as ox

    directory = Path(directory)
    manifest, _digest = _read_manifest(directory)
    lock = _lock(directory)
    try:
        try:
            db = ox.Store(str(directory / manifest["database"]))
        except (OSError, RuntimeError, ValueError) as exc:
            raise StoreError(f"{directory}: cannot open the database for writing ({_first_line(exc)}); "
                             "is another igegraph process using the store?") from None
        written = write_store_index(db)
        db.flush()
        held_elsewhere = sys.getrefcount(db) > 2  # as in build_store: collect only if cycles hold it
        del db
        if held_elsewhere:
            gc.collect()
    finally:
        _unlock(directory, lock)
    return written
