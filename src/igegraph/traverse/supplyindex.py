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
import itertools
from array import array
from collections.abc import Hashable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, NamedTuple, TypeVar

from ..vocab import IGE

if TYPE_CHECKING:
    import rdflib

    from .fetch import Select

__all__ = ["VERSION", "DEFAULT_INDEX_GRAPH", "FACTS", "index_graph", "dominators", "dominator_tree", "chain",
           "SupplyIndex", "compute_index", "IndexHeader", "read_header", "dependency_properties", "SupplyFacts",
           "write_store_index", "store_index_select", "dependency_edges_query", "dependency_edge_count"]

#: ``kg.derived`` key of the :class:`SupplyFacts` a cone fetched with the index carries.
FACTS = "traverse.supply_facts"

#: Format of the index; an index of another version is not used.
VERSION = 1

#: The named graph of the index of a store's (or endpoint's) default graph.
DEFAULT_INDEX_GRAPH = "https://w3id.org/igegraph/supply-index/default"

N = TypeVar("N", bound=Hashable)


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
    names, tree = _tree_of(edges)
    return tree.named_idom(names), {names[v] for v in tree.loop_members()}


def dominator_tree(edges: Iterable[tuple[N, N]],
                   nodes: Iterable[N] = ()) -> tuple[dict[N, N], set[N], dict[N, set[N]]]:
    """:func:`dominators`, plus the roots (every member of a source component) and, for each
    root-loop member, the other members of its loop. ``nodes`` adds nodes without edges.

    >>> idom, roots, loops = dominator_tree([("a", "b")], ["c"])
    >>> idom, sorted(roots), loops
    ({'b': 'a'}, ['a', 'c'], {})
    """
    names, tree = _tree_of(edges, nodes)
    together: dict[int, set[N]] = {}
    for v in tree.loop_members():
        together.setdefault(tree.comp[v], set()).add(names[v])
    loops = {m: members - {m} for members in together.values() for m in members}
    return tree.named_idom(names), {names[v] for v in tree.roots}, loops


def _tree_of(edges: Iterable[tuple[N, N]], nodes: Iterable[N] = ()) -> tuple[list[N], "_Tree"]:
    """The nodes (in order of first appearance) and the :class:`_Tree` of their numbers."""
    ids: dict[N, int] = {}
    for v in nodes:
        ids.setdefault(v, len(ids))
    heads, tails = array("i"), array("i")
    for s, o in edges:
        heads.append(ids.setdefault(s, len(ids)))
        tails.append(ids.setdefault(o, len(ids)))
    names = list(ids)
    del ids  # the names are all that is needed from here on
    return names, _Tree(len(names), heads, tails)


