"""Fetch the causal cone a traversal needs from any SPARQL store, not the whole graph.

:func:`fetch_cone` asks a SPARQL SELECT runner (an embedded store, or an HTTP endpoint) for
exactly what ``blocks``, ``knockout``, ``cutsets`` and ``path`` read between a source and a
target, in bounded batches of plain SPARQL 1.1 (each query declares its own prefixes):

1. **vocabulary**: the relation properties (``?p ige:polarity``, their flags and labels), the
   entity classes below ``ige:Entity``, the named pathways;
2. **cone**: breadth-first, level by level, forward from the sources and backward to the
   targets over the activating properties, always expanding the smaller frontier, until the two
   depths add up to ``max_length`` (every walk of at most ``max_length`` hops is then fetched).
   Only the edges of the cone are kept (nodes with ``d(source, v) + d(v, target) <= max_length``);
   when no route is that short, the search goes on until the shortest route is known (what the
   "no route" message reports) or one side has nothing left to reach;
3. **supply**: the dependency edges into the cone, transitively (what the cone's nodes need to
   exist), as the ``dead`` check follows them to their roots. With the graph's supply-dominator
   index (:mod:`igegraph.traverse.supplyindex`), only the dominator chains of the cone's nodes
   instead, plus, where an action removes several supply nodes at once, what lies downstream
   of them (:func:`_indexed_supply`, :func:`_joint_removals`): the ancestry can be a large part
   of a big graph, the chains are short;
4. **effects**: the broader types (``ige:subtypeOf``) of those nodes, the forms of them
   (``ige:formOf``) and the interactions on cone hops: an action on any of these touches a route;
5. **actions**: the negative causal relations on those that can block a route alone (on a
   cone node or hop, or on a supply node whose loss starves one: see :func:`_effective`), or
   on all of them with ``every_action`` (cut sets combine actions), and every action of the
   ``items`` (what ``knockout`` applies);
6. **details**: types, labels, synonyms, identifiers, definitions and development phases of
   the nodes shown or tested (of the agents of actions: types, labels and phases), the reified
   ``ige:Assertion`` of every cone edge and action with its references and evidence level.

The result is an rdflib Graph that the usual projection and traversals run on unchanged; their
answers equal those on the whole graph (``tests/test_fetch.py`` checks it pathway by pathway).

Cost: one query per BFS level per :data:`BATCH` IRIs of its frontier (each in one VALUES
block), plus six per ``BATCH`` of the nodes kept, plus three; rows in proportion to the explored
frontiers, the cone's supply ancestry (or, with the index, its dominator chains) and the actions
on them, never the rest of the store. The supply ancestry is part of the answer (an action
upstream starves a route) and can be much larger than the cone when dependency relations form
one big component: what the index is for.

Examples
--------
>>> import igegraph
>>> from igegraph.vocab import IG
>>> kg = igegraph.load()
>>> stats = FetchStats()
>>> g = fetch_cone(graph_select(kg.graph), [IG.allergen], [IG.mast_cell_degranulation], max_length=8, stats=stats)
>>> stats.cone_nodes, len(g) == stats.triples < len(kg) // 2
(8, True)
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from rdflib.namespace import RDF, RDFS, SKOS

from ..bulk import gc_paused
from ..errors import IgegraphError
from ..recent import Recent
from ..vocab import IGE, compact, expand_curie
from .cone import KEPT_CONES, _bounded_bfs

if TYPE_CHECKING:
    import rdflib
    from rdflib.term import Identifier

    from ..backends.local import QuadWriter
    from ..kg import KnowledgeGraph
    from .supplyindex import SupplyFacts

__all__ = ["fetch_cone", "FetchStats", "Select", "graph_select", "cone_graph", "is_entity", "store_select", "BATCH"]

#: A SPARQL SELECT runner: query text and variable bindings -> rows of rdflib terms.
Select = Callable[[str, Mapping[str, "Identifier"]], list[tuple]]

#: Most IRIs in one VALUES block (one request).
BATCH = 400

_PREFIXES = """PREFIX ige: <https://w3id.org/igegraph/vocab#>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
"""

# IRIREF of the SPARQL grammar: what may stand between < and > in a VALUES block
_IRI = re.compile(r'[^<>"{}|^`\\\x00-\x20]+')

# the few subjects first, in a subquery: joined the other way round, Oxigraph scans every
# triple (about a second per million)
_PROPERTIES = _PREFIXES + """SELECT ?p ?q ?v WHERE {
  { SELECT DISTINCT ?p WHERE { ?p ige:polarity ?pol } }
  ?p ?q ?v . FILTER(?q IN (ige:polarity, ige:causal, ige:dependency, ige:abolishes, rdfs:label))
}"""

_CLASSES = _PREFIXES + """SELECT ?c ?q ?v WHERE {
  { SELECT DISTINCT ?c WHERE { ?c rdfs:subClassOf* ige:Entity } }
  ?c ?q ?v . FILTER(?q IN (rdfs:subClassOf, rdfs:label))
}"""

# the subjects first and each once (a reference of several steps is not read again for each):
# Virtuoso 7.2 spends half the time on it
_PATHWAYS = _PREFIXES + """SELECT ?s ?q ?v WHERE {
  { SELECT DISTINCT ?s WHERE { { ?s a ige:Pathway } UNION { ?p a ige:Pathway ; ige:hasStep ?s }
                               UNION { ?p a ige:Pathway ; ige:hasStep/ige:reference ?s } } }
  ?s ?q ?v .
}"""



def _one_of(preds: Iterable[str], s: str = "?s", p: str = "?p", o: str = "?o") -> str:
    """A graph pattern matching ``s p o`` for each of ``preds`` (SPARQL terms): a UNION of one
    pattern per predicate, each binding ``p``. Stores answer it from their index on the
    predicate; ``?s ?p ?o FILTER(?p IN (…))`` reads every triple of each node first, which on
    a node with thousands of other edges costs 50 times more (Oxigraph server, 10M triples)."""
    return " UNION ".join(f"{{ {s} {q} {o} BIND({q} AS {p}) }}" for q in preds)


# one VALUES block per query, the rest as patterns and FILTERs: engines join two VALUES blocks slowly
_FORWARD = _PREFIXES + """SELECT ?s ?p ?o WHERE {{
  VALUES ?s {{ {nodes} }} {preds} FILTER(isIRI(?o))
}}"""
_BACKWARD = _PREFIXES + """SELECT ?s ?p ?o WHERE {{
  VALUES ?o {{ {nodes} }} {preds} FILTER(isIRI(?s))
}}"""
_PAIRS = _PREFIXES + """SELECT ?i ?s ?o WHERE {{
  VALUES (?s ?o) {{ {pairs} }}
  ?i ige:interactionSubject ?s ; ige:interactionObject ?o .
}}"""
# what is shown or tested of a node, and of what its details point at
_OUT = _PREFIXES + "SELECT ?s ?p ?o WHERE {{ VALUES ?s {{ {nodes} }} {preds} }}"
_DETAILED = (RDF.type, RDFS.label, SKOS.altLabel, SKOS.exactMatch, SKOS.closeMatch, SKOS.definition,
             IGE.developmentPhase, IGE.interactionSubject, IGE.interactionObject, IGE.formOf, IGE.subtypeOf)
_AGENT = (RDF.type, RDFS.label, IGE.developmentPhase)
_LABELLED = (RDFS.label, IGE.rank, IGE.referenceNumber)
_UNLABELLED = {RDF.type, SKOS.exactMatch, SKOS.closeMatch}
_CLAIMS = _PREFIXES + """SELECT ?a ?s ?p ?o WHERE {{
  VALUES ?o {{ {nodes} }} ?a rdf:object ?o ; rdf:subject ?s ; rdf:predicate ?p .
}}"""
_ABOUT = _PREFIXES + "SELECT ?a ?q ?v WHERE {{ VALUES ?a {{ {nodes} }} ?a ?q ?v }}"
# the supply-dominator index (read with its named graph as the default graph)
_LOOPS = _PREFIXES + "SELECT ?v WHERE {{ VALUES ?v {{ {nodes} }} ?v ige:supplyRootLoop ?x }}"
_IDOM = _PREFIXES + "SELECT ?v ?d WHERE {{ VALUES ?v {{ {nodes} }} ?v ige:supplyDominator ?d }}"
# what an action can remove several nodes of at once: a form of a molecule, a type with subtypes
_GROUPS = _PREFIXES + """SELECT DISTINCT ?o WHERE {{
  {{ ?o ige:formOf ?m }} UNION {{ ?c ige:subtypeOf ?o }}
  FILTER EXISTS {{ {preds} }}
}}"""
_SUPPLYING = _PREFIXES + """SELECT ?s WHERE {{
  VALUES ?s {{ {nodes} }} FILTER EXISTS {{ {preds} }}
}}"""
# dependency edges into a set of nodes: those from inside it, and one supplier from outside
_INSIDE = _PREFIXES + """SELECT ?s ?p ?o WHERE {{
  VALUES ?o {{ {nodes} }} {preds} FILTER(?s IN ({inside}))
}}"""
_FED = _PREFIXES + """SELECT ?o ?p (SAMPLE(?s) AS ?x) WHERE {{
  VALUES ?o {{ {nodes} }} {preds} FILTER(isIRI(?s) && ?s NOT IN ({inside}))
}} GROUP BY ?o ?p"""
_IS_ENTITY = _PREFIXES + "ASK { ?s a ?c . ?c rdfs:subClassOf* ige:Entity }"


@dataclass
class FetchStats:
    """What one :func:`fetch_cone` cost.

    Attributes
    ----------
    requests : int
        SELECT queries sent.
    rows : int
        Rows received (each is one triple or one (interaction, subject, object) link).
    triples : int
        Distinct triples in the fetched graph.
    cone_nodes : int
        Nodes of the cone (on some route of at most ``max_length`` hops).
    cone_edges : int
        Edges of the cone (its hops, by each causal property).
    actions : int
        Actions fetched (negative causal relations on the cone, its supply or the items): with
        ``cone_nodes`` and ``cone_edges``, the size of what the answer is about.
    explored : int
        Nodes reached by the forward and backward searches.
    seconds : float
        Wall time of the fetch.
    indexed : bool
        Whether the supply-dominator index stood in for the cone's supply ancestry.
    """

    requests: int = 0
    rows: int = 0
    triples: int = 0
    cone_nodes: int = 0
    cone_edges: int = 0
    actions: int = 0
    explored: int = 0
    seconds: float = 0.0
    indexed: bool = False


def graph_select(graph: "rdflib.Graph") -> Select:
    """A :data:`Select` over an rdflib Graph (Memory or Oxigraph store): SELECT rows as tuples,
    an ASK as ``[(True,)]`` or ``[]``."""

    from ..backends.local import graph_query

    def select(query: str, bindings: Mapping[str, "Identifier"]) -> list[tuple]:
        result = graph_query(graph, query, bindings)
        if result.type == "ASK":
            return [(True,)] if result.askAnswer else []
        return [tuple(row) for row in result]  # type: ignore[arg-type]

    return select


def store_select(store: Any, default_graph: str | None = None) -> Select:
    """A :data:`Select` straight over a pyoxigraph Store (an embedded or persistent store),
    several times faster than through rdflib: terms are converted as oxrdflib converts them,
    each distinct term once (:class:`~igegraph.backends.local.TermReader`). With
    ``default_graph``, that named graph is the query's default graph."""
    import pyoxigraph as ox

    from ..backends.local import TermReader, ox_term

    read = TermReader()
    graph = ox.NamedNode(default_graph) if default_graph else None

    def select(query: str, bindings: Mapping[str, "Identifier"]) -> list[tuple]:
        given = {ox.Variable(k): ox_term(v) for k, v in bindings.items()}
        result = store.query(query, substitutions=given, default_graph=graph)
        if isinstance(result, ox.QueryBoolean):
            return [(True,)] if bool(result) else []
        return [tuple(map(read, row)) for row in result]

    return select


