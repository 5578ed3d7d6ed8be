"""The supply-dominator index: what removing one supply node starves, persisted with the graph.

"What blocks a pathway" asks, for an action upstream, which route nodes it starves: those no
root of the supply graph (the dependency edges: secretes, produces, activates …) still reaches
once the action's object is gone (:meth:`~igegraph.traverse.cone.Cone.dead`). For the removal
of one node ``x`` the answer is a classic one: the nodes that ``x`` **dominates** in the supply
graph with a virtual root feeding every member of every source component (a self-sustaining
loop is a supply of its own). Their immediate dominators form a tree, so each node's
dominators are one chain up it.

This module computes that tree for a whole graph and writes it as triples, in a named graph
of their own next to the data (``store build`` and ``push`` do it; ``igegraph index``
rebuilds it):

* ``v ige:supplyDominator d``: ``d`` is the immediate dominator of ``v`` (none when it is
  the virtual root);
* ``v ige:supplyRootLoop true``: ``v`` is a member of a source component with several members
  (whose own starvation needs the whole ancestry: see :mod:`igegraph.traverse.fetch`);
* a header on the index graph's IRI: ``ige:supplyIndexVersion`` (:data:`VERSION`) and
  ``ige:supplyEdgeCount`` (the dependency edges it was computed from, a staleness check).

A traversal on a store or an endpoint then fetches the dominator chains of its cone's nodes
instead of their whole supply ancestry, which can be a large part of the graph.

Examples
--------
>>> idom, loops = dominators([("a", "b"), ("b", "c"), ("a", "c"), ("c", "d"), ("e", "f"), ("f", "e"), ("f", "d")])
>>> sorted((v, d) for v, d in idom.items())
[('b', 'a'), ('c', 'a')]
>>> sorted(loops)
['e', 'f']
>>> chain(idom, "c")
['a']
"""

from __future__ import annotations

import hashlib
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from ..vocab import IGE

if TYPE_CHECKING:
    import rdflib

    from .fetch import Select

__all__ = ["VERSION", "DEFAULT_INDEX_GRAPH", "FACTS", "index_graph", "dominators", "dominator_tree", "chain",
           "index_triples", "compute_index", "IndexHeader", "read_header", "dependency_properties", "SupplyFacts",
           "write_store_index", "store_index_select", "dependency_edge_count", "ntriples"]

#: ``kg.derived`` key of the :class:`SupplyFacts` a cone fetched with the index carries.
FACTS = "traverse.supply_facts"

#: Format of the index; an index of another version is not used.
VERSION = 1

#: The named graph of the index of a store's (or endpoint's) default graph.
DEFAULT_INDEX_GRAPH = "https://w3id.org/igegraph/supply-index/default"

N = TypeVar("N", bound=Hashable)

_ROOT = "\x00virtual-root"  # feeds every root; no IRI or compact id looks like it


def index_graph(data_graph: str | None = None) -> str:
    """The IRI of the named graph holding the index of ``data_graph`` (None: the default graph).

    Deterministic, so that ``push --graph G`` and a later traversal on ``--graph G`` agree.

    >>> index_graph()
    'https://w3id.org/igegraph/supply-index/default'
    >>> index_graph("https://example.org/mine")
    'https://w3id.org/igegraph/supply-index/graph-3f8cd49873d54b68'
    """
    if not data_graph:
        return DEFAULT_INDEX_GRAPH
    digest = hashlib.sha256(data_graph.encode("utf-8")).hexdigest()[:16]
    return f"https://w3id.org/igegraph/supply-index/graph-{digest}"


def dominators(edges: Iterable[tuple[N, N]]) -> tuple[dict[N, N], set[N]]:
    """Immediate dominators of a dependency graph, from a virtual root that feeds every member
    of every source strongly connected component.

    Parameters
    ----------
    edges : iterable of (supplier, dependant)

    Returns
    -------
    idom : dict
        Node -> its immediate dominator, only where that is not the virtual root.
    loops : set
        Members of source components with several members (root loops).

    Examples
    --------
    >>> idom, loops = dominators([("a", "b"), ("b", "a"), ("b", "c")])
    >>> idom, sorted(loops)
    ({'c': 'b'}, ['a', 'b'])
    """
    idom, _roots, loops = dominator_tree(edges)
    return idom, set(loops)


