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

from .build import build_store, index_store
from .graph import StoreKnowledgeGraph, build_store_projection, open_store
from .manifest import CAUSAL_ONLY_ABOVE, MANIFEST, StoreInfo, store_info

__all__ = ["build_store", "index_store", "open_store", "store_info", "StoreInfo", "MANIFEST", "CAUSAL_ONLY_ABOVE",
           "StoreKnowledgeGraph", "build_store_projection"]
