"""The review's numbered references as things to look up: who wrote them, what cites them.

The review has no bibliography. A reference is known by its number and, for the eleven that
Table 1 cites, its first author (``ige:firstAuthor`` in ``data/references.ttl``). References
are not entities: they never enter the traversal projection, and ``resolve`` never returns
one; ``describe`` and ``reference`` accept ``38``, ``[38]``, ``ref:38``, ``ig:ref_38`` or a
first author that names one reference (``Gauvreau``).

Examples
--------
>>> import igegraph
>>> kg = igegraph.load()
>>> citation(kg, 38), citation(kg, 39)
('Gauvreau et al. [38]', '[39]')
>>> r = reference(kg, "ref:38")
>>> r["label"], [t["id"] for t in r["trials"]]
('Gauvreau et al. [38]', ['ig:NCT01703312'])
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, cast

from rdflib import Literal
from rdflib.namespace import RDF, SKOS
from rdflib.term import Node

from .errors import UnknownReference
from .measurements import measurement, measurement_text
from .resolve import normalize
from .vocab import IG, IGE, compact

if TYPE_CHECKING:
    from .kg import KnowledgeGraph

__all__ = ["reference_number", "find_reference", "references", "citation", "reference_numbers", "reference"]

# 38, [38], ref:38, ref_38, ig:ref_38, the full IRI, or a label such as "Gauvreau et al. [38]"
_FORM = re.compile(
    rf"^\s*(?:(\d+)|(?:[^\[\]]*\s)?\[(\d+)\]|(?:ig:|{re.escape(str(IG))})?ref[:_](\d+))\s*$", re.IGNORECASE)

# what cites a reference, by the class of the citing node (an entity is anything in the projection)
_KINDS = {IGE.Assertion: "assertions", IGE.Measurement: "measurements", IGE.Table1Row: "table1_rows",
          IGE.ClinicalTrial: "trials", IGE.Pathway: "pathways", IGE.PathwayStep: "pathway_steps"}
SECTIONS = ("assertions", "measurements", "table1_rows", "trials", "pathways", "pathway_steps", "entities", "other")


def reference_number(term: str) -> int | None:
    """The number a term names when it is written as a reference, else None.

    >>> [reference_number(t) for t in ("38", "[38]", "ref:38", "ig:ref_38", "Gauvreau et al. [38]", "IgE")]
    [38, 38, 38, 38, 38, None]
    """
    found = _FORM.match(term)
    return int(next(g for g in found.groups() if g)) if found else None


def references(kg: "KnowledgeGraph") -> dict[int, dict]:
    """Every reference in the graph: number -> {``id``, ``label``, ``first_author``}, built once
    per graph content (shared by the graphs of one content, so never change it in place)."""

    def build() -> dict[int, dict]:
        from .backends.local import subject_objects

        # every first author in one read, not a look-up per reference
        authors: dict[Node, list[Node]] = {}
        for node, name in subject_objects(kg.graph, IGE.firstAuthor):
            authors.setdefault(node, []).append(name)
        out = {}
        for node, number in subject_objects(kg.graph, IGE.referenceNumber):
            named = authors.get(node, [])  # several: the one graph.value picks
            author = kg.graph.value(node, IGE.firstAuthor) if len(named) > 1 else next(iter(named), None)
            out[int(cast(Literal, number))] = {"id": compact(node), "label": kg.label(compact(node)),
                                "first_author": str(author) if author is not None else None}
        return dict(sorted(out.items()))

    return kg.derived("references", build, shared=True)


def citation(kg: "KnowledgeGraph", number: int) -> str:
    """How describe cites a reference: "Gauvreau et al. [38]" when the review names the first
    author, else "[39]"."""
    author = references(kg).get(number, {}).get("first_author")
    return f"{author} et al. [{number}]" if author else f"[{number}]"


def reference_numbers(kg: "KnowledgeGraph", node: Node) -> list[int]:
    """The reference numbers a node (entity, assertion, measurement, row …) cites, ascending."""
    return sorted(int(cast(Literal, n)) for r in kg.graph.objects(node, IGE.reference)
                  for n in kg.graph.objects(r, IGE.referenceNumber))


def find_reference(kg: "KnowledgeGraph", term: str) -> int | None:
    """The reference number a term names: written as a reference, or as the first author of
    exactly one reference; else None. The number need not exist (see :func:`reference`).

    >>> import igegraph
    >>> kg = igegraph.load()
    >>> find_reference(kg, "gauvreau"), find_reference(kg, "[99]"), find_reference(kg, "IgE")
    (38, 99, None)
    """
    number = reference_number(term)
    if number is not None:
        return number
    key = normalize(term)
    found = [n for n, r in references(kg).items() if r["first_author"] and normalize(r["first_author"]) == key]
    return found[0] if len(found) == 1 else None


def _number(kg: "KnowledgeGraph", term: int | str) -> int:
    number = term if isinstance(term, int) else find_reference(kg, term)
    if number is None:
        raise UnknownReference(f"'{term}' is not a reference number or a first author Table 1 names; "
                               "give one such as 38 (or [38], ref:38, Gauvreau)")
    known = references(kg)
    if number not in known:
        raise UnknownReference(f"the review has references {_spans(sorted(known)) or 'none'}; {number} is not one")
    return number


def _spans(numbers: list[int]) -> str:
    """Runs of consecutive numbers: ``[1, 2, 3, 80]`` -> ``"1–3, 80"``."""
    runs: list[list[int]] = []
    for n in numbers:
        if runs and n == runs[-1][1] + 1:
            runs[-1][1] = n
        else:
            runs.append([n, n])
    return ", ".join(f"{a}–{b}" if a != b else str(a) for a, b in runs)


def _assertion(kg: "KnowledgeGraph", node: Node) -> dict:
    # the shapes require all three on an assertion (validate checks them)
    s, p, o = (cast(Node, kg.graph.value(node, prop)) for prop in (RDF.subject, RDF.predicate, RDF.object))
    level = kg.graph.value(node, IGE.evidenceLevel)
    text = {prop: kg.graph.value(node, IGE[prop]) for prop in ("evidenceQuote", "section")}
    return {
        "id": compact(node),
        "subject": compact(s), "subject_label": kg.label(compact(s)),
        "predicate": compact(p), "predicate_label": kg.label(compact(p)),
        "object": compact(o), "object_label": kg.label(compact(o)),
        "quote": str(text["evidenceQuote"]) if text["evidenceQuote"] is not None else None,
        "section": str(text["section"]) if text["section"] is not None else None,
        "evidence": kg.label(compact(level)) if level is not None else None,
    }


def _cited(kg: "KnowledgeGraph", node: Node, kind: str) -> dict:
    if kind == "assertions":
        return _assertion(kg, node)
    if kind == "measurements":
        row = measurement(kg, node)
        entity = row["entity"]
        return {"id": row["id"], "label": row["label"], "entity": entity,
                "entity_label": kg.label(entity) if entity else None, "text": measurement_text(row)}
    row = {"id": compact(node), "label": kg.label(compact(node))}
    if kind == "pathway_steps":
        pathway = kg.graph.value(None, IGE.hasStep, node)
        row["pathway"] = kg.label(compact(pathway)) if pathway is not None else None
    elif kind in ("entities", "trials"):
        row["class"] = kg.projection.nodes[row["id"]]["category_label"]
    return row


def reference(kg: "KnowledgeGraph", term: int | str) -> dict:
    """One reference and everything in the graph that cites it.

    Parameters
    ----------
    kg : KnowledgeGraph
    term : int or str
        ``38``, ``"38"``, ``"[38]"``, ``"ref:38"``, ``"ig:ref_38"``, the reference's IRI or its
        first author (``"Gauvreau"``).

    Returns
    -------
    dict
        ``kind`` ("reference"), ``id``, ``iri``, ``number``, ``label``, ``first_author``,
        ``definition``, ``notes``, then the citing things by kind, each sorted by id:
        ``assertions`` (subject, predicate, object with labels, quote, section, evidence),
        ``measurements`` (label, entity, value text), ``table1_rows``, ``trials``,
        ``pathways``, ``pathway_steps`` (with pathway), ``entities`` (with class) and
        ``other`` (cited by nodes of any other class, e.g. from a ``--data`` file).

    Raises
    ------
    UnknownReference
        The term is not a reference number, or the graph has no reference with that number.
    """
    number = _number(kg, term)
    info = references(kg)[number]
    iri = kg.iri(info["id"])
    found: dict[str, list[dict]] = {name: [] for name in SECTIONS}
    for node in set(kg.graph.subjects(IGE.reference, iri)):
        types = set(kg.graph.objects(node, RDF.type))
        kind = next((k for cls, k in _KINDS.items() if cls in types), None)
        if kind is None:
            kind = "entities" if compact(node) in kg.projection else "other"
        found[kind].append(_cited(kg, node, kind))
    definition = kg.graph.value(iri, SKOS.definition)
    return {
        "kind": "reference",
        "id": info["id"],
        "iri": str(iri),
        "number": number,
        "label": info["label"],
        "first_author": info["first_author"],
        "definition": str(definition) if definition is not None else "",
        "notes": sorted(str(n) for n in kg.graph.objects(iri, IGE.curatorNote)),
        **{name: sorted(rows, key=lambda r: r["id"]) for name, rows in found.items()},
    }
