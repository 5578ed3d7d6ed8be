"""Private files for derived data: owner-only folders and files, and data-only encodings.

The parse cache and persistent stores keep derived values (the networkx projection, a dump
of the triples) on disk. Nothing read back can execute: the projection is JSON, validated
field by field, and triples are N-Quads. Folders are made ``0700`` and files ``0600`` whatever
the umask, and a file is only read back if it is a regular file owned by the current user
that no one else may write, in a folder no one else may write; anything else is ignored
(and rebuilt), so a planted or swapped file cannot change an answer.

Examples
--------
>>> import tempfile, pathlib, networkx as nx
>>> folder = pathlib.Path(tempfile.mkdtemp()) / "private"
>>> private_dir(folder)
True
>>> oct(folder.stat().st_mode & 0o777)
'0o700'
>>> g = nx.MultiDiGraph()
>>> g.add_edge("ig:a", "ig:b", "ige:activates", polarity=1, references=["12"])
'ige:activates'
>>> write_private(folder / "p.json", encode_projection(g, {"key": "k1"}))
>>> h = decode_projection(read_private(folder / "p.json"), {"key": "k1"})
>>> list(h.edges(keys=True, data=True))
[('ig:a', 'ig:b', 'ige:activates', {'polarity': 1, 'references': ['12']})]
>>> decode_projection(read_private(folder / "p.json"), {"key": "other"}) is None
True
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import secrets
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeGuard

if TYPE_CHECKING:
    import networkx as nx

__all__ = ["temporary_beside",
           "private_dir", "private_dir_ok", "is_private", "read_private", "write_private", "encode_kept", "decode_kept",
           "encode_projection", "decode_projection", "vouch", "vouched"]

_LOOSE = stat.S_IWGRP | stat.S_IWOTH


def is_private(st: os.stat_result) -> bool:
    """True if a file or folder belongs to the current user and no one else may write it."""
    return st.st_uid == os.getuid() and not st.st_mode & _LOOSE


def private_dir(folder: Path) -> bool:
    """Make ``folder`` (mode 0700) if missing; True if it exists and is private.

    An existing folder owned by someone else, or writable by others, is left alone and
    reported as not private (False): its files cannot be trusted. Missing parent folders are
    made 0700 as well: made with the umask's mode (``mkdir(parents=True)``), a cache folder
    made under umask 000 to hold ``vouched/`` would be writable by all, and never used again.
    """
    missing = []
    for level in (folder, *folder.parents):
        if os.path.lexists(level):
            break
        missing.append(level)
    for level in reversed(missing):
        try:
            level.mkdir(mode=0o700)
            os.chmod(level, 0o700)  # mkdir's mode is reduced by the umask, never widened: make sure
        except FileExistsError:
            pass
        except OSError:
            return False
    try:
        st = os.stat(folder)
    except OSError:
        return False
    return stat.S_ISDIR(st.st_mode) and is_private(st)


def read_private(path: Path) -> bytes | None:
    """The bytes of a private file, or None if it is missing or anyone else could have written it."""
    try:
        if not private_dir_ok(path.parent):
            return None
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except OSError:
        return None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode) or not is_private(st):
            return None
        with os.fdopen(fd, "rb", closefd=False) as fh:
            return fh.read()
    finally:
        os.close(fd)


def private_dir_ok(folder: Path) -> bool:
    """True if an existing folder is private (no side effect, unlike :func:`private_dir`)."""
    try:
        st = os.stat(folder)
    except OSError:
        return False
    return stat.S_ISDIR(st.st_mode) and is_private(st)


@contextlib.contextmanager
def temporary_beside(folder: Path, prefix: str, suffix: str) -> Iterator[Path]:
    """A new empty file ``PREFIX<random>SUFFIX`` in ``folder`` (mode 0600), removed on leaving
    the block unless the block moved it away.

    Unlike :func:`tempfile.mkstemp`, the name is chosen before the file exists and the file is
    made inside the ``try``: a signal that unwinds the process at any moment (SIGTERM, Ctrl-C),
    even just as the file appeared, leaves none behind.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> with temporary_beside(folder, ".a.", ".tmp") as tmp:
    ...     tmp.name.startswith(".a.") and tmp.stat().st_size == 0
    True
    >>> list(folder.iterdir())
    []
    """
    tmp = folder / f"{prefix}{secrets.token_hex(8)}{suffix}"  # 64 random bits: never an existing name
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        os.fchmod(fd, 0o600)  # whatever the umask took away: the block reopens it by name to write
        os.close(fd)
        yield tmp
    finally:
        tmp.unlink(missing_ok=True)


def write_private(path: Path, payload: bytes) -> None:
    """Write a file readable by its owner alone, atomically (readers see old or new, whole)."""
    with temporary_beside(path.parent, ".tmp-", path.suffix) as tmp:
        tmp.write_bytes(payload)
        os.replace(tmp, path)


# ------------------------------------------------------------------ files made by this user


def _vouch_path(folder: Path, payload: bytes) -> Path:
    return folder / hashlib.sha256(payload).hexdigest()


def vouch(folder: Path, payload: bytes) -> None:
    """Record (in the private ``folder``) that this user wrote ``payload``.

    A store can come from someone else, files and all, so a store's projection is only
    read back if its exact bytes were vouched for here; otherwise it is rebuilt from the
    database. Nothing is recorded if ``folder`` cannot be made private.
    """
    if private_dir(folder):
        write_private(_vouch_path(folder, payload), b"")


def vouched(folder: Path, payload: bytes) -> bool:
    """True if this user recorded ``payload`` with :func:`vouch` (in a private folder)."""
    return read_private(_vouch_path(folder, payload)) is not None


# ------------------------------------------------------------------ the projection as JSON

_FORMAT = "igegraph-projection/1"
_SCALARS = (str, int, float, bool, type(None))


def _plain(value: Any) -> bool:
    """True for the attribute values the encoding keeps exactly (JSON scalars and lists of them)."""
    if isinstance(value, _SCALARS):
        return not isinstance(value, float) or value == value and abs(value) != float("inf")
    return isinstance(value, list) and all(isinstance(v, _SCALARS) and not isinstance(v, float) for v in value)


def encode_projection(graph: "nx.MultiDiGraph", tag: dict[str, str]) -> bytes:
    """A MultiDiGraph as compact JSON: node ids once, edges by node index.

    ``tag`` (strings) says what the projection was built from; :func:`decode_projection`
    accepts the file only for the same tag. Raises ValueError for attribute values JSON
    cannot hold exactly (the caller then just does not cache).
    """
    nodes = list(graph.nodes)
    index = {node: i for i, node in enumerate(nodes)}
    rows = [[node, attrs] for node, attrs in graph.nodes(data=True)]
    edges = [[index[u], index[v], key, attrs] for u, v, key, attrs in graph.edges(keys=True, data=True)]
    for attrs in [a for _n, a in rows] + [e[3] for e in edges]:
        if not all(isinstance(k, str) and _plain(v) for k, v in attrs.items()):
            raise ValueError("projection attribute JSON cannot hold exactly")
    if not all(isinstance(n, str) for n in nodes) or not all(isinstance(e[2], str) for e in edges):
        raise ValueError("projection ids must be strings")
    return encode_kept(_FORMAT, tag, {"graph": dict(graph.graph), "nodes": rows, "edges": edges})


_VALUE_TYPES = frozenset({str, int, float, bool, type(None)})
_ITEM_TYPES = frozenset({str, int, bool, type(None)})


def _valid_attrs(attrs: Any) -> TypeGuard[dict[str, Any]]:
    """True for a dict of JSON scalars and lists of scalars (a tight loop: this runs per edge)."""
    if type(attrs) is not dict:
        return False
    for value in attrs.values():
        kind = type(value)
        if kind not in _VALUE_TYPES and (kind is not list or not all(type(v) in _ITEM_TYPES for v in value)):
            return False
    return True


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def encode_kept(doc_format: str, tag: dict[str, str], body: dict[str, Any]) -> bytes:
    """A value kept beside a cache entry, as one compact JSON object: its ``format``, the
    ``tag`` of the entry it was built for, then ``body``'s fields (UTF-8; ValueError for NaN or
    infinity, which JSON cannot hold).

    Examples
    --------
    >>> raw = encode_kept("demo/1", {"key": "k"}, {"rows": [1, 2]})
    >>> raw
    b'{"format":"demo/1","tag":{"key":"k"},"rows":[1,2]}'
    >>> decode_kept(raw, "demo/1", {"key": "k"})["rows"], decode_kept(raw, "demo/1", {"key": "other"})
    ([1, 2], None)
    """
    doc = {"format": doc_format, "tag": tag, **body}
    return json.dumps(doc, separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode("utf-8")


def decode_kept(raw: bytes | None, doc_format: str, tag: dict[str, str]) -> dict[str, Any] | None:
    """The JSON object :func:`encode_kept` wrote for ``doc_format`` and ``tag``, or None when
    ``raw`` is missing, is not JSON (NaN and infinity included), or is another format's or
    another entry's. Its fields are the caller's to check."""
    if raw is None:
        return None
    try:
        doc = json.loads(raw, parse_constant=_refuse_constant)
    except (ValueError, RecursionError):
        return None
    if type(doc) is not dict or doc.get("format") != doc_format or doc.get("tag") != tag:
        return None
    return doc


def decode_projection(raw: bytes | None, tag: dict[str, str]) -> "nx.MultiDiGraph | None":
    """The MultiDiGraph in ``raw``, or None if it is missing, malformed or built for another tag."""
    import networkx as nx

    doc = decode_kept(raw, _FORMAT, tag)
    if doc is None:
        return None
    rows, edges, meta = doc.get("nodes"), doc.get("edges"), doc.get("graph")
    if type(rows) is not list or type(edges) is not list or not _valid_attrs(meta):
        return None
    for row in rows:
        if type(row) is not list or len(row) != 2 or type(row[0]) is not str or not _valid_attrs(row[1]):
            return None
    nodes = [r[0] for r in rows]
    count = len(nodes)
    if len(set(nodes)) != count:
        return None
    for edge in edges:
        if type(edge) is not list or len(edge) != 4:
            return None
        u, v, key, attrs = edge
        if type(u) is not int or type(v) is not int or not (0 <= u < count and 0 <= v < count) \
                or type(key) is not str or not _valid_attrs(attrs):
            return None
    graph = nx.MultiDiGraph(**meta)
    graph.add_nodes_from(rows)
    graph.add_edges_from((nodes[u], nodes[v], key, attrs) for u, v, key, attrs in edges)
    return graph
