"""RDF -> networkx: the MultiDiGraph projection that every traversal runs on.

Nodes are entities (compact ids such as ``ig:mast_cell``) with ``label``, ``category``,
``category_label``, ``synonyms``, ``identifiers`` (exact and close matches),
``exact_identifiers`` and ``definition``. Edges are the triples
whose predicate declares ``ige:polarity`` (the ontology's relations, or a user's own property
annotated the same way), keyed by the predicate's compact id, with ``predicate``,
``predicate_label``, ``polarity``, ``causal``, ``dependency``, ``abolishes`` (negative relations: True when
the action removes its object, False when it only lowers it; the assertion may override the
property), ``assertion``, ``references``, ``evidence``, ``evidence_rank``, ``quote``, ``section`` and the
assertion's context qualifiers ``cell_context`` (cell ids), ``species_context``,
``experimental_context``, ``object_aspect`` and ``condition``, and the ``outcome`` a study
found (``ige:outcome``, on ``ige:studiedFor`` claims).

Examples
--------
>>> import igegraph
>>> g = igegraph.load().projection
>>> g.edges["ig:omalizumab", "ig:free_IgE", "ige:neutralizes"]["polarity"]
-1
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any, cast

from .backends.local import subject_objects
from .bulk import gc_paused
from .vocab import IGE, compact

if TYPE_CHECKING:
    import networkx as nx
    from rdflib import Literal

    from .kg import KnowledgeGraph

__all__ = ["build_projection", "entity_classes", "relation_properties", "subclasses", "closure"]


def closure(links: Mapping[Any, Iterable[Any]], start: Iterable[Any]) -> set[Any]:
    """``start`` and everything reachable from it through ``links`` (a node -> nodes map).

    >>> sorted(closure({"a": ["b"], "b": ["c"]}, ["a"]))
    ['a', 'b', 'c']
    """
    found: set[str] = set()
    todo = list(start)
    while todo:
        item = todo.pop()
        if item not in found:
            found.add(item)
            todo.extend(links.get(item, ()))
    return found


def subclasses(kg: "KnowledgeGraph", root: str) -> set[str]:
    """``root`` and every class below it (compact ids), following rdfs:subClassOf."""
    return closure(kg.links("rdfs:subClassOf", inverse=True), [root])


def entity_classes(kg: "KnowledgeGraph") -> dict[str, str]:
    """Every class below ``ige:Entity`` (compact id -> label), the root included."""
    return {cls: kg.label(cls) for cls in subclasses(kg, "ige:Entity")}


def _values(graph: Any, prop: Any) -> defaultdict[Any, list[Any]]:
    """node -> its values of ``prop``, in the graph's order (one pattern read)."""
    found: defaultdict[Any, list[Any]] = defaultdict(list)
    for node, value in subject_objects(graph, prop):
        found[node].append(value)
    return found


def relation_properties(kg: "KnowledgeGraph") -> dict[str, dict]:
    """Properties that declare a polarity: compact id -> {iri, label, polarity, causal, dependency,
    abolishes}. ``abolishes`` is None for non-negative properties and defaults to False (weakens)
    for a negative property that does not say. Read anew each time, except on a graph with a
    content key (:attr:`KnowledgeGraph.content_key`): built once per content and shared by its
    graphs (each CLI command run in a test process asks again), so never change it in place."""
    if kg.content_key is None:
        return _relation_properties(kg)
    return kg.derived("project.relation_properties", lambda: _relation_properties(kg), shared=True)