def _iri(term: Any) -> str:
    """An IRI as a SPARQL term, refused when it could break out of ``<...>``."""
    text = str(term)
    if not _IRI.fullmatch(text):
        raise IgegraphError(f"not a usable IRI: {text[:80]!r}")
    return f"<{text}>"


def _batches(items: Iterable[Any]) -> Iterable[list[Any]]:
    ordered = sorted(items, key=str)
    for i in range(0, len(ordered), BATCH):
        yield ordered[i: i + BATCH]


#: Most rows an :class:`_Answers` keeps (the answers asked longest ago are dropped first).
ANSWER_ROWS = 200_000


class _Answers:
    """The rows of the queries earlier fetches of one graph sent, by query text (at most
    :data:`ANSWER_ROWS` rows, the oldest dropped first): the cones of one pair of ends for
    ``blocks``, ``knockout`` (one per set of items) and ``cutsets`` ask most of the same
    queries (the breadth-first levels, the supply, the details of the same nodes), and a
    traversal run again asks all of them. Kept as long as the graph's cones
    (:func:`~igegraph.traverse.views.scope`), and dropped with them."""

    def __init__(self, limit: int = ANSWER_ROWS) -> None:
        import threading

        self.limit = limit
        self.rows: dict[str, list[tuple]] = {}  # in the order asked: the first is the oldest
        self.kept = 0
        self.lock = threading.Lock()  # a server's threads may fetch cones of one graph at once

    def get(self, query: str) -> list[tuple] | None:
        """The rows of ``query`` if kept (never to be changed in place), else None."""
        return self.rows.get(query)

    def put(self, query: str, rows: list[tuple]) -> None:
        """Keep the rows of ``query``, dropping the oldest answers past the limit."""
        with self.lock:
            if query in self.rows or len(rows) > self.limit:
                return
            self.rows[query] = rows
            self.kept += len(rows)
            while self.kept > self.limit:
                self.kept -= len(self.rows.pop(next(iter(self.rows))))


