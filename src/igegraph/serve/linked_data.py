"""Linked Data: entity IRIs (``https://w3id.org/igegraph/id/…``) and the vocabulary
(``https://w3id.org/igegraph/vocab#…``) resolve on this server by their path.

``/id/NAME`` answers a browser with the entity page and RDF clients with the entity's triples
(where it is subject or object); ``/vocab`` gives every vocabulary term, as a page or as RDF.
Turtle, N-Triples, JSON-LD and RDF/XML are negotiated on ``Accept``; ``*/*`` gets Turtle.

Examples
--------
>>> from igegraph.serve import in_process
>>> client = in_process()
>>> r = client.get("/id/omalizumab", headers={"Accept": "text/turtle"})
>>> r.headers["content-type"], "ig:free_IgE" in r.text
('text/turtle; charset=utf-8', True)
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from fastapi import APIRouter, Request
from fastapi.responses import Response

from ..vocab import IG, IGE, PREFIXES
from .app import error_response
from .pages import entity_page, esc, iri_safe, layout
from .sparql_protocol import negotiate

if TYPE_CHECKING:
    import rdflib

    from ..kg import KnowledgeGraph

__all__ = ["router", "RDF_TYPES"]

router = APIRouter(include_in_schema=False)

RDF_TYPES = {"text/turtle": "turtle", "application/n-triples": "nt", "application/ld+json": "json-ld",
             "application/rdf+xml": "xml"}
_OFFERED = {**RDF_TYPES, "text/html": None}


def _graph(triples: Iterable[tuple]) -> "rdflib.Graph":
    import rdflib

    g = rdflib.Graph()
    for prefix, ns in PREFIXES.items():
        g.bind(prefix, ns, override=True)
    for triple in triples:
        g.add(triple)
    return g


def _rdf(g: "rdflib.Graph", media: str) -> Response:
    return _rdf_bytes(g.serialize(format=RDF_TYPES[media], encoding="utf-8"), media)


def _rdf_bytes(body: bytes, media: str) -> Response:
    charset = "" if media.endswith("+xml") else "; charset=utf-8"
    return Response(body, media_type=media + charset, headers={"Vary": "Accept"})


def _not_acceptable() -> Response:
    return error_response(406, "not acceptable", f"offered as {', '.join(_OFFERED)}")


@router.get("/id/{name:path}")
def entity(request: Request, name: str) -> Response:
    kg = request.app.state.kg
    if not iri_safe(name):
        return error_response(404, "unknown entity", "no IRI of this server has such characters")
    iri = IG[name]
    media = negotiate(request.headers.get("accept"), _OFFERED)
    if media is None:
        return _not_acceptable()
    if media == "text/html":
        return entity_page(kg, f"ig:{name}")
    triples = list(kg.graph.triples((iri, None, None))) + list(kg.graph.triples((None, None, iri)))
    if not triples:
        return error_response(404, "unknown entity", f"the graph says nothing about {iri}")
    return _rdf(_graph(triples), media)


@router.get("/vocab")
def vocabulary(request: Request) -> Response:
    kg = request.app.state.kg
    media = negotiate(request.headers.get("accept"), _OFFERED)
    if media is None:
        return _not_acceptable()
    # the same for every request until the graph changes (which drops derived values): kept per
    # media type, since listing the terms walks every subject of the graph
    made = kg.derived(f"serve.vocab.{media}", lambda: _vocabulary(kg, media))
    if media == "text/html":
        return layout("Vocabulary", made)
    return _rdf_bytes(made, media)


def _vocabulary(kg: "KnowledgeGraph", media: str) -> "str | bytes":
    """The vocabulary as serialized RDF of ``media``, or as the HTML body of its page."""
    from rdflib import URIRef
    from rdflib.namespace import RDFS, SKOS

    terms = sorted({s for s in kg.graph.subjects() if isinstance(s, URIRef) and str(s).startswith(str(IGE))})
    if media != "text/html":
        g = _graph(t for s in terms for t in kg.graph.triples((s, None, None)))
        return g.serialize(format=RDF_TYPES[media], encoding="utf-8")
    rows = []
    for term in terms:
        local = str(term)[len(str(IGE)):]
        comment = kg.graph.value(term, SKOS.definition) or kg.graph.value(term, RDFS.comment) or ""
        rows.append(f'<tr id="{esc(local)}"><td><code>ige:{esc(local)}</code></td>'
                    f"<td>{esc(kg.label('ige:' + local))}</td><td>{esc(comment)}</td></tr>")
    return (f"<h1>Vocabulary</h1><p>{len(terms)} classes and relations under <code>{esc(IGE)}</code>.</p>"
            "<table><thead><tr><th>term</th><th>label</th><th>definition</th></tr></thead><tbody>"
            + "".join(rows) + "</tbody></table>")
