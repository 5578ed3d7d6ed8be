"""A store's manifest: its layout, reading and checking it, and :func:`store_info`."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import StoreError

__all__ = ["MANIFEST", "CAUSAL_ONLY_ABOVE", "StoreInfo", "store_info"]

#: Name of the manifest file that marks a directory as an igegraph store.
MANIFEST = "igegraph-store.json"
#: Stores with more triples get a projection of the causal edges only.
CAUSAL_ONLY_ABOVE = 200_000

_STORE_FORMAT = 2
# the names of a store's database folder and projection file, random per build
_ENTRY = re.compile(r"(oxigraph|projection)-[0-9a-f]{16}(\.json)?")


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
            with contextlib.suppress(OSError):
                total += os.stat(os.path.join(root, name)).st_size
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
    >>> from igegraph.store import build_store
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


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