class _Fetcher:
    """Runs the queries (the batches of one step ``parallel`` at a time), keeps every triple
    received and counts the cost; with ``answers``, a query asked by an earlier fetch of the
    same graph is answered from there (not sent, not counted)."""

    def __init__(self, select: Select, stats: FetchStats | None = None, parallel: int = 1,
                 known: dict[str, list[tuple]] | None = None, answers: _Answers | None = None) -> None:
        self.select = select
        self.triples: set[tuple] = set()
        self.stats = FetchStats() if stats is None else stats
        self.parallel = parallel
        self.known = known
        self.answers = answers

    def rows(self, query: str, bindings: Mapping[str, "Identifier"] | None = None) -> list[tuple]:
        return self.many([query], bindings)

    def vocabulary(self, query: str) -> list[tuple]:
        """The rows of a query of the graph's vocabulary (step 1): from ``known`` when an
        earlier fetch of the same graph asked it (not sent again, not counted), else sent."""
        if self.known is None:
            return self.rows(query)
        if query not in self.known:
            self.known[query] = self.rows(query)
        return self.known[query]

    def many(self, queries: list[str], bindings: Mapping[str, "Identifier"] | None = None) -> list[tuple]:
        """The rows of all ``queries``, in their order."""
        given = bindings or {}
        kept = self.answers if not given else None
        answers = [None if kept is None else kept.get(query) for query in queries]
        asked = [query for query, known in zip(queries, answers, strict=True) if known is None]
        if self.parallel > 1 and len(asked) > 1:
            from concurrent.futures import ThreadPoolExecutor

            with ThreadPoolExecutor(min(self.parallel, len(asked))) as pool:
                sent = list(pool.map(lambda query: self.select(query, given), asked))
        else:
            sent = [self.select(query, given) for query in asked]
        for query, rows in zip(asked, sent, strict=True):
            self.stats.requests += 1
            self.stats.rows += len(rows)
            if kept is not None:
                kept.put(query, rows)
        fresh = iter(sent)
        out: list[tuple] = []
        for known in answers:
            out += next(fresh) if known is None else known
        return out

    def keep(self, rows: Iterable[tuple]) -> None:
        self.triples.update(r for r in rows if all(t is not None for t in r))  # `in` would call rdflib's ==

    def edges(self, template: str, preds: Iterable[Any], nodes: Iterable[Any]) -> list[tuple]:
        """(s, p, o) rows of ``preds`` out of (forward) or into (backward) ``nodes``."""
        pattern = _one_of(_iri(p) for p in sorted(preds, key=str))
        return self.per_node(template, nodes, preds=pattern) if pattern else []

    def per_node(self, template: str, nodes: Iterable[Any], **fields: str) -> list[tuple]:
        return self.many([template.format(nodes=" ".join(_iri(n) for n in batch), **fields)
                          for batch in _batches(nodes)])


