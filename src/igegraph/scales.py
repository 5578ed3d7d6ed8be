"""What a development phase and an evidence level mean, read from the ontology.

Tables that show a phase or an evidence level end with a footnote built from this: the
definition and scope note of ``ige:developmentPhase`` and ``ige:evidenceLevel`` (a phase
belongs to the therapy, an evidence level to one claim, which is why a Phase II antibody
can have a claim backed only by background knowledge), then the definition of each value the
table shows, in rank order.

Examples
--------
>>> import igegraph
>>> kg = igegraph.load()
>>> scale = explain(kg, "phase", ["Phase II"])
>>> scale["label"], scale["values"]
('development phase', [{'label': 'Phase II', 'definition': 'In a phase II clinical trial.'}])
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from .vocab import IGE

if TYPE_CHECKING:
    import rdflib

    from .kg import KnowledgeGraph

__all__ = ["explain", "footnote", "result_footnote", "SCALES"]

#: Column name -> (the property giving the value, the class of its values).
SCALES = {"phase": (IGE.developmentPhase, IGE.DevelopmentPhase), "evidence": (IGE.evidenceLevel, IGE.EvidenceLevel)}

# what the footnotes read, asked by SPARQL so that it works on every backend (an endpoint too)
_SCALES = """PREFIX ige: <https://w3id.org/igegraph/vocab#>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?s ?q ?v WHERE {
  { ige:developmentPhase ?q ?v BIND(ige:developmentPhase AS ?s) }
  UNION { ige:evidenceLevel ?q ?v BIND(ige:evidenceLevel AS ?s) }
  UNION { ?s a ige:DevelopmentPhase ; ?q ?v } UNION { ?s a ige:EvidenceLevel ; ?q ?v }
  FILTER(?q IN (rdf:type, rdfs:label, skos:definition, skos:scopeNote, ige:rank))
}"""


def _scales(kg: "KnowledgeGraph") -> "rdflib.Graph":
    """The two scales, their values and what they mean, as a small graph read once per graph."""

    def build() -> "rdflib.Graph":
        import rdflib

        graph = rdflib.Graph()
        for row in kg.select(_SCALES, {}):
            graph.add(row)
        return graph

    return kg.derived("scales.graph", build)


def explain(kg: "KnowledgeGraph", scale: str, shown: Iterable[str]) -> dict[str, Any]:
    """The meaning of a scale (``phase`` or ``evidence``) and of the values a table shows.

    Parameters
    ----------
    kg : KnowledgeGraph
    scale : {"phase", "evidence"}
    shown : iterable of str
        Labels shown in the table (case is ignored; empty ones and unknown ones are skipped).

    Returns
    -------
    dict
        ``label``, ``definition`` and ``note`` (the property's skos:scopeNote) of the scale,
        and ``values``: label and definition of each value shown, lowest rank first.

    >>> import igegraph
    >>> [v["label"] for v in explain(igegraph.load(), "evidence", ["marketed", "in vitro", ""])["values"]]
    ['in vitro', 'marketed']
    """
    from rdflib import RDF, RDFS
    from rdflib.namespace import SKOS

    prop, cls = SCALES[scale]
    graph = _scales(kg)
    wanted = {s.lower() for s in shown if s}
    values = []
    for value in graph.subjects(RDF.type, cls):
        label = str(graph.value(value, RDFS.label) or "")
        if label.lower() in wanted:
            rank = graph.value(value, IGE.rank)
            values.append((int(str(rank)) if rank is not None else 0, label,
                           str(graph.value(value, SKOS.definition) or "")))
    return {
        "label": str(graph.value(prop, RDFS.label) or scale),
        "definition": str(graph.value(prop, SKOS.definition) or ""),
        "note": str(graph.value(prop, SKOS.scopeNote) or ""),
        "values": [{"label": label, "definition": definition} for _, label, definition in sorted(values)],
    }


def footnote(kg: "KnowledgeGraph", phases: Iterable[str] = (), evidence: Iterable[str] = (),
             width: int | None = None) -> str:
    """The footnote of a table showing these phases and evidence levels, wrapped to ``width``
    (by default :func:`igegraph.table.output_width`); empty when it shows neither.

    >>> import igegraph
    >>> print(footnote(igegraph.load(), phases=["Phase II"], width=60))
    phase (development phase): The clinical development stage
      the subject therapy has reached, according to the review.
      Belongs to the therapy as a whole, not to any one claim
      about it. None is given where the review states none:
      endogenous molecules and cells, and agents the review
      describes without a stage (a pilot study, a proposal, a
      component of another therapy).
      Phase II: In a phase II clinical trial.
    """
    from .table import wrap_text

    width = width or None  # 0 or None: the tables' width
    lines: list[str] = []
    for scale, given in (("phase", phases), ("evidence", evidence)):
        shown = [s for s in given if s]  # a blank cell is explained by the scale's note
        if not shown:
            continue
        about = explain(kg, scale, shown)
        lines.append(wrap_text(f"{scale} ({about['label']}): {about['definition']} {about['note']}", width,
                               subsequent="  "))
        for value in about["values"]:
            lines.append(wrap_text(f"{value['label']}: {value['definition']}", width, "  ", "    "))
    return "\n".join(lines)


def result_footnote(kg: "KnowledgeGraph", rows: Iterable[Iterable[Any]], width: int | None = None) -> str:
    """The footnote for query result rows: the phases and evidence levels among their IRIs.

    >>> import igegraph
    >>> kg = igegraph.load()
    >>> result_footnote(kg, [(kg.iri("ig:omalizumab"),)])
    ''
    """
    from rdflib import RDF, URIRef
    from rdflib.namespace import RDFS

    graph = _scales(kg)
    found: dict[str, list[str]] = {"phase": [], "evidence": []}
    for row in rows:
        for value in row:
            if not isinstance(value, URIRef):
                continue
            for scale, (_, cls) in SCALES.items():
                if (value, RDF.type, cls) in graph:
                    found[scale].append(str(graph.value(value, RDFS.label) or ""))
    return footnote(kg, found["phase"], found["evidence"], width)
