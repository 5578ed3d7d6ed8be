"""Opening a store: :func:`open_store` and the KnowledgeGraph it returns."""

from __future__ import annotations

import inspect
from collections.abc import Iterable
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..backends.local import StoreBackend, oxigraph_graph
from ..declarations import vocabulary_changes, vocabulary_state
from ..errors import DataError, StoreError
from ..inputs import check_files
from ..kg import KnowledgeGraph, check_vocabulary_changes, parse_into, rdf_format
from ..persist import decode_projection, encode_projection, read_private, vouch, vouched, write_private
from .manifest import CAUSAL_ONLY_ABOVE, _first_line, _read_manifest

if TYPE_CHECKING:
    import networkx as nx
    import rdflib

    from ..traverse.fetch import Select

__all__ = ["open_store", "StoreKnowledgeGraph", "build_store_projection"]


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
    from .. import project

    if "causal_only" in inspect.signature(project.build_projection).parameters:
        return project.build_projection(kg, causal_only=causal_only)  # type: ignore[call-arg]
    g = project.build_projection(kg)
    if causal_only:
        g.remove_edges_from([(u, v, k) for u, v, k, causal in g.edges(keys=True, data="causal") if not causal])
    return g


class StoreKnowledgeGraph(KnowledgeGraph):
    """A KnowledgeGraph opened from a persistent store (see :func:`open_store`); its projection
    comes from the store, and route traversals fetch only their causal cone from the database
    (:mod:`igegraph.traverse.fetch`), so a first ``blocks`` need not load the projection."""

    fetches_cones = True

    def __init__(self, graph: "rdflib.Graph", sources: list[Path], store_dir: Path, manifest: dict,
                 manifest_digest: str, merged: bool = False, database: Any = None):
        super().__init__(graph, StoreBackend(store_dir), sources)
        self._database = database  # the pyoxigraph Store, whose supply index supply_index() reads
        self.store_dir = store_dir
        self.manifest = manifest
        self._digest = manifest_digest
        # With extra files merged in memory the stored projection no longer matches.
        self._merged = merged

    def supply_index(self) -> "Select | None":
        """The store's supply-dominator index (:mod:`igegraph.traverse.supplyindex`), written
        by ``store build`` or ``igegraph index``; None when there is none, or when ``--data``
        files were merged in (the index does not cover them)."""
        if self._database is None or self._merged:
            return None
        from ..traverse.supplyindex import store_index_select

        return self.derived("store.supply_index", lambda: store_index_select(self._database))

    def __repr__(self) -> str:
        return f"<KnowledgeGraph store {self.store_dir} {len(self)} triples from {len(self.sources)} files>"

    @cached_property
    def projection(self) -> "nx.MultiDiGraph":
        """The projection cached next to the store, if this user built it (else, or if it is out
        of date, it is rebuilt from the database: a store may come from someone else)."""
        path = self.store_dir / self.manifest["projection_file"]
        tag = {"manifest_sha256": self._digest}
        if not self._merged:
            raw = read_private(path)
            projection = decode_projection(raw, tag) if raw is not None and vouched(vouch_dir(), raw) else None
            if projection is not None:
                return projection
        causal_only = len(self) > CAUSAL_ONLY_ABOVE
        projection = build_store_projection(self, causal_only)
        if not self._merged:
            try:
                raw = encode_projection(projection, tag)
                write_private(path, raw)
                vouch(vouch_dir(), raw)
            except (OSError, ValueError):  # a read-only store directory still works, just slower
                pass
        return projection


def vouch_dir() -> Path:
    """Where this user records the store projections they built (see :func:`igegraph.persist.vouch`)."""
    from ..cache import cache_dir

    return cache_dir() / "vouched"


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
        On the ``store`` backend; ``kg.projection`` is read from the store's cached JSON.

    Raises
    ------
    StoreError
        The directory is missing, not a store, or its database is damaged.
    DataError
        An extra file is missing or malformed.

    Examples
    --------
    >>> import tempfile
    >>> from igegraph.store import build_store
    >>> where = tempfile.mkdtemp() + "/kg"
    >>> _ = build_store(where)
    >>> kg = open_store(where)
    >>> kg.backend, kg.store_dir == Path(where)
    ('store', True)
    >>> kg.projection.has_edge("ig:omalizumab", "ig:free_IgE")
    True
    >>> open_store(tempfile.mkdtemp())
    Traceback (most recent call last):
    ...
    igegraph.errors.StoreError: ... is not an igegraph store (no igegraph-store.json); ...
    """
    import pyoxigraph as ox

    directory = Path(directory)
    files = [Path(p) for p in data]
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
    if not files:
        return StoreKnowledgeGraph(oxigraph_graph(db), sources, directory, manifest, digest, database=db)

    for path in files:  # fail before the copy
        rdf_format(path)
        if not path.is_file():
            raise DataError(str(path), "no such file")
    check_files(files)
    memory = ox.Store()
    memory.load(input=db.dump(format=ox.RdfFormat.N_QUADS), format=ox.RdfFormat.N_QUADS)
    del db
    graph = oxigraph_graph(memory)
    before = vocabulary_state(graph)
    for path in files:
        parse_into(graph, path, "oxigraph")
    kg = StoreKnowledgeGraph(graph, sources + files, directory, manifest, digest, merged=True, database=memory)
    kg.vocabulary_changes = vocabulary_changes(before, vocabulary_state(graph, frozenset(before)))
    if not lenient:
        check_vocabulary_changes(kg, allow_vocabulary_changes, files)
    return kg