def _closure(fetch: _Fetcher, template: str, preds: set, start: set, backward: bool) -> tuple[set, list[tuple]]:
    """Everything reachable from ``start`` over ``preds`` (backward: into it), and the edges."""
    seen, frontier, edges = set(start), set(start), []
    while frontier:
        rows = fetch.edges(template, preds, frontier)
        edges += rows
        frontier = {(s if backward else o) for s, _p, o in rows} - seen
        seen |= frontier
    return seen, edges


def fetch_cone(
    select: Select,
    sources: Sequence["rdflib.URIRef"],
    targets: Sequence["rdflib.URIRef"],
    *,
    max_length: int,
    items: Sequence["rdflib.URIRef"] = (),
    every_action: bool = False,
    stats: FetchStats | None = None,
    index: Select | None = None,
    parallel: int = 1,
    known: dict[str, list[tuple]] | None = None,
) -> "rdflib.Graph":
    """The subgraph that routes of at most ``max_length`` hops from ``sources`` to ``targets``
    need, fetched through ``select``.

    Parameters
    ----------
    select : Select
        Runs one SPARQL 1.1 SELECT (or ASK) with variable bindings; returns rows of rdflib terms.
    sources, targets : sequence of URIRef
        The ends of the routes (every pair is covered).
    max_length : int
        Longest route, in hops.
    items : sequence of URIRef
        Entities or interventions to knock out: their own actions are fetched too.
    every_action : bool
        Fetch every action on the cone and its supply (what cut sets combine). Otherwise only
        the actions that can block a route on their own: on a cone node or hop, or on a node
        whose removal starves one (a dominator of a cone node in the supply graph).
    stats : FetchStats, optional
        Filled with the requests, rows and triples this fetch cost.
    index : Select, optional
        Reads the graph's supply-dominator index (:mod:`igegraph.traverse.supplyindex`): the
        dominator chains of the cone's nodes are fetched instead of their whole supply
        ancestry, when that is exact (no ``items``, no ``every_action``, no cone node in a
        root loop; see :func:`_indexed_supply`).
    parallel : int
        How many batched queries of one step ``select`` may run at once (threads): more than
        one helps with a SPARQL server, whose work then overlaps the reading of answers.
    known : dict, optional
        The answers of step 1 (the relation properties, entity classes and named pathways) by
        query, filled by the first fetch and read by the next ones: give the same dict to the
        fetches of one graph (:func:`cone_graph` keeps one per KnowledgeGraph) so that these
        three queries, the costliest of a small cone on a SPARQL server, are sent once.

    Returns
    -------
    rdflib.Graph
        An in-memory graph (over an in-memory Oxigraph store); :func:`cone_graph` wraps it in a
        KnowledgeGraph.

    Examples
    --------
    >>> import igegraph
    >>> from igegraph.vocab import IG, IGE
    >>> kg = igegraph.load()
    >>> g = fetch_cone(graph_select(kg.graph), [IG.allergen], [IG.histamine], max_length=8)
    >>> (IG.omalizumab, IGE.neutralizes, IG.free_IgE) in g
    True
    """
    return _fetch(select, sources, targets, max_length=max_length, items=items, every_action=every_action,
                  stats=stats, index=index, parallel=parallel, known=known)[0]