class _Tree:
    """The dominator tree of the supply graph on nodes ``0 .. n-1`` with edges
    ``heads[i] -> tails[i]``, from a virtual root (number ``n``) feeding every member of every
    source strongly connected component.

    Everything is kept in typed arrays of machine integers and computed without recursion
    (a few dozen bytes a node and a dozen an edge: a graph of millions of edges fits where
    Python objects per node and edge would take gigabytes): Kosaraju's strongly connected
    components, then the iterative algorithm of Cooper, Harvey and Kennedy ("A Simple, Fast
    Dominance Algorithm", 2001) on a depth-first postorder from the virtual root. Immediate
    dominators are unique, so the answer is the one any correct algorithm gives.

    Attributes
    ----------
    n : int
        Number of nodes; also the number standing for the virtual root.
    idom : array of int
        Node -> its immediate dominator (``n``: the virtual root).
    comp : array of int
        Node -> its strongly connected component.
    size : array of int
        Component -> number of members.
    roots : array of int
        Members of the source components (nothing outside them feeds them), ascending.
    """

    def __init__(self, n: int, heads: array, tails: array) -> None:
        self.n = n
        start, succ = _rows(n, heads, tails)
        into, pred = _rows(n, tails, heads)
        # Kosaraju's first search may start anywhere: from the nodes nothing feeds (roots), then
        # from every node, it is often the search from the roots that numbers the nodes below
        firsts = array("i", (v for v in range(n) if into[v] == into[v + 1]))
        self.comp, count, finished = _components(n, start, succ, into, pred, firsts)
        comp = self.comp
        fed = bytearray(count)  # fed from another component: not a source
        for h, t in zip(heads, tails, strict=True):
            c = comp[t]
            if comp[h] != c:
                fed[c] = 1
        self.size = array("i", bytes(4 * count))
        for c in comp:
            self.size[c] += 1
        self.roots = array("i", (v for v in range(n) if not fed[comp[v]]))
        # numbered in the postorder of a search from the virtual root, which reaches every
        # node (every component is fed from a source one), a node's dominators all come after it.
        # Kosaraju's first search was that very search when its first starts were the roots in
        # order (they reach everything, so it started nowhere else): a search fewer.
        roots = self.roots
        first_starts = array("i", itertools.islice(itertools.chain(firsts, range(n)), len(roots)))
        order = finished if first_starts == roots else _postorder(roots, start, succ, bytearray(n))
        del start, succ
        self.idom = _idom(n, order, self.roots, into, pred)

    def loop_members(self) -> Iterator[int]:
        """The members of source components with several members (root loops)."""
        comp, size = self.comp, self.size
        return (v for v in self.roots if size[comp[v]] > 1)

    def named_idom(self, names: Sequence[N]) -> dict[N, N]:
        """Node -> immediate dominator by name, where that is not the virtual root."""
        n = self.n
        return {names[v]: names[d] for v, d in enumerate(self.idom) if d != n}


def _rows(n: int, heads: array, tails: array) -> tuple[array, array]:
    """Compressed adjacency rows: the tails of node ``v``'s edges are ``succ[start[v]:start[v + 1]]``."""
    start = array("q", bytes(8 * (n + 1)))
    for h in heads:
        start[h + 1] += 1
    for v in range(n):
        start[v + 1] += start[v]
    free = array("q", start)  # next free slot of each row
    succ = array("i", bytes(4 * len(heads)))
    for h, t in zip(heads, tails, strict=True):
        succ[free[h]] = t
        free[h] += 1
    return start, succ


def _postorder(firsts: Iterable[int], start: array, succ: array, seen: bytearray) -> array:
    """The nodes a depth-first search from ``firsts`` reaches (those not ``seen`` yet, which it
    marks), in postorder; iteratively: an explicit path of nodes, and the next edge of each
    node kept by node (a copy of ``start``), so that descending and returning move one number.
    Appended to one array rather than yielded: resuming a generator once a node costs more
    than the search itself."""
    out = array("i")
    done = out.append
    edge = array("q", start)  # node -> its next edge to try
    for first in firsts:
        if seen[first]:
            continue
        seen[first] = 1
        path = array("i", [first])
        while path:
            v = path[-1]
            i, end = edge[v], start[v + 1]
            while i < end:
                w = succ[i]
                i += 1
                if not seen[w]:  # descend into w, resume v at edge i afterwards
                    seen[w] = 1
                    edge[v] = i
                    path.append(w)
                    break
            else:  # v is done
                path.pop()
                done(v)
    return out


def _components(n: int, start: array, succ: array, into: array, pred: array,
                firsts: Iterable[int] = ()) -> tuple[array, int, array]:
    """Kosaraju's strongly connected components: node -> component number, the number of
    components, and the postorder of the first search (from ``firsts``, then every node). A
    node's component is what reaches it backwards among the nodes not yet in one, taken in
    decreasing order of their finishing time in that search."""
    finished = _postorder(itertools.chain(firsts, range(n)), start, succ, bytearray(n))
    comp = array("i", [-1]) * n
    count = 0
    for v in reversed(finished):
        if comp[v] != -1:
            continue
        comp[v] = count
        todo = [v]
        while todo:
            u = todo.pop()
            for w in pred[into[u]:into[u + 1]]:
                if comp[w] == -1:
                    comp[w] = count
                    todo.append(w)
        count += 1
    return comp, count, finished


