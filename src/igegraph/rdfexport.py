"""RDF exports: the whole graph or one view, as Turtle, N-Triples, JSON-LD, TriG or N-Quads.

Turtle, N-Triples, TriG and N-Quads are written by Oxigraph's serialisers from the graph's own
terms, so literals keep their exact lexical form on both backends; JSON-LD by rdflib's
(compact, with an inline ``@context`` of the project prefixes, nothing to fetch).

A *view* (pathway, neighbourhood, query result) writes just its part of the graph: its
relations, the ``ige:Assertion`` behind each (rdf:subject/predicate/object, references,
quote, section, evidence) with the references' numbers, and each entity's type, labels,
definition, identifiers and other literal values. Drawing aids of the view are not RDF.

TriG and N-Quads keep provenance in named graphs: each curated claim is in the named graph of
its ``ige:Assertion`` (whose description stays in the default graph), everything else in the
default graph.

Examples
--------
>>> import igegraph
>>> from igegraph.viz import focus_view
>>> kg = igegraph.load()
>>> text = rdf_text(kg, "nquads", focus_view(kg, "omalizumab"))
>>> claim = "<https://w3id.org/igegraph/id/omalizumab> <https://w3id.org/igegraph/vocab#neutralizes>"
>>> [line.split()[-2] for line in text.splitlines() if line.startswith(claim)]
['<https://w3id.org/igegraph/id/a_omalizumab_neutralizes_free_IgE>']
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from .vocab import IGE, PREFIXES

if TYPE_CHECKING:
    from .kg import KnowledgeGraph
    from .viz import View

__all__ = ["RDF_FORMATS", "rdf_text", "rdf_statements", "rdf_quads", "view_triples"]

#: RDF formats; the dataset formats (named graphs) are trig and nquads.
RDF_FORMATS = ("turtle", "ntriples", "jsonld", "trig", "nquads")
_DATASETS = ("trig", "nquads")


def view_triples(kg: "KnowledgeGraph", view: "View", ordered: bool = True) -> list[tuple[Any, Any, Any]]:
    """The triples of a view: its relations with their assertions, and its entities' descriptions
    (sorted unless ``ordered`` is False)."""
    from rdflib import RDF, SKOS, Literal

    from .viz import STEP_EDGE

    described = {RDF.type, SKOS.exactMatch, SKOS.closeMatch}
    graph = kg.graph
    out: set[tuple[Any, Any, Any]] = set()

    def describe(node: Any, everything: bool = False) -> None:
        for p, o in graph.predicate_objects(node):
            if everything or isinstance(o, Literal) or p in described:
                out.add((node, p, o))

    for node in view.graph:
        describe(kg.iri(node))
    for u, v, key, attrs in view.graph.edges(keys=True, data=True):
        if key == STEP_EDGE:
            continue
        triple = (kg.iri(u), kg.iri(key), kg.iri(v))
        if triple in graph:
            out.add(triple)
        if attrs.get("assertion"):
            assertion = kg.iri(attrs["assertion"])
            describe(assertion, everything=True)
            for ref in graph.objects(assertion, IGE.reference):
                describe(ref)
    return _sorted(out) if ordered else list(out)


#: rdflib's order of term kinds (its ``Identifier`` comparisons)
_KIND = {"BNode": 10, "URIRef": 30, "Literal": 40}


def _sorted(triples: Iterable[tuple[Any, Any, Any]]) -> list[tuple[Any, Any, Any]]:
    """Triples in a stable order: by kind then text of each term (literals then by language and
    datatype). A key per distinct term, because sorting by rdflib's rich comparisons costs a third
    of a second for the curated graph."""
    keys: dict[Any, tuple] = {}

    def key(term: Any) -> tuple:
        found = keys.get(term)
        if found is None:
            found = keys[term] = (_KIND.get(type(term).__name__, 20), str(term),
                                  getattr(term, "language", None) or "", str(getattr(term, "datatype", None) or ""))
        return found

    return sorted(triples, key=lambda t: (key(t[0]), key(t[1]), key(t[2])))


def rdf_statements(kg: "KnowledgeGraph", fmt: str, view: "View | None" = None, ordered: bool = True) -> list[tuple]:
    """What an RDF export holds: triples, or for trig/nquads quads (graph None = default graph).

    Sorted for a stable output; ``ordered=False`` skips the sort (to count them).
    """
    if view is not None:
        triples = view_triples(kg, view, ordered)
    elif ordered:
        triples = _sorted(kg.graph)
    else:
        triples = list(kg.graph)
    if fmt not in _DATASETS:
        return triples
    from rdflib import RDF

    claim_of: dict[tuple[Any, Any, Any], list[Any]] = {}
    for a in kg.graph.subjects(RDF.type, IGE.Assertion):
        s, p, o = (kg.graph.value(a, x) for x in (RDF.subject, RDF.predicate, RDF.object))
        if s is not None and p is not None and o is not None:
            claim_of.setdefault((s, p, o), []).append(a)
    return [(*t, g) for t in triples for g in claim_of.get(t, [None])]


def rdf_quads(statements: Iterable[tuple]) -> list[Any]:
    """:func:`rdf_statements` as pyoxigraph quads (graph None: the default graph), in order."""
    import pyoxigraph as ox

    from .backends.local import ox_term

    term = functools.cache(ox_term)  # each distinct term converted once: most recur in many statements
    default = ox.DefaultGraph()
    return [ox.Quad(term(st[0]), term(st[1]), term(st[2]),
                    default if len(st) < 4 or st[3] is None else term(st[3])) for st in statements]


def _oxigraph_text(quads: list[Any], fmt: str) -> str:
    """Oxigraph's serialisation of :func:`rdf_quads` (all in the default graph for a triple format)."""
    import pyoxigraph as ox

    formats = {"turtle": ox.RdfFormat.TURTLE, "ntriples": ox.RdfFormat.N_TRIPLES,
               "trig": ox.RdfFormat.TRIG, "nquads": ox.RdfFormat.N_QUADS}
    prefixes = dict(PREFIXES) if fmt in ("turtle", "trig") else None
    data = ox.serialize(quads, format=formats[fmt], prefixes=prefixes)
    text = data.decode("utf-8") if isinstance(data, bytes) else str(data)
    if fmt in ("ntriples", "nquads"):
        # sorted for stable diffs; split at line feeds only (U+2028 or a vertical tab inside a
        # literal is a line break to str.splitlines, not to N-Triples)
        return "".join(sorted(line + "\n" for line in text.split("\n") if line.strip()))
    return text