@gc_paused
def _fetch(select: Select, sources: Sequence[Any], targets: Sequence[Any], *, max_length: int,
           items: Sequence[Any], every_action: bool, stats: FetchStats | None,
           index: Select | None, parallel: int = 1,
           known: dict[str, list[tuple]] | None = None,
           answers: _Answers | None = None,
           writer: "QuadWriter | None" = None,
           graphs: Recent[frozenset, "rdflib.Graph"] | None = None) -> tuple["rdflib.Graph", "SupplyFacts | None"]:
    """:func:`fetch_cone`, and the :class:`~igegraph.traverse.supplyindex.SupplyFacts` of a
    fetch that used the index (None when it fetched the whole supply ancestry). ``answers``
    answers the queries earlier fetches of the graph sent; ``writer`` makes the graph's quads
    (:func:`~igegraph.backends.local.graph_of`), as it made those of earlier fetches; with
    ``graphs`` (triples -> graph, kept here), a fetch of the very triples an earlier one
    fetched returns the graph made then (the same object)."""
    import rdflib

    started = time.perf_counter()
    if max_length < 1:
        raise IgegraphError(f"max length must be at least 1, not {max_length}")
    fetch = _Fetcher(select, parallel=parallel, known=known, answers=answers)
    sources = [rdflib.URIRef(_iri(s)[1:-1]) for s in sources]
    targets = [rdflib.URIRef(_iri(t)[1:-1]) for t in targets]
    items = [rdflib.URIRef(_iri(i)[1:-1]) for i in items]

    # 1. vocabulary
    props = fetch.vocabulary(_PROPERTIES)
    fetch.keep(props)
    activating, dependency, negative = _relation_sets(props)
    fetch.keep(fetch.vocabulary(_CLASSES))
    fetch.keep(fetch.vocabulary(_PATHWAYS))

    # 2. the cone: bidirectional levels, the smaller frontier first
    succ: dict[Any, set] = {}
    pred: dict[Any, set] = {}
    found: dict[tuple, None] = {}
    fwd_seen, bwd_seen = set(sources), set(targets)
    fwd, bwd = set(sources), set(targets)
    depth_f = depth_b = 0

    def shortest() -> int | None:
        """The longest of the pairs' shortest routes found so far; None while a pair has none."""
        longest = 0
        for s in sources:
            reached = _bounded_bfs(lambda u: succ.get(u, ()), s, depth_f + depth_b, stop=s)
            for t in targets:
                if t != s:
                    if t not in reached:
                        return None
                    longest = max(longest, reached[t])
        return longest

    while fwd and bwd:
        if depth_f + depth_b >= max_length:
            # every walk of at most depth_f + depth_b hops is here: stop once a route is
            # (or the shortest one is, when none fits in max_length)
            best = shortest()
            if best is not None and best <= depth_f + depth_b:
                break
        forward = len(fwd) <= len(bwd)
        rows = fetch.edges(_FORWARD if forward else _BACKWARD, activating, fwd if forward else bwd)
        for s, p, o in rows:
            found[(s, p, o)] = None
            succ.setdefault(s, set()).add(o)
            pred.setdefault(o, set()).add(s)
        if forward:
            fwd = {o for _s, _p, o in rows} - fwd_seen
            fwd_seen |= fwd
            depth_f += 1
        else:
            bwd = {s for s, _p, _o in rows} - bwd_seen
            bwd_seen |= bwd
            depth_b += 1
    fetch.stats.explored = len(fwd_seen | bwd_seen)

    cone: set = set()
    routed = True
    for s in sources:
        for t in targets:
            if s == t:
                continue
            ds = _bounded_bfs(lambda u: succ.get(u, ()), s, max_length, stop=t)
            dt = _bounded_bfs(lambda u: pred.get(u, ()), t, max_length, stop=s, within=ds) if t in ds else {}
            nodes = {v for v in dt if ds[v] + dt[v] <= max_length}
            routed = routed and bool(nodes)
            cone |= nodes
    fetch.stats.cone_nodes = len(cone)
    # without a route the "no route" message needs the shortest one: keep what was explored
    kept = [e for e in found if routed is False or (e[0] in cone and e[2] in cone)]
    fetch.keep(kept)
    fetch.stats.cone_edges = len(kept) if routed else 0
    endpoints = {e[0] for e in kept} | {e[2] for e in kept} | set(sources) | set(targets)

    cone_hops = {(s, o) for s, _p, o in kept}
    interactions: set = set()
    for batch in _batches(cone_hops):
        pairs = " ".join(f"({_iri(s)} {_iri(o)})" for s, o in batch)
        interactions |= {i for i, _s, _o in fetch.rows(_PAIRS.format(pairs=pairs))}

    indexed = None
    if index is not None and not items and not every_action:
        indexed = _indexed_supply(fetch, _Fetcher(index, fetch.stats, parallel), cone, dependency, negative)
    fetch.stats.indexed = indexed is not None
    region: set = set()
    broader: set = set()
    if indexed is not None:
        forms = indexed[0]
    else:
        # 3. supply: dependency edges into the cone, to their roots
        region, supply_edges = _closure(fetch, _BACKWARD, dependency, cone, backward=True)
        fetch.keep(supply_edges)

        # 4. what an action may act on to touch the region: broader types, then forms of those
        broader, subtype_edges = _closure(fetch, _FORWARD, {IGE.subtypeOf}, region, backward=False)
        forms, form_edges = _closure(fetch, _BACKWARD, {IGE.formOf}, broader, backward=True)
        fetch.keep(subtype_edges + form_edges)
        if not every_action:
            forms = _effective(forms, cone, region, supply_edges, subtype_edges, form_edges)

    # 5. actions on them, and every action of the items
    actions = fetch.edges(_BACKWARD, negative, forms | interactions)
    actions += fetch.edges(_FORWARD, negative, items)
    fetch.keep(actions)
    fetch.stats.actions = len(set(actions))

    # 6. details of the nodes shown or tested, the assertions of the cone's edges and the actions
    nodes = endpoints | forms | interactions | set(items) | (region | broader if every_action else set())
    nodes |= {o for _s, _p, o in actions}
    # an agent is shown by its label, class and phase: thousands of them act on a busy route
    agents = {s for s, _p, _o in actions} - nodes
    details = fetch.edges(_OUT, _DETAILED, nodes) + fetch.edges(_OUT, _AGENT, agents)
    nodes |= agents
    fetch.keep(details)
    edges = set(kept) | set(actions)
    named = {a for a, s, p, o in fetch.per_node(_CLAIMS, {o for _s, _p, o in edges}) if (s, p, o) in edges}
    claims = fetch.per_node(_ABOUT, named)
    fetch.keep(claims)
    context = IGE.cellContext
    cells = {v for _a, q, v in claims if q == context and isinstance(v, rdflib.URIRef)}
    fetch.keep(fetch.edges(_OUT, _DETAILED, cells - nodes))
    # labels of what the details and claims point at: phases, levels, references (classes came
    # with the vocabulary; identifiers in other namespaces are shown as they are)
    pointed = {v for _s, q, v in details + claims if isinstance(v, rdflib.URIRef) and q not in _UNLABELLED}
    fetch.keep(fetch.edges(_OUT, _LABELLED, pointed - nodes - cells))

    from ..backends.local import graph_of

    facts = None
    if indexed is not None:
        facts = _joint_removals(fetch, dependency, actions, cone, indexed[1])
    content = frozenset(fetch.triples)  # from the set: its hashes are not computed again
    graph = graphs.get(content) if graphs is not None else None
    if graph is None:
        graph = graph_of(content, writer)
        if graphs is not None:
            graphs.put(content, graph)
    fetch.stats.triples = len(graph)
    fetch.stats.seconds = time.perf_counter() - started
    if stats is not None:
        stats.__dict__.update(fetch.stats.__dict__)
    return graph, facts


