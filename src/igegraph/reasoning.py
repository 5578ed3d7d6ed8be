"""Optional RDFS entailment: answer ``?d a ige:Drug`` with every drug, not only those typed so.

Queries see the graph as it is stored by default: ``?d a ige:Drug`` finds the one entity typed
``ige:Drug`` itself (and "anti-IgE therapy", the class of therapies), not the monoclonal antibodies,
biosimilars and other subclasses (write ``?d a/rdfs:subClassOf* ige:Drug`` for those). With
``reasoning="rdfs"`` (``--reasoning rdfs``) the query runs on the graph plus what the RDFS rules entail:

* rdfs5 / rdfs11: ``rdfs:subPropertyOf`` and ``rdfs:subClassOf`` are transitive;
* rdfs7: a triple with a sub-property also holds with each super-property;
* rdfs2 / rdfs3: the subject of a property with an ``rdfs:domain`` (the object, for
  ``rdfs:range``) is an instance of that class;
* rdfs9: an instance of a class is an instance of each super-class.

The axiomatic triples, ``rdfs:Resource`` typing and reflexive sub-class triples are left out
(they answer nothing useful and would swell every result). No OWL reasoning is done. The
entailed graph is computed once per graph (milliseconds for the curated graph) and dropped
when the graph changes.

Examples
--------
>>> import igegraph
>>> kg = igegraph.load()
>>> len(kg.query("SELECT ?d WHERE { ?d a ige:Drug }").rows)
2
>>> len(kg.query("SELECT ?d WHERE { ?d a ige:Drug }", reasoning="rdfs").rows)
17
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .kg import KnowledgeGraph

__all__ = ["REASONING", "entailed", "rdfs_entailments"]

#: Values of ``reasoning`` / ``--reasoning``.
REASONING = ("none", "rdfs")


def _ancestors(parents: dict[Any, set[Any]]) -> dict[Any, set[Any]]:
    """Node -> every node reachable by parent links (not itself, unless on a cycle)."""
    from .project import closure

    return {start: closure(parents, firsts) for start, firsts in parents.items()}


def rdfs_entailments(triples: Iterable[tuple[Any, Any, Any]]) -> set[tuple[Any, Any, Any]]:
    """The triples the RDFS rules above add to ``triples`` (those already present excluded).

    >>> from rdflib import Namespace, RDF, RDFS
    >>> ex = Namespace("http://example.org/")
    >>> new = rdfs_entailments([(ex.A, RDFS.subClassOf, ex.B), (ex.B, RDFS.subClassOf, ex.C),
    ...                         (ex.x, RDF.type, ex.A)])
    >>> sorted((s.n3(), o.n3()) for s, p, o in new if p == RDF.type)
    [('<http://example.org/x>', '<http://example.org/B>'), ('<http://example.org/x>', '<http://example.org/C>')]
    """
    from rdflib import RDF, RDFS, Literal

    triples = set(triples)
    sub_class: dict[Any, set[Any]] = defaultdict(set)
    sub_prop: dict[Any, set[Any]] = defaultdict(set)
    domains: dict[Any, set[Any]] = defaultdict(set)
    ranges: dict[Any, set[Any]] = defaultdict(set)
    by_predicate: dict[Any, list[tuple[Any, Any]]] = defaultdict(list)
    for s, p, o in triples:
        by_predicate[p].append((s, o))
        if p == RDFS.subClassOf:
            sub_class[s].add(o)
        elif p == RDFS.subPropertyOf:
            sub_prop[s].add(o)
        elif p == RDFS.domain:
            domains[s].add(o)
        elif p == RDFS.range:
            ranges[s].add(o)
    class_up = _ancestors(sub_class)
    prop_up = _ancestors(sub_prop)
    new: set[tuple[Any, Any, Any]] = set()
    new |= {(c, RDFS.subClassOf, d) for c, ups in class_up.items() for d in ups}
    new |= {(p, RDFS.subPropertyOf, q) for p, ups in prop_up.items() for q in ups}
    for p, ups in prop_up.items():
        for s, o in by_predicate.get(p, ()):
            new |= {(s, q, o) for q in ups}
    types: set[tuple[Any, Any]] = {(s, o) for s, o in by_predicate.get(RDF.type, ())}
    for p in set(by_predicate) | set(prop_up):
        props = {p} | prop_up.get(p, set())
        doms = set().union(*(domains.get(q, set()) for q in props))
        rngs = set().union(*(ranges.get(q, set()) for q in props))
        if doms or rngs:
            for s, o in by_predicate.get(p, ()):
                types |= {(s, c) for c in doms}
                if not isinstance(o, Literal):
                    types |= {(o, c) for c in rngs}
    for x, c in list(types):
        types |= {(x, d) for d in class_up.get(c, ())}
    new |= {(x, RDF.type, c) for x, c in types}
    return new - triples


def entailed(kg: "KnowledgeGraph") -> "KnowledgeGraph":
    """``kg`` plus its RDFS entailments, as a KnowledgeGraph on the same backend (made once).

    >>> import igegraph
    >>> kg = igegraph.load()
    >>> entailed(kg) is entailed(kg), len(entailed(kg)) > len(kg)
    (True, True)
    """
    from .kg import KnowledgeGraph

    if kg.engine.remote:
        from .errors import QueryError

        raise QueryError("RDFS reasoning runs on a graph in this process, not on an endpoint; "
                         "use the store's own reasoning, or write the subclass path (rdfs:subClassOf*) in the query")

    from .backends.local import merge_into

    def build() -> KnowledgeGraph:
        graph = kg.engine.new_graph()
        context = graph  # addN takes quads; the default graph is the rdflib Graph itself
        merge_into(graph, kg.graph)  # store to store (Oxigraph), or Memory's indexes built at once
        graph.addN((s, p, o, context) for s, p, o in rdfs_entailments(kg.graph))
        return KnowledgeGraph(graph, kg.engine, kg.sources)

    return kg.derived("rdfs-entailed", build)
