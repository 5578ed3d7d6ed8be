"""Everything known about one entity, and counts over the whole graph.

Examples
--------
>>> import igegraph
>>> kg = igegraph.load()
>>> d = describe(kg, "Xolair")
>>> d["label"], d["class"]
('omalizumab', 'monoclonal antibody')
>>> stats(kg)["classes"]["monoclonal antibody"] >= 6
True
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, cast

from rdflib import Literal, URIRef
from rdflib.namespace import RDF, RDFS, SKOS
from rdflib.term import Identifier

from .measurements import json_value, measurement
from .references import citation, find_reference, reference, reference_numbers
from .vocab import IGE, compact

if TYPE_CHECKING:
    from .kg import KnowledgeGraph

__all__ = ["describe", "stats"]

# shown in their own sections of describe(), not as plain attributes
_SHOWN = {RDFS.label, SKOS.altLabel, SKOS.definition, IGE.curatorNote, RDF.type,
          SKOS.exactMatch, SKOS.closeMatch, IGE.hasMeasurement}


def _cite(kg: "KnowledgeGraph", row: dict) -> dict:
    """Add ``citations`` ("Gauvreau et al. [38]", "[39]") beside a row's reference numbers."""
    row["citations"] = [citation(kg, n) for n in row["references"]]
    return row


def _measurements(kg: "KnowledgeGraph", iri: URIRef) -> list[dict]:
    return [_cite(kg, {**measurement(kg, m), "references": reference_numbers(kg, m)})
            for m in sorted(cast("Iterable[Identifier]", kg.graph.objects(iri, IGE.hasMeasurement)))]


def describe(kg: "KnowledgeGraph", term: str) -> dict:
    """Everything known about one entity, or about one of the review's references.

    Parameters
    ----------
    kg : KnowledgeGraph
    term : str
        Label, synonym, id or CURIE (resolved like every other command), or a reference:
        ``38``, ``[38]``, ``ref:38``, ``ig:ref_38`` or a first author Table 1 names.

    Returns
    -------
    dict
        For a reference, :func:`igegraph.references.reference`. For an entity: ``kind``
        ("entity"), ``id``, ``iri``, ``label``, ``class``, ``synonyms``, ``exact_matches``, ``close_matches``,
        ``definition``, ``references`` and ``citations``, ``notes`` (curator notes),
        ``outgoing`` and ``incoming`` relations (each with predicate, the other entity's id and
        label, polarity, evidence, references and citations, the claim's ``condition`` and
        ``outcome``, what a study found, or None, and its curator ``notes``), ``measurements`` (value, unit,
        references, citations), ``attributes`` (other literal values) and
        ``mentions`` (Table 1 rows, trials and pathway steps that name it).

    Raises
    ------
    UnknownEntity
        With "did you mean" suggestions.
    UnknownReference
        A reference number the review does not have.
    """
    number = find_reference(kg, term)
    if number is not None:
        return reference(kg, number)
    node = kg.resolve(term)
    iri = kg.iri(node)
    g = kg.projection
    attrs = g.nodes[node]

    def relation(s: str, o: str, key: str, d: dict, other: str) -> dict:
        return _cite(kg, {
            "predicate": key, "predicate_label": d["predicate_label"], "id": other,
            "label": kg.label(other), "polarity": d["polarity"], "evidence": d["evidence"],
            "references": d["references"], "assertion": d["assertion"], "outcome": d.get("outcome"),
            "condition": d.get("condition"),
            # why the claim reads as it does (an evidence level, a cell context, an inference)
            "notes": sorted(str(n) for n in kg.graph.objects(kg.iri(d["assertion"]), IGE.curatorNote))
            if d["assertion"] else [],
        })

    outgoing = [relation(s, o, k, d, o) for s, o, k, d in g.out_edges(node, keys=True, data=True)]
    incoming = [relation(s, o, k, d, s) for s, o, k, d in g.in_edges(node, keys=True, data=True)]
    order = lambda r: (r["predicate_label"], r["label"].lower())  # noqa: E731
    attributes: dict[str, list[Any]] = {}
    for p, o in kg.graph.predicate_objects(iri):
        if p in _SHOWN or p == IGE.reference or not isinstance(o, Literal):
            continue
        attributes.setdefault(compact(p), []).append(json_value(o))
    mentions = []
    for subject, prop in ((s, p) for p in (IGE.therapy, IGE.stepEntity, IGE.trial) for s in kg.graph.subjects(p, iri)):
        mentions.append({"id": compact(subject), "label": kg.label(compact(subject)), "via": compact(prop)})
    phase = kg.graph.value(iri, IGE.developmentPhase)
    return _cite(kg, {
        "kind": "entity",
        "id": node,
        "iri": str(iri),
        "label": attrs["label"],
        "class": attrs["category_label"],
        "class_id": attrs["category"],
        "definition": attrs["definition"],
        "synonyms": attrs["synonyms"],
        "exact_matches": sorted(compact(o) for o in kg.graph.objects(iri, SKOS.exactMatch)),
        "close_matches": sorted(compact(o) for o in kg.graph.objects(iri, SKOS.closeMatch)),
        "phase": kg.label(compact(phase)) if phase is not None else None,
        "references": reference_numbers(kg, iri),
        "notes": sorted(str(n) for n in kg.graph.objects(iri, IGE.curatorNote)),
        "outgoing": sorted(outgoing, key=order),
        "incoming": sorted(incoming, key=order),
        "measurements": _measurements(kg, iri),
        "attributes": {k: sorted(v, key=str) for k, v in sorted(attributes.items())},
        "mentions": sorted(mentions, key=lambda m: m["id"]),
    })


def stats(kg: "KnowledgeGraph") -> dict:
    """Counts: triples, entities per class, relations per predicate, assertions, references,
    pathways, measurements, Table 1 rows and trials.

    >>> import igegraph
    >>> s = stats(igegraph.load())
    >>> s["pathways"], s["table1_rows"]
    (4, 11)
    """
    if kg.engine.remote:  # counted by the store, not here
        from .backends.remote import remote_stats

        return remote_stats(kg)  # type: ignore[arg-type]
    g = kg.projection
    classes = Counter(attrs["category_label"] for _, attrs in g.nodes(data=True))
    relations = Counter(d["predicate_label"] for _, _, d in g.edges(data=True))

    def count(cls: URIRef) -> int:
        return sum(1 for _ in kg.graph.subjects(RDF.type, cls))

    cited = {o for o in kg.graph.objects(None, IGE.reference)}
    return {
        "triples": len(kg.graph),
        "entities": g.number_of_nodes(),
        "relations": g.number_of_edges(),
        "causal_relations": sum(1 for _, _, d in g.edges(data=True) if d["causal"]),
        "assertions": count(IGE.Assertion),
        "references": count(IGE.Reference),
        "references_cited": len(cited),
        "pathways": count(IGE.Pathway),
        "pathway_steps": count(IGE.PathwayStep),
        "measurements": count(IGE.Measurement),
        "table1_rows": count(IGE.Table1Row),
        "trials": count(IGE.ClinicalTrial),
        "classes": dict(sorted(classes.items(), key=lambda kv: (-kv[1], kv[0]))),
        "predicates": dict(sorted(relations.items(), key=lambda kv: (-kv[1], kv[0]))),
    }