def _jsonld(triples: Iterable[tuple]) -> str:
    """Compact JSON-LD by rdflib; ``xsd:string`` literals written plain (the same in RDF 1.1).

    The triples go into rdflib's SimpleMemory store (a plain graph has one context: the
    default store's context bookkeeping is not needed), and rdflib's JSON-LD document is taken
    as it is built (``from_rdf``) rather than written as text and parsed again.
    """
    import rdflib
    from rdflib.namespace import XSD
    from rdflib.plugins.serializers.jsonld import from_rdf

    g = rdflib.Graph(store="SimpleMemory")
    for prefix, ns in PREFIXES.items():
        g.bind(prefix, ns, override=True)
    for s, p, o in triples:
        if isinstance(o, rdflib.Literal) and o.datatype == XSD.string:
            o = rdflib.Literal(str(o))
        g.add((s, p, o))
    doc = from_rdf(g, dict(PREFIXES), auto_compact=True)
    if isinstance(doc, dict) and isinstance(doc.get("@graph"), list):
        # rdflib lists the nodes in the order of a set of subjects, which changes from run to run
        doc["@graph"].sort(key=lambda node: str(node.get("@id", "")))
    return json.dumps(doc, indent=1, sort_keys=True, ensure_ascii=False)


def rdf_text(kg: "KnowledgeGraph", fmt: str, view: "View | None" = None,
             statements: list[tuple] | None = None, quads: list[Any] | None = None) -> str:
    """The whole graph, or one view, in an RDF format (see the module docs).

    ``statements`` are :func:`rdf_statements` of the same arguments, and ``quads`` their
    :func:`rdf_quads`, when the caller has them already (an export reads them back too): they
    are not sorted or converted again.

    >>> import igegraph
    >>> kg = igegraph.load()
    >>> "@prefix ige:" in rdf_text(kg, "turtle")
    True
    >>> len(rdf_text(kg, "ntriples").splitlines()) == len(kg)
    True
    """
    if statements is None:
        statements = rdf_statements(kg, fmt, view)
    if fmt == "jsonld":
        return _jsonld(statements)
    return _oxigraph_text(rdf_quads(statements) if quads is None else quads, fmt)