def _idom(n: int, order: array, roots: array, into: array, pred: array) -> array:
    """Immediate dominators (Cooper, Harvey and Kennedy): node -> dominator (``n``: the
    virtual root, which feeds ``roots``), from ``order``, the nodes in a depth-first postorder
    from the virtual root, and the predecessors of each (``pred[into[v]:into[v + 1]]``)."""
    post = array("i", bytes(4 * n))  # node -> postorder number; the virtual root's is n
    for b, v in enumerate(order):
        post[v] = b
    fed = bytearray(n)  # fed by the virtual root
    for r in roots:
        fed[r] = 1
    # dominators by postorder number: a node's dominators all have higher numbers than it
    dom = array("i", [-1]) * (n + 1)
    dom[n] = n
    # The first pass visits every node in reverse postorder. A root's immediate dominator is
    # the virtual root, and a node with one predecessor has that one (its parent in the
    # search, so already visited): both are final at once, and later passes, until nothing
    # changes, visit only the nodes with several predecessors (on a long chain, none).
    several = array("i")
    for b in range(n - 1, -1, -1):
        v = order[b]
        first, end = into[v], into[v + 1]
        if fed[v]:
            dom[b] = n
        elif end - first == 1:
            dom[b] = post[pred[first]]
        else:
            several.append(b)
            dom[b] = _meet(dom, post, pred[first:end])
    changed = True
    while changed:
        changed = False
        for b in several:  # reverse postorder
            v = order[b]
            new = _meet(dom, post, pred[into[v]:into[v + 1]])
            if dom[b] != new:
                dom[b] = new
                changed = True
    order.append(n)  # the virtual root's number stands for itself
    return array("i", (order[dom[post[v]]] for v in range(n)))


def _meet(dom: array, post: array, preds: array) -> int:
    """The nearest common dominator so far of the predecessors ``preds`` reached already
    (``dom`` not -1), by postorder number (Cooper, Harvey and Kennedy's ``intersect``)."""
    new = -1
    for p in preds:
        p = post[p]
        if dom[p] == -1:  # not reached yet in this pass
            continue
        if new == -1:
            new = p
            continue
        while p != new:
            while p < new:
                p = dom[p]
            while new < p:
                new = dom[new]
    return new


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
_TRUE = '"true"^^<http://www.w3.org/2001/XMLSchema#boolean>'
_INTEGER = "http://www.w3.org/2001/XMLSchema#integer"


def _dependency_query(select: "Select", template: str) -> str | None:
    """``template`` over the graph's dependency properties; None when it declares none."""
    from .fetch import _iri

    preds = dependency_properties(select)
    return template.format(preds=" ".join(_iri(p) for p in preds)) if preds else None


def dependency_edges_query(select: "Select") -> str | None:
    """The SELECT of every dependency triple's subject and object (``?s ?o``) in the graph
    ``select`` reads (what :func:`compute_index` reads the answer of); None when the graph
    declares no dependency property."""
    return _dependency_query(select, _EDGES)


def dependency_edge_count(select: "Select") -> int:
    """How many dependency triples the graph ``select`` reads holds (what an index's
    ``ige:supplyEdgeCount`` must equal for the index to be used)."""
    query = _dependency_query(select, _COUNT)
    if query is None:
        return 0
    rows = select(query, {})
    return int(rows[0][0]) if rows and rows[0][0] is not None else 0


class SupplyIndex(NamedTuple):
    """A computed index: its triples as N-Triples, how many, and the dependency triples it was
    computed from (its ``ige:supplyEdgeCount``)."""

    ntriples: bytes
    triples: int
    edges: int