def _indexed_supply(fetch: _Fetcher, index: _Fetcher, cone: set, dependency: set,
                    negative: set) -> tuple[set, dict] | None:
    """Steps 3 and 4 with the supply-dominator index: the forms an action may act on to block a
    route, and the dominator chain of every cone node; None when the index cannot stand in for
    the ancestry (a cone node is a member of a root loop, which another member's loss starves).

    An action blocks through the supply alone when its effect holds a dominator of a cone node
    (its loss alone starves that node), or several supply nodes whose loss together starves one
    (a cell type and its subtypes): those are found from the entities whose effect has several
    nodes, and kept when a cone node is downstream of them.
    """
    from .supplyindex import chain

    if not cone or index.per_node(_LOOPS, cone):
        return None
    idom: dict = {}
    asked, frontier = set(cone), set(cone)
    while frontier:
        rows = index.per_node(_IDOM, frontier)
        idom.update(rows)
        frontier = {d for _v, d in rows} - asked
        asked |= frontier
    chains = {v: chain(idom, v) for v in cone}
    near = cone | {d for found in chains.values() for d in found}
    broader, subtype_edges = _closure(fetch, _FORWARD, {IGE.subtypeOf}, near, backward=False)
    forms, form_edges = _closure(fetch, _BACKWARD, {IGE.formOf}, broader, backward=True)
    fetch.keep(subtype_edges + form_edges)
    groups: set = set()
    if negative and dependency:
        acted = _one_of((_iri(p) for p in sorted(negative, key=str)), s="?a")
        groups = {o for (o,) in fetch.rows(_GROUPS.format(preds=acted))} - forms
    # every node an action on these removes (what they are forms of, and the narrower types of
    # those), so that the effects computed on the fetched graph are the whole graph's
    _up, up_edges = _closure(fetch, _FORWARD, {IGE.formOf}, forms | groups, backward=False)
    _down, down_edges = _closure(fetch, _BACKWARD, {IGE.subtypeOf}, _up, backward=True)
    fetch.keep(up_edges + down_edges)
    if groups:
        effects = _effects(groups, up_edges, down_edges)
        supplying = _supplying(fetch, dependency, set().union(*effects.values()))
        for o, members in effects.items():
            both = members & supplying
            if len(both) > 1 and _closure(fetch, _FORWARD, dependency, both, backward=False)[0] & cone:
                forms.add(o)
    return forms, chains