def dominator_tree(edges: Iterable[tuple[N, N]],
                   nodes: Iterable[N] = ()) -> tuple[dict[N, N], set[N], dict[N, set[N]]]:
    """:func:`dominators`, plus the roots (every member of a source component) and, for each
    root-loop member, the other members of its loop. ``nodes`` adds nodes without edges.

    >>> idom, roots, loops = dominator_tree([("a", "b")], ["c"])
    >>> idom, sorted(roots), loops
    ({'b': 'a'}, ['a', 'c'], {})
    """
    import networkx as nx

    graph: Any = nx.DiGraph()
    graph.add_nodes_from(nodes)
    graph.add_edges_from(edges)
    roots: set = set()
    loops: dict = {}
    if not graph:
        return {}, roots, loops
    cond = nx.condensation(graph)
    for c in cond:
        if cond.in_degree(c) == 0:
            members = cond.nodes[c]["members"]
            roots |= members
            graph.add_edges_from((_ROOT, m) for m in members)
            if len(members) > 1:
                loops.update({m: members - {m} for m in members})
    idom = nx.immediate_dominators(graph, _ROOT)
    return {v: d for v, d in idom.items() if v != _ROOT and d != _ROOT}, roots, loops


def chain(idom: Mapping[N, N], node: N) -> list[N]:
    """The strict dominators of ``node``, nearest first (up the tree of ``idom``).

    >>> chain({"c": "b", "b": "a"}, "c")
    ['b', 'a']
    """
    out = []
    step = idom.get(node)
    while step is not None:
        out.append(step)
        step = idom.get(step)
    return out


def dependency_properties(select: "Select") -> list["rdflib.URIRef"]:
    """The properties declared supply dependencies (causal, polarity +1, ``ige:dependency``),
    as :mod:`igegraph.traverse.views` reads them."""
    from .fetch import relation_flags

    return sorted(relation_flags(select)[1], key=str)


# no FILTER(isIRI(...)): it makes Oxigraph server's COUNT ten times slower; literals are dropped here
_EDGES = """SELECT ?s ?o WHERE {{ VALUES ?p {{ {preds} }} ?s ?p ?o }}"""
_COUNT = """SELECT (COUNT(*) AS ?n) WHERE {{ VALUES ?p {{ {preds} }} ?s ?p ?o }}"""


def dependency_edge_count(select: "Select") -> int:
    """How many dependency triples the graph ``select`` reads holds (what an index's
    ``ige:supplyEdgeCount`` must equal for the index to be used)."""
    from .fetch import _iri

    preds = dependency_properties(select)
    if not preds:
        return 0
    rows = select(_COUNT.format(preds=" ".join(_iri(p) for p in preds)), {})
    return int(rows[0][0]) if rows and rows[0][0] is not None else 0


def compute_index(select: "Select", graph_iri: str) -> tuple[list[tuple], int]:
    """The index triples of the graph ``select`` reads, for the named graph ``graph_iri``, and
    the number of dependency triples they were computed from.

    Examples
    --------
    >>> import igegraph
    >>> from igegraph.vocab import IG
    >>> kg = igegraph.load()
    >>> triples, edges = compute_index(kg.select, DEFAULT_INDEX_GRAPH)
    >>> (IG.FcERI, IGE.supplyDominator, IG.IgE) in triples, edges > 50
    (True, True)
    """
    from rdflib import URIRef

    from .fetch import _iri

    preds = dependency_properties(select)
    rows = select(_EDGES.format(preds=" ".join(_iri(p) for p in preds)), {}) if preds else []
    idom, loops = dominators((s, o) for s, o in rows if isinstance(s, URIRef) and isinstance(o, URIRef))
    return index_triples(idom, loops, graph_iri, len(rows)), len(rows)