def _relation_properties(kg: "KnowledgeGraph") -> dict[str, dict]:
    graph = kg.graph
    # each flag read in one pass (three pattern reads in all, not three per property): a
    # projection reads these for every graph it is built on
    flags = (IGE.causal, IGE.dependency, IGE.abolishes)
    given = {flag: _values(graph, flag) for flag in flags}

    def flag_value(prop: Any, flag: Any) -> "Literal | None":
        found = given[flag].get(prop)
        if found is not None and len(found) > 1:  # several values: the one graph.value picks
            return cast("Literal | None", graph.value(prop, flag))
        return cast("Literal", found[0]) if found else None

    props: dict[str, dict] = {}
    for prop, pol in subject_objects(graph, IGE.polarity):
        polarity = int(cast("Literal", pol))
        causal, dependency, abolishes = (flag_value(prop, flag) for flag in flags)
        props[compact(prop)] = {
            "iri": prop,
            "label": kg.label(compact(prop)),
            "polarity": polarity,
            "causal": bool(causal.toPython()) if causal is not None else polarity != 0,
            "dependency": bool(dependency.toPython()) if dependency is not None else False,
            "abolishes": (bool(abolishes.toPython()) if abolishes is not None else False) if polarity < 0 else None,
        }
    return props


def _assertions(kg: "KnowledgeGraph") -> dict[tuple[str, str, str], dict]:
    """(subject, predicate, object) -> provenance of the claim's Assertion node.

    Read one property at a time (a few pattern reads in all, fast on every backend) and joined
    here: the same answer as one SELECT with an OPTIONAL per property, which rdflib's engine
    (the memory backend) took 0.25 s to evaluate on the curated graph at each projection build.
    """
    from rdflib.namespace import RDF, RDFS

    graph = kg.graph

    def values(prop: Any) -> defaultdict[Any, list[Any]]:
        return _values(graph, prop)

    subject, predicate, object_ = (values(p) for p in (RDF.subject, RDF.predicate, RDF.object))
    reference, number = values(IGE.reference), values(IGE.referenceNumber)
    level, rank = values(IGE.evidenceLevel), values(IGE.rank)
    named: dict[Any, list[tuple[str, Any]]] = {}  # evidence level -> (label, rank) pairs; levels are few

    def level_names(lv: Any) -> list[tuple[str, Any]]:
        if lv not in named:
            named[lv] = [(str(name), r) for name in graph.objects(lv, RDFS.label) for r in rank.get(lv, [None])]
        return named[lv]

    abolishes = values(IGE.abolishes)
    scalars = {field: values(prop) for field, prop in (("quote", IGE.evidenceQuote), ("section", IGE.section))}
    sets: list[tuple[str, defaultdict[Any, list[Any]], Callable[[Any], str]]] = [
        (field, values(prop), compact) for field, prop in
        (("cell_context", IGE.cellContext), ("species_context", IGE.speciesContext))]
    sets += [(field, values(prop), str) for field, prop in
             (("experimental_context", IGE.experimentalContext), ("object_aspect", IGE.objectAspect),
              ("condition", IGE.condition), ("outcome", IGE.outcome))]
    out: dict[tuple[str, str, str], dict] = {}
    for a in graph.subjects(RDF.type, IGE.Assertion):
        claims = [(compact(s), compact(p), compact(o)) for s in subject.get(a, ())
                  for p in predicate.get(a, ()) for o in object_.get(a, ())]
        if not claims:
            continue
        # what the assertion says, made once for all its claims (look-ups with get: an absent
        # property adds no empty entry)
        refs = {int(cast("Literal", n)) for r in reference.get(a, ()) for n in number.get(r, ())}
        said: list[tuple[str, Any]] = []  # fields the assertion sets
        levels = [pair for lv in level.get(a, ()) for pair in level_names(lv)]
        if levels:  # one value where the data give several, as the SELECT's last row did
            evidence, last_rank = levels[-1]
            said += [("evidence", evidence),
                     ("evidence_rank", int(cast("Literal", last_rank)) if last_rank is not None else None)]
        if a in abolishes:
            said.append(("abolishes", bool(cast("Literal", abolishes[a][-1]).toPython())))
        said += [(field, str(by_node[a][-1])) for field, by_node in scalars.items() if a in by_node]
        added = [(field, {make(v) for v in by_node[a]}) for field, by_node, make in sets if a in by_node]
        for key in claims:
            info = out.get(key)
            if info is None:
                info = out[key] = {
                    "assertion": compact(a), "references": set(), "evidence": None, "evidence_rank": None,
                    "quote": None, "section": None, "abolishes": None, "cell_context": set(),
                    "species_context": set(), "experimental_context": set(), "object_aspect": set(),
                    "condition": set(), "outcome": set(),
                }
            info["references"] |= refs
            info.update(said)
            for field, found in added:
                info[field] |= found
    for info in out.values():  # several values are joined in a stable order, as the backends differ
        for field in ("experimental_context", "object_aspect", "condition", "outcome"):
            info[field] = "; ".join(sorted(info[field])) or None
    return out