def _effects(entities: Iterable[Any], form_edges: Iterable[tuple], subtype_edges: Iterable[tuple]) -> dict:
    """Entity -> the nodes an action on it removes, as :func:`~igegraph.traverse.views.effect_of`
    finds them: the entity, what it is a form of, and their narrower types."""
    from ..project import closure

    parents: dict = {}
    for s, _p, o in form_edges:
        parents.setdefault(s, []).append(o)
    children: dict = {}
    for s, _p, o in subtype_edges:
        children.setdefault(o, []).append(s)
    return {e: closure(children, closure(parents, [e])) for e in entities}


def _supplying(fetch: _Fetcher, dependency: set, nodes: set) -> set:
    """Those of ``nodes`` that supply something (have an outgoing dependency edge)."""
    return {s for (s,) in fetch.edges(_SUPPLYING, dependency, nodes)} if nodes else set()


def _joint_removals(fetch: _Fetcher, dependency: set, actions: list[tuple], cone: set,
                    chains: dict) -> "SupplyFacts":
    """The :class:`~igegraph.traverse.supplyindex.SupplyFacts` of a fetch with the index.

    ``blocks`` removes each action's effect, and each agent's abolishing actions together.
    Where such a removal holds two or more supply nodes, the dominators do not decide what it
    starves: the dependency edges among everything downstream of those nodes (usually a few
    curated cells and molecules), and into each of them one supplier from outside per property
    (:func:`_supply_into`), are fetched, on which the fetched graph decides it exactly.
    """
    from .supplyindex import SupplyFacts

    form_of, subtype_of = IGE.formOf, IGE.subtypeOf  # a Namespace attribute makes a new IRI each time
    effects = _effects({o for _a, _p, o in actions}, [t for t in fetch.triples if t[1] == form_of],
                       [t for t in fetch.triples if t[1] == subtype_of])
    removals: list[set] = []
    by_agent: dict = {}
    for agent, _p, o in actions:
        nodes = effects[o]
        removals.append(nodes)
        by_agent.setdefault(agent, set()).update(nodes)
    removals += by_agent.values()
    supplying = _supplying(fetch, dependency, set().union(*removals))
    joint: set = set()
    for nodes in removals:
        if len(nodes & supplying) > 1:
            joint |= nodes & supplying
    covered = _closure(fetch, _FORWARD, dependency, joint, backward=False)[0] if joint else set()
    fetch.keep(_supply_into(fetch, dependency, covered))
    return SupplyFacts(chains={compact(v): frozenset(compact(d) for d in found) for v, found in chains.items()},
                       sources=frozenset(compact(v) for v in supplying),
                       covered=frozenset(compact(v) for v in covered))


def _supply_into(fetch: _Fetcher, dependency: set, covered: set) -> list[tuple]:
    """The dependency edges into ``covered`` that decide a joint removal
    (:meth:`~igegraph.traverse.cone.Cone.dead`): every edge from inside it, and from outside one
    per node and property. A supplier outside is downstream of no removed node, so it lives,
    and one stands for all (at 10M triples, a curated mediator has thousands)."""
    if not covered or not dependency:
        return []
    if len(covered) > BATCH:  # too many to name in every query: all the edges
        return fetch.edges(_BACKWARD, dependency, covered)
    preds = _one_of(_iri(p) for p in sorted(dependency, key=str))
    inside = ", ".join(_iri(v) for v in sorted(covered, key=str))
    rows = fetch.per_node(_INSIDE, covered, preds=preds, inside=inside)
    return rows + [(x, p, o) for o, p, x in fetch.per_node(_FED, covered, preds=preds, inside=inside)]


