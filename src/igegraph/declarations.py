"""The vocabulary's own declarations: the values every command relies on, and changes to them.

Traversals read ``ige:polarity`` as -1, 0 or +1, ``ige:causal``, ``ige:dependency`` and
``ige:abolishes`` as booleans, and step indexes, reference numbers and evidence ranks as
integers. :func:`value_problems` finds values that break this (a user file saying
``ige:blocksBinding ige:polarity "banana"``); loading refuses them, so no command crashes on
them. :func:`structure_problems` adds what ``validate`` reports besides: class cycles and
entities also declared as properties.

User files may not silently redefine the curated vocabulary: :func:`vocabulary_state` takes a
snapshot of every triple about an ``ige:`` term of the ontology, and
:func:`vocabulary_changes` names what a file added or removed.

Examples
--------
>>> import igegraph
>>> kg = igegraph.load()
>>> value_problems(kg.graph), structure_problems(kg.graph)
([], [])
>>> before = vocabulary_state(kg.graph)
>>> _ = kg.graph.parse(data="@prefix ige: <https://w3id.org/igegraph/vocab#> . "
...                         "ige:neutralizes ige:polarity 1 .", format="turtle")
>>> vocabulary_changes(before, vocabulary_state(kg.graph))
['ige:neutralizes ige:polarity 1 (added)']
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .errors import shorten
from .vocab import IGE, compact

if TYPE_CHECKING:
    import rdflib

__all__ = ["value_problems", "structure_problems", "vocabulary_state", "vocabulary_changes", "VALUE_RULES",
           "VALUE_PROPERTIES"]

_INTEGERS = ("stepIndex", "referenceNumber", "rank")
_BOOLEANS = ("causal", "dependency", "abolishes")
#: The ``ige:`` properties whose values :func:`value_problems` reads (local names).
VALUE_PROPERTIES = ("polarity", *_BOOLEANS, *_INTEGERS)

#: What :func:`value_problems` checks, by rule name.
VALUE_RULES = {
    "polarity-value": "ige:polarity is the integer -1, 0 or 1",
    "flag-value": "ige:causal, ige:dependency and ige:abolishes are booleans (true/false)",
    "integer-value": "ige:stepIndex, ige:referenceNumber and ige:rank are integers",
}


def _term(node: Any) -> str:
    """A term as it reads in Turtle: numbers and booleans bare, other literals quoted."""
    from rdflib import XSD, Literal

    if not isinstance(node, Literal):
        return compact(node)
    if node.datatype in (XSD.integer, XSD.decimal, XSD.boolean) and node.toPython() is not node:
        return shorten(str(node), 60)
    return '"' + shorten(str(node), 58) + '"' + (f"@{node.language}" if node.language else "")


def value_problems(graph: "rdflib.Graph") -> list[tuple[str, str, str]]:
    """Typed values of the vocabulary that are wrong, as ``(focus, rule, message)``, sorted."""
    from rdflib import Literal

    found = []

    def bad(subject: Any, prop: str, value: Any, rule: str, want: str) -> None:
        found.append((compact(subject), rule, f"ige:{prop} {_term(value)} is not {want}"))

    seen: dict[tuple[Any, str], Any] = {}
    for s, o in graph.subject_objects(IGE.polarity):
        v = o.toPython() if isinstance(o, Literal) else None
        if type(v) is not int or v not in (-1, 0, 1):
            bad(s, "polarity", o, "polarity-value", "-1, 0 or 1")
        elif seen.setdefault((s, "polarity"), v) != v:
            bad(s, "polarity", o, "polarity-value", f"its only polarity (it also has {seen[s, 'polarity']})")
    for prop in _BOOLEANS:
        for s, o in graph.subject_objects(IGE[prop]):
            v = o.toPython() if isinstance(o, Literal) else None
            if type(v) is not bool:
                bad(s, prop, o, "flag-value", "true or false")
            elif seen.setdefault((s, prop), v) != v:
                bad(s, prop, o, "flag-value", f"its only value (it also has {str(seen[s, prop]).lower()})")
    for prop in _INTEGERS:
        for s, o in graph.subject_objects(IGE[prop]):
            if not isinstance(o, Literal) or type(o.toPython()) is not int:
                bad(s, prop, o, "integer-value", "an integer")
    return sorted(found)


def structure_problems(graph: "rdflib.Graph") -> list[tuple[str, str, str]]:
    """Class cycles and entities retyped as properties, as ``(focus, rule, message)``, sorted."""
    import networkx as nx
    from rdflib import OWL, RDF, RDFS, URIRef

    found = []
    sub = nx.DiGraph((s, o) for s, o in graph.subject_objects(RDFS.subClassOf)
                     if isinstance(s, URIRef) and isinstance(o, URIRef) and s != o)
    for cycle in nx.simple_cycles(sub):
        first = min(cycle, key=str)
        found.append((compact(first), "class-cycle",
                      "rdfs:subClassOf cycle: " + " -> ".join(compact(c) for c in cycle + cycle[:1])))
    entities = {s for s, o in graph.subject_objects(RDF.type) if isinstance(o, URIRef) and o.startswith(str(IGE))
                and o not in (IGE.Assertion,)}
    kinds = (OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty, RDF.Property)
    classes = set(graph.subjects(RDF.type, OWL.Class))
    for kind in kinds:
        for s in graph.subjects(RDF.type, kind):
            if s in entities and s not in classes:
                found.append((compact(s), "property-retyped",
                              f"{compact(s)} is an entity and is also declared a property ({compact(kind)})"))
    return sorted(set(found))


def vocabulary_state(graph: "rdflib.Graph", terms: frozenset | None = None) -> dict[Any, frozenset]:
    """Every triple about the ``ige:`` classes, properties and individuals of the graph (or
    about ``terms``): term -> its (predicate, object) pairs. Found through the ``rdf:type``
    triples, not a scan of every triple."""
    from rdflib import OWL, RDF, RDFS, URIRef

    if terms is None:
        kinds = {OWL.Class, RDFS.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty,
                 RDF.Property, OWL.Ontology}
        # one pass over the rdf:type triples of ige: subjects (a look-up per declared term, for
        # its individuals, cost three times as much)
        typed = [(s, c) for s, c in graph.subject_objects(RDF.type) if isinstance(s, URIRef) and s.startswith(str(IGE))]
        declared = {s for s, c in typed if c in kinds}
        # and the vocabulary's own individuals (evidence levels, development phases)
        terms = frozenset(declared | {s for s, c in typed if c in declared})
    return {t: frozenset(graph.predicate_objects(t)) for t in terms}


def vocabulary_changes(before: dict[Any, frozenset], after: dict[Any, frozenset]) -> list[str]:
    """What changed about the terms of ``before``, one line per triple, sorted."""
    lines = []
    for term, pairs in before.items():
        now = after.get(term, frozenset())
        lines += [f"{compact(term)} {compact(p)} {_term(o)} (added)" for p, o in now - pairs]
        lines += [f"{compact(term)} {compact(p)} {_term(o)} (removed)" for p, o in pairs - now]
    return sorted(lines)
