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
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from rdflib import Literal, URIRef
from rdflib.namespace import RDF, RDFS, SKOS

from .vocab import IGE, compact

if TYPE_CHECKING:
    from .kg import KnowledgeGraph

__all__ = ["describe", "stats", "measurement_value"]

# shown in their own sections of describe(), not as plain attributes
_SHOWN = {RDFS.label, SKOS.altLabel, SKOS.definition, IGE.curatorNote, RDF.type,
          SKOS.exactMatch, SKOS.closeMatch, IGE.hasMeasurement}


def _refs(kg: "KnowledgeGraph", node: URIRef) -> list[int]:
    return sorted(int(n) for r in kg.graph.objects(node, IGE.reference) for n in kg.graph.objects(r, IGE.referenceNumber))


def _value(value: Any) -> Any:
    if isinstance(value, Literal):
        py = value.toPython()
        if isinstance(py, Decimal):  # JSON has no decimals; the typed literal stays in the graph
            return int(py) if py == py.to_integral_value() else float(py)
        return py if isinstance(py, (int, float, bool, str)) else str(value)
    return compact(value)


def _measurements(kg: "KnowledgeGraph", iri: URIRef) -> list[dict]:
    out = []
    for m in sorted(kg.graph.objects(iri, IGE.hasMeasurement)):
        row: dict[str, Any] = {"id": compact(m), "label": kg.label(compact(m))}
        for field in ("quantity", "value", "minValue", "maxValue", "valueText", "unit", "comparator", "condition", "year"):
            value = kg.graph.value(m, IGE[field])
            if value is not None:
                row[field] = _value(value)
        compared = kg.graph.value(m, IGE.comparedTo)
        if compared is not None:
            row["comparedTo"] = kg.label(compact(compared))
        row["references"] = _refs(kg, m)
        notes = [str(n) for n in kg.graph.objects(m, IGE.curatorNote)]
        if notes:
            row["notes"] = notes
        out.append(row)
    return out


def measurement_value(m: dict) -> str:
    """A measurement of :func:`describe` as one value: text, a range or a compared number.

    >>> measurement_value({"minValue": 50, "maxValue": 300}), measurement_value({"comparator": ">", "value": 1})
    ('50–300', '>1')
    """
    if "valueText" in m:
        return str(m["valueText"])
    if "minValue" in m:
        return f"{m.get('minValue')}–{m.get('maxValue')}"
    return f"{'' if m.get('comparator', '=') == '=' else m['comparator']}{m.get('value')}"


def describe(kg: "KnowledgeGraph", term: str) -> dict:
    """Everything known about one entity.

    Parameters
    ----------
    kg : KnowledgeGraph
    term : str
        Label, synonym, id or CURIE (resolved like every other command).

    Returns
    -------
    dict
        ``id``, ``iri``, ``label``, ``class``, ``synonyms``, ``exact_matches``, ``close_matches``,
        ``definition``, ``notes`` (curator notes), ``outgoing`` and ``incoming`` relations (each
        with predicate, the other entity's id and label, polarity, evidence and references),
        ``measurements`` (value, unit, references), ``attributes`` (other literal values) and
        ``mentions`` (Table 1 rows, trials and pathway steps that name it).

    Raises
    ------
    UnknownEntity
        With "did you mean" suggestions.
    """
    node = kg.resolve(term)
    iri = kg.iri(node)
    g = kg.projection
    attrs = g.nodes[node]

    def relation(s: str, o: str, key: str, d: dict, other: str) -> dict:
        return {
            "predicate": key, "predicate_label": d["predicate_label"], "id": other,
            "label": kg.label(other), "polarity": d["polarity"], "evidence": d["evidence"],
            "references": d["references"], "assertion": d["assertion"],
        }

    outgoing = [relation(s, o, k, d, o) for s, o, k, d in g.out_edges(node, keys=True, data=True)]
    incoming = [relation(s, o, k, d, s) for s, o, k, d in g.in_edges(node, keys=True, data=True)]
    order = lambda r: (r["predicate_label"], r["label"].lower())  # noqa: E731
    attributes = {}
    for p, o in kg.graph.predicate_objects(iri):
        if p in _SHOWN or p == IGE.reference or not isinstance(o, Literal):
            continue
        attributes.setdefault(compact(p), []).append(_value(o))
    mentions = []
    for subject, prop in ((s, p) for p in (IGE.therapy, IGE.stepEntity, IGE.trial) for s in kg.graph.subjects(p, iri)):
        mentions.append({"id": compact(subject), "label": kg.label(compact(subject)), "via": compact(prop)})
    phase = kg.graph.value(iri, IGE.developmentPhase)
    return {
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
        "references": _refs(kg, iri),
        "notes": sorted(str(n) for n in kg.graph.objects(iri, IGE.curatorNote)),
        "outgoing": sorted(outgoing, key=order),
        "incoming": sorted(incoming, key=order),
        "measurements": _measurements(kg, iri),
        "attributes": {k: sorted(v, key=str) for k, v in sorted(attributes.items())},
        "mentions": sorted(mentions, key=lambda m: m["id"]),
    }


def stats(kg: "KnowledgeGraph") -> dict:
    """Counts: triples, entities per class, relations per predicate, assertions, references,
    pathways, measurements, Table 1 rows and trials.

    >>> import igegraph
    >>> s = stats(igegraph.load())
    >>> s["pathways"], s["table1_rows"]
    (4, 11)
    """
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