def _relation_sets(props: Iterable[tuple]) -> tuple[set, set, set]:
    """The activating, dependency and negative causal properties, from (property, flag, value)
    rows of :data:`_PROPERTIES` (read as :mod:`igegraph.project` reads them)."""
    flags: dict[Any, dict] = {}
    for p, q, v in props:
        flags.setdefault(p, {})[compact(q)] = v
    activating, dependency, negative = set(), set(), set()
    for p, f in flags.items():
        try:
            polarity = int(f["ige:polarity"])
        except (KeyError, TypeError, ValueError):
            continue
        causal = bool(f["ige:causal"].toPython()) if "ige:causal" in f else polarity != 0
        if causal and polarity > 0:
            activating.add(p)
            if "ige:dependency" in f and bool(f["ige:dependency"].toPython()):
                dependency.add(p)
        elif causal and polarity < 0:
            negative.add(p)
    return activating, dependency, negative


def relation_flags(select: Select) -> tuple[set, set, set]:
    """The activating, dependency and negative causal properties of the graph ``select`` reads."""
    return _relation_sets(select(_PROPERTIES, {}))


def _effective(forms: set, cone: set, region: set, supply_edges: list[tuple], subtype_edges: list[tuple],
               form_edges: list[tuple]) -> set:
    """The forms an action can block a route through on its own: its effect (the entity, what
    it is a form of and their narrower types, as :func:`~igegraph.traverse.views.effect_of`)
    holds a cone node, or a supply node whose loss alone starves a cone node (it dominates the
    node from the supply roots, or sits in a root loop), or several supply nodes at once."""
    from .supplyindex import chain, dominators

    idom, critical = dominators((s, o) for s, _p, o in supply_edges)  # root loops are critical
    for v in cone:
        critical.update(chain(idom, v))
    critical -= cone
    out = set()
    for o, nodes in _effects(forms, form_edges, subtype_edges).items():
        hit = nodes & region
        if hit & cone or hit & critical or len(hit) > 1:
            out.add(o)
    return out


def is_entity(select: Select, term: str) -> str | None:
    """The compact id of a CURIE or IRI when the store types it as an entity, else None (a
    look-up that needs no projection)."""
    from rdflib import URIRef

    iri = expand_curie(term)
    if iri is None or not _IRI.fullmatch(iri):
        return None
    return compact(URIRef(iri)) if select(_IS_ENTITY, {"s": URIRef(iri)}) else None


def cone_graph(kg: "KnowledgeGraph", sources: Sequence[str], targets: Sequence[str], max_length: int,
               items: Sequence[str] = (), every_action: bool = False,
               stats: FetchStats | None = None, index: Select | None = None) -> "KnowledgeGraph":
    """A small KnowledgeGraph over the cone of ``kg`` between ``sources`` and ``targets``
    (compact ids), on which the traversals give the same answers as on ``kg`` (``cutsets`` needs
    ``every_action``).

    >>> import igegraph
    >>> kg = igegraph.load()
    >>> small = cone_graph(kg, ["ig:allergen"], ["ig:mast_cell_degranulation"], 8)
    >>> from igegraph.traverse import blocks
    >>> blocks(small, "ig:allergen", "ig:mast_cell_degranulation").to_dict() == \\
    ...     blocks(kg, "ig:allergen", "ig:mast_cell_degranulation").to_dict()
    True
    """
    from ..backends.local import QuadWriter
    from ..kg import KnowledgeGraph
    from .supplyindex import FACTS
    from .views import FETCH_ANSWERS, FETCHED

    # the cones of several traversals often hold the same triples (blocks and a knockout of
    # one of its blockers, a pair at two length limits): one graph and one KnowledgeGraph for
    # all, whose projection, views and cones are then built once. The KEPT_CONES made last are
    # kept (a server's cones of an endpoint graph would otherwise pile up), and they are
    # dropped with the cones when the supply index is found stale.
    graphs: Recent[frozenset, rdflib.Graph] = kg.derived(FETCHED, lambda: Recent(KEPT_CONES))
    graph, facts = _fetch(kg.select, [kg.iri(s) for s in sources], [kg.iri(t) for t in targets],
                          max_length=max_length, items=[kg.iri(i) for i in items], every_action=every_action,
                          stats=stats, index=index, parallel=kg.parallel_queries,
                          # read once per graph, as an endpoint graph's vocabulary and cones are
                          known=kg.derived("traverse.fetch.vocabulary", dict),
                          answers=kg.derived(FETCH_ANSWERS, _Answers),
                          writer=kg.derived("traverse.fetch.writer", QuadWriter), graphs=graphs)
    # graph id -> the graph and its KnowledgeGraph (the graph itself is compared: an id is
    # given again once its graph is gone)
    made: Recent[int, tuple[rdflib.Graph, KnowledgeGraph]] = kg.derived(f"{FETCHED}.kg", lambda: Recent(KEPT_CONES))
    known = made.get(id(graph))
    small = known[1] if known is not None and known[0] is graph else None
    if small is None or small.derived(FACTS, lambda: None) != facts:
        small = KnowledgeGraph(graph, "oxigraph", list(kg.sources))
        if facts is not None:  # the cone's Cone reads its supply from these, not from a partial graph
            small.derived(FACTS, lambda: facts)
        made.put(id(graph), (graph, small))
    return small