def compute_index(rows: Iterable[Sequence[Any]], graph_iri: str) -> SupplyIndex:
    """The index of the dependency triples ``rows`` gives, for the named graph ``graph_iri``.

    ``rows`` are (subject, object) pairs of pyoxigraph terms, the answer to
    :func:`dependency_edges_query` (a store's, or an endpoint's read as it arrives, see
    :meth:`igegraph.backends.endpoint.EndpointBackend.rows`). Every row counts as a dependency
    triple; only those between two IRIs are edges of the supply graph. They are read once:
    each IRI as a string numbered when first seen, each edge as two numbers in the arrays of
    :class:`_Tree`, so that millions of edges take tens of megabytes, not gigabytes.

    Examples
    --------
    >>> import pyoxigraph as ox
    >>> a, b, c = (ox.NamedNode(f"https://example.org/{x}") for x in "abc")
    >>> index = compute_index([(a, b), (b, c), (c, ox.Literal("not an edge"))], "https://example.org/index")
    >>> index.triples, index.edges
    (4, 3)
    >>> print(index.ntriples.decode().replace("https://w3id.org/igegraph/vocab#", "ige:"), end="")
    <https://example.org/b> <ige:supplyDominator> <https://example.org/a> .
    <https://example.org/c> <ige:supplyDominator> <https://example.org/b> .
    <https://example.org/index> <ige:supplyEdgeCount> "3"^^<http://www.w3.org/2001/XMLSchema#integer> .
    <https://example.org/index> <ige:supplyIndexVersion> "1"^^<http://www.w3.org/2001/XMLSchema#integer> .
    """
    import pyoxigraph as ox

    named = ox.NamedNode
    total = 0

    def iris() -> Iterator[tuple[str, str]]:
        nonlocal total
        for s, o in rows:
            total += 1
            if type(s) is named and type(o) is named:
                yield s.value, o.value

    names, tree = _tree_of(iris())
    # the IRIs come from an RDF store's answer, so they need no escaping between < and >
    dominator, loop = str(IGE.supplyDominator), str(IGE.supplyRootLoop)
    root = tree.n
    lines = [f"<{names[v]}> <{dominator}> <{names[d]}> .\n" for v, d in enumerate(tree.idom) if d != root]
    lines += [f"<{names[v]}> <{loop}> {_TRUE} .\n" for v in tree.loop_members()]
    lines += [f'<{graph_iri}> <{IGE.supplyIndexVersion}> "{VERSION}"^^<{_INTEGER}> .\n',
              f'<{graph_iri}> <{IGE.supplyEdgeCount}> "{total}"^^<{_INTEGER}> .\n']
    lines.sort()
    return SupplyIndex("".join(lines).encode("utf-8"), len(lines), total)


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
        with another source: the fetched graph holds the dependency edges among these nodes
        and one supplier from outside each (all outside suppliers live), so a joint removal is
        decided on it exactly.
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
    >>> from igegraph.vocab import IG
    >>> ox.Quad(ox.NamedNode(IG.FcERI), ox.NamedNode(IGE.supplyDominator), ox.NamedNode(IG.IgE),
    ...         ox.NamedNode(DEFAULT_INDEX_GRAPH)) in db
    True
    """
    import pyoxigraph as ox

    from .fetch import store_select

    query = dependency_edges_query(store_select(database))
    index = compute_index(database.query(query) if query else (), graph_iri)
    graph = ox.NamedNode(graph_iri)
    if graph in set(database.named_graphs()):
        database.remove_graph(graph)
    database.load(index.ntriples, format=ox.RdfFormat.N_TRIPLES, to_graph=graph)
    return index.triples


def store_index_select(database: Any, graph_iri: str = DEFAULT_INDEX_GRAPH) -> "Select | None":
    """A :data:`~igegraph.traverse.fetch.Select` over the index in a pyoxigraph Store, or None
    when the store has none of this :data:`VERSION`."""
    from .fetch import store_select

    select = store_select(database, default_graph=graph_iri)
    return select if read_header(select, graph_iri) is not None else None