@gc_paused
def build_projection(kg: "KnowledgeGraph") -> "nx.MultiDiGraph":
    """Build the MultiDiGraph projection of a knowledge graph.

    Parameters
    ----------
    kg : KnowledgeGraph

    Returns
    -------
    networkx.MultiDiGraph
        One node per entity, one edge per relation triple, keyed by predicate.
    """
    import networkx as nx
    from rdflib import URIRef
    from rdflib.namespace import RDF, SKOS

    g = nx.MultiDiGraph()
    labels = kg.labels  # first: one pass over every label beats a look-up per class, property and node
    classes = entity_classes(kg)
    for node, cls in subject_objects(kg.graph, RDF.type):
        ccls = compact(cls)
        if ccls in classes and isinstance(node, URIRef):
            g.add_node(compact(node), category=ccls, category_label=classes[ccls])

    provenance = _assertions(kg)
    for pid, prop in relation_properties(kg).items():
        for s, o in subject_objects(kg.graph, prop["iri"]):
            if not (isinstance(s, URIRef) and isinstance(o, URIRef)):
                continue
            cs, co = compact(s), compact(o)
            info = provenance.get((cs, pid, co), {})
            g.add_edge(
                cs, co, key=pid,
                predicate=pid,
                predicate_label=prop["label"],
                polarity=prop["polarity"],
                causal=prop["causal"],
                dependency=prop["dependency"],
                assertion=info.get("assertion"),
                references=sorted(info.get("references", ())),
                evidence=info.get("evidence"),
                evidence_rank=info.get("evidence_rank"),
                quote=info.get("quote"),
                section=info.get("section"),
                abolishes=prop["abolishes"] if info.get("abolishes") is None or prop["polarity"] >= 0
                else info["abolishes"],
                cell_context=sorted(info.get("cell_context", ())),
                species_context=sorted(info.get("species_context", ())),
                experimental_context=info.get("experimental_context"),
                object_aspect=info.get("object_aspect"),
                condition=info.get("condition"),
                outcome=info.get("outcome"),
            )

    synonyms: dict[str, list[str]] = defaultdict(list)
    for s, o in subject_objects(kg.graph, SKOS.altLabel):
        synonyms[compact(s)].append(str(o))
    identifiers: dict[str, list[str]] = defaultdict(list)
    exact: dict[str, list[str]] = defaultdict(list)
    for match in (SKOS.exactMatch, SKOS.closeMatch):
        for s, o in subject_objects(kg.graph, match):
            identifiers[compact(s)].append(compact(o))
            if match == SKOS.exactMatch:
                exact[compact(s)].append(compact(o))
    definitions = {compact(s): str(o) for s, o in subject_objects(kg.graph, SKOS.definition)}
    for node, attrs in g.nodes(data=True):
        attrs["label"] = labels.get(node) or kg.label(node)
        if "category" not in attrs:
            attrs["category"] = "ige:Entity"
            attrs["category_label"] = kg.label("ige:Entity")
        attrs["synonyms"] = sorted(set(synonyms.get(node, ())))
        attrs["identifiers"] = sorted(set(identifiers.get(node, ())))
        attrs["exact_identifiers"] = sorted(set(exact.get(node, ())))
        attrs["definition"] = definitions.get(node, "")
    return g
