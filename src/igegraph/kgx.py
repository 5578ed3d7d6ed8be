"""KGX export: a view of the graph as Biolink 4 nodes and edges, in TSV or JSON Lines.

What Biolink expects, and where it comes from:

* **Node ids** are the node's best standard identifier: its ``skos:exactMatch`` with a prefix
  that Biolink accepts for the node's category, in Biolink's order of preference (``CL`` for a
  cell, ``UniProtKB`` for a protein, ``MONDO`` before ``DOID`` for a disease). A node without
  one keeps its ``ig:`` id, and the content metadata declares the ``ig`` prefix. The ``ig:``
  id is always in ``xref``. The valid prefixes per category are copied from the Biolink Model
  into ``ontology/biolink.json`` (by ``tools/biolink_data.py``).
* **Categories and predicates** come from the ontology's ``ige:biolinkCategory`` annotations,
  inherited along ``rdfs:subClassOf`` / ``rdfs:subPropertyOf``. Predicates are canonical:
  where Biolink keeps the inverse (``has_part`` rather than ``part_of``) the property says
  ``ige:biolinkReversed true`` and subject and object are swapped (``original_subject`` and
  ``original_object`` keep the curated direction).
* **Signs**: a causal property exported as ``biolink:affects`` gets ``qualified_predicate
  biolink:causes``, ``object_direction_qualifier`` increased or decreased (from
  ``ige:polarity``) and ``object_aspect_qualifier`` (from ``ige:biolinkAspect``, or the
  assertion's ``ige:objectAspect`` when that is a Biolink aspect; other wording goes in
  ``object_aspect_text``). An assertion's
  ``ige:cellContext`` and ``ige:speciesContext`` become ``anatomical_context_qualifier`` and
  ``species_context_qualifier``.
* **Provenance**: ``knowledge_level`` knowledge_assertion, ``agent_type`` manual_agent and
  ``primary_knowledge_source`` infores:igegraph on every edge. ``publications`` is left out:
  the review numbers its references without PubMed ids or DOIs, and Biolink publications must
  be such ids. The review's reference numbers go in ``review_references``, its words in
  ``supporting_text``.
* **Measurements, Table 1 rows and trials** are node properties (``measurements``, ``table1``,
  ``development_phase``, ``max_research_phase``, ``clinical_trial_phase``); trials are
  ``biolink:ClinicalTrial`` nodes with ``CLINICALTRIALS`` ids.
* Drawing-only edges of a view (a pathway's dotted "at step" links) are left out.

Examples
--------
>>> import igegraph
>>> kg = igegraph.load()
>>> doc = kgx_document(kg, kg.projection)
>>> node = next(n for n in doc.nodes if n["name"] == "mast cell")
>>> node["id"], node["category"], node["xref"]
('CL:0000097', ['biolink:Cell'], ['ig:mast_cell'])
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rdflib import Literal
from rdflib.namespace import RDFS, SKOS

from .resources import resource_dir
from .viz import STEP_EDGE
from .vocab import IG, IGE, PREFIXES, compact, expand_curie

if TYPE_CHECKING:
    import networkx as nx

    from .kg import KnowledgeGraph

__all__ = ["KGX_NODE_COLUMNS", "KGX_EDGE_COLUMNS", "KgxDocument", "kgx_document", "INFORES"]

#: The information resource id of this graph (primary knowledge source of every edge).
INFORES = "infores:igegraph"
KGX_NODE_COLUMNS = ["id", "category", "name", "description", "synonym", "xref", "provided_by",
                    "development_phase", "max_research_phase", "clinical_trial_phase", "table1",
                    "measurements"]
KGX_EDGE_COLUMNS = ["id", "subject", "predicate", "object", "category", "qualified_predicate",
                    "object_aspect_qualifier", "object_direction_qualifier",
                    "anatomical_context_qualifier", "species_context_qualifier", "object_aspect_text",
                    "original_subject",
                    "original_predicate", "original_object", "knowledge_level", "agent_type",
                    "primary_knowledge_source", "supporting_text", "review_references",
                    "evidence_level", "review_section"]
#: Columns that hold lists ("|"-separated in TSV, arrays in JSON Lines).
MULTIVALUED = {"category", "synonym", "xref", "provided_by", "table1", "measurements",
               "supporting_text", "review_references"}
#: identifiers.org namespaces whose Biolink prefix is not the same name in another case.
_PREFIX_ALIASES = {"uniprot": "UniProtKB"}
#: Development phases (ontology individuals) as Biolink ResearchPhaseEnum values; a marketed
#: drug has no research phase.
_RESEARCH_PHASE = {"ige:Preclinical": "pre_clinical_research_phase", "ige:PhaseI": "clinical_trial_phase_1",
                   "ige:PhaseII": "clinical_trial_phase_2", "ige:PhaseIII": "clinical_trial_phase_3"}


@dataclass
class KgxDocument:
    """Rows of a KGX graph (dicts keyed by column, lists for multivalued columns) and its metadata."""

    nodes: list[dict[str, Any]]
    edges: list[dict[str, Any]]
    metadata: dict[str, Any] = field(default_factory=dict)

    def tsv(self) -> tuple[str, str]:
        """KGX TSV: (nodes, edges); lists are ``|``-separated, empty cells are empty."""
        return _tsv(KGX_NODE_COLUMNS, self.nodes), _tsv(KGX_EDGE_COLUMNS, self.edges)

    def jsonl(self) -> tuple[str, str]:
        """KGX JSON Lines: (nodes, edges); one object per line, empty values left out."""
        def lines(rows: list[dict[str, Any]]) -> str:
            return "".join(json.dumps({k: v for k, v in r.items() if v not in (None, "", [])},
                                      ensure_ascii=False) + "\n" for r in rows)
        return lines(self.nodes), lines(self.edges)

    def metadata_json(self) -> str:
        return json.dumps(self.metadata, indent=1, ensure_ascii=False) + "\n"


@lru_cache(maxsize=1)
def biolink_data() -> dict[str, Any]:
    """The Biolink facts the export uses (``ontology/biolink.json``)."""
    return json.loads((resource_dir("ontology") / "biolink.json").read_text(encoding="utf-8"))


def biolink_curie(identifier: str) -> str | None:
    """An identifier (project CURIE or IRI) as a Biolink CURIE, or None when Biolink has no prefix for it.

    >>> biolink_curie("UNIPROT:P12319"), biolink_curie("NCBITaxon:9606"), biolink_curie("ig:x")
    ('UniProtKB:P12319', 'NCBITaxon:9606', None)
    >>> biolink_curie("NCT01703312")
    'CLINICALTRIALS:NCT01703312'
    """
    if ":" not in identifier and identifier.upper().startswith("NCT"):
        identifier = f"nct:{identifier}"  # compact() writes registry trial ids bare
    iri = expand_curie(identifier)
    if iri is None:
        return None
    registered = {p.lower(): p for p in biolink_data()["prefixes"]}
    obo = PREFIXES["obo"]
    if iri.startswith(obo) and "_" in iri[len(obo):]:
        prefix, local = iri[len(obo):].split("_", 1)
    elif iri.startswith("https://identifiers.org/") and ":" in iri[24:]:
        prefix, local = iri[24:].split(":", 1)
        prefix = _PREFIX_ALIASES.get(prefix, prefix)
    else:
        return None
    name = registered.get(prefix.lower())
    return f"{name}:{local}" if name else None


def _annotations(kg: "KnowledgeGraph") -> dict[str, dict[str, Any]]:
    """Compact term -> its Biolink annotations, inherited from super classes / properties."""
    own: dict[str, dict[str, Any]] = {}
    for prop, key in ((IGE.biolinkCategory, "biolink"), (IGE.biolinkReversed, "reversed"),
                      (IGE.biolinkAspect, "aspect")):
        for s, o in kg.graph.subject_objects(prop):
            own.setdefault(compact(str(s)), {})[key] = (compact(str(o)) if key == "biolink"
                                                        else o.toPython() if isinstance(o, Literal) else str(o))
    parents: dict[str, list[str]] = {}
    for rel in (RDFS.subClassOf, RDFS.subPropertyOf):
        for s, o in kg.graph.subject_objects(rel):
            parents.setdefault(compact(str(s)), []).append(compact(str(o)))

    def resolve(term: str) -> dict[str, Any]:
        todo, seen = [term], set()
        while todo:  # nearest annotated ancestor, breadth first
            t = todo.pop(0)
            if t in own and "biolink" in own[t]:
                return own[t]
            if t not in seen:
                seen.add(t)
                todo.extend(parents.get(t, ()))
        return {}

    return {t: resolve(t) for t in set(own) | set(parents)}


def _node_ids(graph: "nx.MultiDiGraph", category: dict[str, str]) -> dict[str, str]:
    """Node -> export id: the best exactMatch Biolink allows for its category, else its ig: id.

    An identifier claimed by two nodes is no exact match of either: both keep their ig: ids.
    """
    id_prefixes = biolink_data()["id_prefixes"]
    chosen: dict[str, str] = {}
    for node, attrs in graph.nodes(data=True):
        valid = id_prefixes.get(category[node], [])
        candidates = [c for c in map(biolink_curie, attrs.get("exact_identifiers") or []) if c]
        if valid:
            candidates = sorted((c for c in candidates if c.split(":")[0] in valid),
                                key=lambda c: valid.index(c.split(":")[0]))
        if candidates:
            chosen[node] = candidates[0]
    claimed: dict[str, int] = {}
    for curie in chosen.values():
        claimed[curie] = claimed.get(curie, 0) + 1
    return {node: chosen[node] if claimed.get(chosen.get(node, ""), 0) == 1 else node for node in graph}


def _rows(kg: "KnowledgeGraph", text: str) -> list[dict[str, Any]]:
    result = kg.query(text)
    return [{k: v for k, v in zip(result.vars, row, strict=True)} for row in result.rows]


def _node_extras(kg: "KnowledgeGraph") -> dict[str, dict[str, list[str]]]:
    """Node -> phases, Table 1 rows and measurements, as text for KGX node properties."""
    extras: dict[str, dict[str, list[str]]] = {}

    def add(node: Any, key: str, value: str) -> None:
        extras.setdefault(compact(node), {}).setdefault(key, []).append(value)

    for r in _rows(kg, "SELECT ?n ?phase WHERE { ?n ige:developmentPhase ?phase "
                       "FILTER NOT EXISTS { ?n a ige:Table1Row } }"):
        add(r["n"], "phase", compact(r["phase"]))
    for r in _rows(kg, """SELECT ?therapy ?row ?type ?mechanism ?phase WHERE {
            ?t a ige:Table1Row ; ige:therapy ?therapy ; ige:rowNumber ?row ; ige:tableType ?type ;
               ige:mechanismText ?mechanism ; ige:phaseText ?phase } ORDER BY ?row"""):
        add(r["therapy"], "table1", f"Table 1 row {r['row']}: {r['type']}; {r['mechanism']}; {r['phase']}")
    for r in _rows(kg, """SELECT ?n ?quantity ?value ?min ?max ?text ?unit ?comparator ?condition ?year
            (GROUP_CONCAT(DISTINCT STR(?num); separator=", ") AS ?refs) WHERE {
            ?n ige:hasMeasurement ?m . ?m ige:quantity ?quantity .
            OPTIONAL { ?m ige:value ?value } OPTIONAL { ?m ige:minValue ?min } OPTIONAL { ?m ige:maxValue ?max }
            OPTIONAL { ?m ige:valueText ?text } OPTIONAL { ?m ige:unit ?unit }
            OPTIONAL { ?m ige:comparator ?comparator } OPTIONAL { ?m ige:condition ?condition }
            OPTIONAL { ?m ige:year ?year } OPTIONAL { ?m ige:reference/ige:referenceNumber ?num } }
            GROUP BY ?n ?m ?quantity ?value ?min ?max ?text ?unit ?comparator ?condition ?year ORDER BY ?m"""):
        add(r["n"], "measurements", _measurement_text(r))
    return extras


def _measurement_text(r: dict[str, Any]) -> str:
    """One measurement in words: ``serum half-life: 26 d (refs 12)``."""
    if r["value"] is not None:
        amount = f"{'' if r['comparator'] in (None, '=') else str(r['comparator']) + ' '}{r['value']}"
    elif r["min"] is not None or r["max"] is not None:
        amount = f"{r['min'] if r['min'] is not None else ''}–{r['max'] if r['max'] is not None else ''}"
    else:
        amount = str(r["text"] or "")
    text = f"{r['quantity']}: {amount}{' ' + str(r['unit']) if r['unit'] is not None else ''}"
    if r["condition"] is not None:
        text += f", {r['condition']}"
    if r["year"] is not None:
        text += f" ({r['year']})"
    refs = sorted(str(r["refs"] or "").split(", "), key=lambda s: int(s) if s.isdigit() else 0)
    return text + (f" (refs {', '.join(refs)})" if refs != [""] else "")


def _assertion_context(kg: "KnowledgeGraph") -> dict[str, dict[str, Any]]:
    """Assertion -> cell context, species context and object aspect."""
    context: dict[str, dict[str, Any]] = {}
    for r in _rows(kg, """SELECT ?a ?cell ?species ?aspect WHERE { ?a a ige:Assertion
            OPTIONAL { ?a ige:cellContext ?cell } OPTIONAL { ?a ige:speciesContext ?species }
            OPTIONAL { ?a ige:objectAspect ?aspect } FILTER(BOUND(?cell) || BOUND(?species) || BOUND(?aspect)) }"""):
        context[compact(r["a"])] = {k: r[k] for k in ("cell", "species", "aspect") if r[k] is not None}
    return context


def kgx_document(kg: "KnowledgeGraph", graph: "nx.MultiDiGraph") -> KgxDocument:
    """The KGX nodes, edges and content metadata of a view's graph (see the module docs).

    Parameters
    ----------
    kg : KnowledgeGraph
        Where the ontology's Biolink annotations, measurements and Table 1 rows are read.
    graph : networkx.MultiDiGraph
        The view's graph (``kg.projection`` for the whole graph).

    Returns
    -------
    KgxDocument
    """
    notes = _annotations(kg)

    def category_of(attrs: dict[str, Any]) -> str:
        return notes.get(attrs.get("category", "ige:Entity"), {}).get("biolink", "biolink:NamedThing")

    # ids are chosen over the whole graph, so that a node has the same id in every view
    ids = _node_ids(kg.projection, {n: category_of(a) for n, a in kg.projection.nodes(data=True)})
    category = {n: category_of(a) for n, a in graph.nodes(data=True)}
    for node in graph:
        ids.setdefault(node, node)
    extras = _node_extras(kg)
    nodes = []
    for node, attrs in graph.nodes(data=True):
        more = extras.get(node, {})
        phase = (more.get("phase") or [""])[0]
        research = _RESEARCH_PHASE.get(phase, "")
        nodes.append({
            "id": ids[node],
            "category": [category[node]],
            "name": attrs.get("label") or node,
            "description": attrs.get("definition") or "",
            "synonym": list(attrs.get("synonyms") or []),
            "xref": sorted({node} | {c for c in map(biolink_curie, attrs.get("identifiers") or []) if c} - {ids[node]}),
            "provided_by": [INFORES],
            "development_phase": kg.label(phase) if phase else "",
            "max_research_phase": research if category[node] != "biolink:ClinicalTrial" else "",
            "clinical_trial_phase": research if category[node] == "biolink:ClinicalTrial" else "",
            "table1": more.get("table1", []),
            "measurements": more.get("measurements", []),
        })
    context = _assertion_context(kg)
    aspects = set(biolink_data()["object_aspects"])
    edges, seen_ids = [], set()
    for u, v, key, attrs in graph.edges(keys=True, data=True):
        if key == STEP_EDGE:  # a drawing aid of pathway views, not a claim
            continue
        note = notes.get(key, {})
        predicate = note.get("biolink", "biolink:related_to")
        subject, obj = (v, u) if note.get("reversed") else (u, v)
        assertion = attrs.get("assertion") or ""
        ctx = context.get(assertion, {})
        polarity = int(attrs.get("polarity") or 0)
        signed = predicate == "biolink:affects" and polarity != 0
        aspect = str(ctx["aspect"]) if str(ctx.get("aspect", "")) in aspects else note.get("aspect", "")
        edge_id = assertion or f"ig:edge_{ids[u]}_{key}_{ids[v]}"
        while edge_id in seen_ids:
            edge_id += "_"
        seen_ids.add(edge_id)
        edges.append({
            "id": edge_id,
            "subject": ids[subject],
            "predicate": predicate,
            "object": ids[obj],
            "category": ["biolink:Association"],
            "qualified_predicate": "biolink:causes" if signed else "",
            "object_aspect_qualifier": aspect if signed else "",
            "object_direction_qualifier": ("increased" if polarity > 0 else "decreased") if signed else "",
            "anatomical_context_qualifier": _context_id(kg, ids, ctx.get("cell")),
            "species_context_qualifier": _context_id(kg, ids, ctx.get("species")),
            # an aspect in the review's words, which no Biolink enumeration value names
            "object_aspect_text": str(ctx["aspect"]) if "aspect" in ctx and str(ctx["aspect"]) not in aspects else "",
            "original_subject": u,
            "original_predicate": key,
            "original_object": v,
            "knowledge_level": "knowledge_assertion",
            "agent_type": "manual_agent",
            "primary_knowledge_source": INFORES,
            "supporting_text": [attrs["quote"]] if attrs.get("quote") else [],
            "review_references": [str(r) for r in attrs.get("references") or []],
            "evidence_level": attrs.get("evidence") or "",
            "review_section": attrs.get("section") or "",
        })
    metadata = {
        "name": "igegraph",
        "description": "IgE-mediated allergic disease and anti-IgE therapy, curated from one review article.",
        "license": "https://creativecommons.org/licenses/by/4.0/",
        "biolink_version": biolink_data()["biolink_version"],
        "primary_knowledge_source": INFORES,
        "curie_map": {"ig": str(IG), "ige": str(IGE)},
        "node_categories": sorted({c for n in nodes for c in n["category"]}),
        "edge_predicates": sorted({e["predicate"] for e in edges}),
        "node_count": len(nodes),
        "edge_count": len(edges),
        "notes": "publications is not given: the review cites numbered references without PubMed ids "
                 "or DOIs; review_references holds the numbers and supporting_text the review's words.",
    }
    return KgxDocument(nodes, edges, metadata)


def _context_id(kg: "KnowledgeGraph", ids: dict[str, str], term: Any) -> str:
    if term is None:
        return ""
    node = compact(term)
    if node in ids:
        return ids[node]
    exact = [c for c in (biolink_curie(compact(str(o))) for o in kg.graph.objects(term, SKOS.exactMatch)) if c]
    return min(exact) if exact else node


def _cell(value: Any, multivalued: bool) -> str:
    """One TSV cell: lists ``|``-joined ("|" inside an item becomes "/"), no tabs or line breaks."""
    if multivalued:
        value = "|".join(str(v).replace("|", "/") for v in value or [])
    return " ".join(str(value if value is not None else "").split())


def _tsv(columns: list[str], rows: list[dict[str, Any]]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter="\t", lineterminator="\n", quoting=csv.QUOTE_NONE, quotechar=None)
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_cell(row.get(c), c in MULTIVALUED) for c in columns])
    return buf.getvalue()


def kgx_paths(out: str | Path, fmt: str = "kgx") -> tuple[Path, Path, Path]:
    """Where KGX files go: ``DIR/nodes.tsv``, ``DIR/edges.tsv`` and ``DIR/content_metadata.json``
    for a directory (existing, or a name ending in ``/``), else ``PREFIX_nodes.tsv`` … .
    ``kgx-jsonl`` writes ``.jsonl`` files.

    >>> [p.name for p in kgx_paths("out/igegraph")]
    ['igegraph_nodes.tsv', 'igegraph_edges.tsv', 'igegraph_content_metadata.json']
    """
    import os

    suffix = ".jsonl" if fmt == "kgx-jsonl" else ".tsv"
    text, path = str(out), Path(out)
    if path.is_dir() or text.endswith(("/", os.sep)):
        return path / f"nodes{suffix}", path / f"edges{suffix}", path / "content_metadata.json"
    return (path.with_name(f"{path.name}_nodes{suffix}"), path.with_name(f"{path.name}_edges{suffix}"),
            path.with_name(f"{path.name}_content_metadata.json"))