def index_triples(idom: Mapping[Any, Any], loops: Iterable[Any], graph_iri: str, edges: int) -> list[tuple]:
    """The triples of an index: one per immediate dominator and root-loop member, and the header."""
    from rdflib import Literal, URIRef

    true = Literal(True)
    out: list[tuple] = [(v, IGE.supplyDominator, d) for v, d in idom.items()]
    out += [(v, IGE.supplyRootLoop, true) for v in loops]
    me = URIRef(graph_iri)
    out += [(me, IGE.supplyIndexVersion, Literal(VERSION)), (me, IGE.supplyEdgeCount, Literal(edges))]
    return sorted(out)


@dataclass(frozen=True)
class IndexHeader:
    """What an index says about itself: its ``version`` and the dependency ``edges`` it covers."""

    version: int
    edges: int


@dataclass(frozen=True)
class SupplyFacts:
    """What a cone fetched with the index knows of its supply, in place of the whole ancestry
    (compact ids; see :meth:`igegraph.traverse.cone.Cone.dead`).

    Attributes
    ----------
    chains : dict
        Cone node -> its strict supply dominators (what starves it when removed alone).
    sources : frozenset
        The nodes of every removal set the traversal evaluates that supply anything (have an
        outgoing dependency edge): only they can starve a node.
    covered : frozenset
        Everything downstream (over dependency edges) of the sources that are removed together
        with another source: the fetched graph holds every dependency edge into these nodes,
        so a joint removal is decided on it exactly.
    """

    chains: dict[str, frozenset[str]]
    sources: frozenset[str]
    covered: frozenset[str]


_HEADER = """SELECT ?v ?n WHERE {{ OPTIONAL {{ <{g}> <{version}> ?v }} OPTIONAL {{ <{g}> <{count}> ?n }} }}"""


def read_header(index_select: "Select", graph_iri: str) -> IndexHeader | None:
    """The header of the index that ``index_select`` reads (its named graph as the default
    graph), or None when there is none or it is not of this :data:`VERSION`."""
    from .fetch import _iri

    rows = index_select(_HEADER.format(g=_iri(graph_iri)[1:-1], version=IGE.supplyIndexVersion,
                                       count=IGE.supplyEdgeCount), {})
    if not rows or rows[0][0] is None or rows[0][1] is None:
        return None
    try:
        version, edges = int(rows[0][0]), int(rows[0][1])
    except (TypeError, ValueError):
        return None
    return IndexHeader(version, edges) if version == VERSION else None


def ntriples(triples: Sequence[tuple]) -> bytes:
    """The triples as N-Triples (what a Graph Store PUT sends)."""
    return "".join(f"{s.n3()} {p.n3()} {o.n3()} .\n" for s, p, o in triples).encode("utf-8")


def write_store_index(database: Any, graph_iri: str = DEFAULT_INDEX_GRAPH) -> int:
    """Compute the index of a pyoxigraph Store's default graph and write it into the named graph
    ``graph_iri`` of the same store (replacing what was there); the number of triples written.

    Examples
    --------
    >>> import pyoxigraph as ox
    >>> from igegraph.resources import curated_files
    >>> db = ox.Store()
    >>> for path in curated_files():
    ...     db.load(path=str(path), format=ox.RdfFormat.TURTLE)
    >>> before = len(db)
    >>> written = write_store_index(db)
    >>> len(db) == before + written, store_index_select(db) is not None
    (True, True)
    """
    import pyoxigraph as ox

    from .fetch import store_select

    triples, _edges = compute_index(store_select(database), graph_iri)
    graph = ox.NamedNode(graph_iri)
    if graph in set(database.named_graphs()):
        database.remove_graph(graph)
    database.load(ntriples(triples), format=ox.RdfFormat.N_TRIPLES, to_graph=graph)
    return len(triples)


def store_index_select(database: Any, graph_iri: str = DEFAULT_INDEX_GRAPH) -> "Select | None":
    """A :data:`~igegraph.traverse.fetch.Select` over the index in a pyoxigraph Store, or None
    when the store has none of this :data:`VERSION`."""
    from .fetch import store_select

    select = store_select(database, default_graph=graph_iri)
    return select if read_header(select, graph_iri) is not None else None
