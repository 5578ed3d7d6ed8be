"""The web explorer: search, entity pages, references, SPARQL editor, "what blocks", graph view.

Pages are built from escaped text only (``html.escape`` on every label, note and query; the
scripts write with ``textContent``), load nothing but this server's own ``/static`` files and
carry a Content-Security-Policy that forbids every other origin, so they work with the network
cut off and data cannot inject markup.

Examples
--------
>>> from igegraph.serve import in_process
>>> client = in_process()
>>> "Xolair" in client.get("/entity/ig:omalizumab").text
True
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from importlib import resources
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from ..errors import IgegraphError, UnknownEntity

if TYPE_CHECKING:
    from ..kg import KnowledgeGraph

__all__ = ["router", "entity_page", "layout", "entity_href", "link", "esc", "iri_safe"]

router = APIRouter(include_in_schema=False)

_IRI_SAFE = re.compile(r'[^\s<>"{}|^`\\\x00-\x1f]+')

# own scripts only; inline styles are allowed for vis-network's canvas wrappers
CSP = ("default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
       "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'")
# the exported pathway page inlines vis-network and its own script
_VIEW_CSP = CSP.replace("script-src 'self'", "script-src 'unsafe-inline'")

_STATIC = {
    "explorer.css": ("text/css", lambda: resources.files(__package__).joinpath("static/explorer.css")),
    "explorer.js": ("text/javascript", lambda: resources.files(__package__).joinpath("static/explorer.js")),
    "vis-network.min.js": ("text/javascript",
                           lambda: resources.files("pyvis").joinpath("templates/lib/vis-9.1.2/vis-network.min.js")),
}


def esc(value: Any) -> str:
    """Text as HTML, quotes included."""
    return html.escape(str(value), quote=True)


def entity_href(node: str) -> str:
    """The explorer page of a compact id.

    >>> entity_href("ig:IgE")
    '/entity/ig:IgE'
    """
    return "/entity/" + quote(node, safe=":")


def link(node: str, label: str) -> str:
    return f'<a href="{esc(entity_href(node))}">{esc(label)}</a>'


def _class_link(class_id: str | None, label: str) -> str:
    """Classes of the vocabulary link to their row of /vocab; others are plain text."""
    if class_id and class_id.startswith("ige:"):
        return f'<a href="/vocab#{esc(quote(class_id[4:]))}">{esc(label)}</a>'
    return esc(label)


def _refs(numbers: Iterable[int]) -> str:
    return ", ".join(f'<a href="/reference/{int(n)}">[{int(n)}]</a>' for n in numbers)


def layout(title: str, body: str, *, scripts: tuple[str, ...] = (), status: int = 200) -> HTMLResponse:
    """A full explorer page: header with navigation, then ``body`` (already escaped HTML)."""
    tags = "".join(f'<script src="/static/{esc(s)}"></script>' for s in scripts)
    page = (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f'<title>{esc(title)} · igegraph</title><link rel="stylesheet" href="/static/explorer.css">{tags}</head>'
        '<body><header><a class="brand" href="/">igegraph</a><nav>'
        '<a href="/">Search</a><a href="/query">SPARQL</a><a href="/blocks">What blocks</a>'
        '<a href="/graph">Graph</a><a href="/vocab">Vocabulary</a></nav>'
        '<form action="/" method="get" role="search"><input name="q" type="search" '
        'placeholder="Find an entity…" aria-label="Find an entity"></form></header>'
        f'<main>{body}</main></body></html>'
    )
    return HTMLResponse(page, status_code=status, headers={"Content-Security-Policy": CSP})


def _error_page(exc: IgegraphError, status: int) -> HTMLResponse:
    hint = ""
    if isinstance(exc, UnknownEntity) and exc.suggestions:
        hint = "<p>Did you mean: " + ", ".join(
            f'<a href="/?q={esc(quote(s))}">{esc(s)}</a>' for s in exc.suggestions) + "?</p>"
    return layout("Not found" if status == 404 else "Error",
                  f'<h1>{"Not found" if status == 404 else "Error"}</h1><p class="error">{esc(exc)}</p>{hint}',
                  status=status)


@router.get("/static/{name}")
def static(name: str) -> Response:
    if name not in _STATIC:
        return Response("no such file", status_code=404, media_type="text/plain")
    media, where = _STATIC[name]
    return Response(where().read_bytes(), media_type=media, headers={"Cache-Control": "public, max-age=3600"})


@router.get("/", name="home")
def home(request: Request, q: str = Query("", max_length=300)) -> HTMLResponse:
    from ..fulltext import search

    kg = request.app.state.kg
    body = ['<h1>IgE-mediated allergic disease and anti-IgE therapy</h1>',
            '<form action="/" method="get" class="big-search"><input id="search" name="q" type="search" '
            f'value="{esc(q)}" placeholder="omalizumab, FcεRI, mast cell…" aria-label="Search" autofocus>'
            '<button type="submit">Search</button></form>']
    if q.strip():
        hits = search(kg, q, limit=25)
        if hits:
            body.append('<table id="results"><thead><tr><th>entity</th><th>class</th><th>found in</th>'
                        '<th>matched</th><th>score</th></tr></thead><tbody>')
            body.extend(f"<tr><td>{link(h.id, h.label)}</td><td>{esc(kg.label(h.category))}</td>"
                        f"<td>{esc(h.field)}</td><td>{esc(h.matched)}</td><td>{h.score}</td></tr>" for h in hits)
            body.append("</tbody></table>")
        else:
            body.append(f'<p id="results">No entity matches “{esc(q)}”.</p>')
    else:
        body.append(f"<p>{len(kg)} triples. Search an entity, browse the <a href=\"/graph\">graph</a>, ask "
                    "<a href=\"/blocks\">what blocks a pathway</a> or write <a href=\"/query\">SPARQL</a>.</p>")
    return layout(f"Search {q}" if q else "igegraph", "".join(body))


def _relations(rows: list[dict], heading: str, kind: str) -> str:
    if not rows:
        return ""
    out = [f'<h2>{esc(heading)}</h2><table class="{kind}"><thead><tr><th>relation</th><th>entity</th>'
           '<th>evidence</th><th>references</th></tr></thead><tbody>']
    out.extend(f"<tr><td>{esc(r['predicate_label'])}</td><td>{link(r['id'], r['label'])}</td>"
               f"<td>{esc(r.get('evidence') or '')}</td><td>{_refs(r.get('references') or [])}</td></tr>"
               for r in rows)
    out.append("</tbody></table>")
    return "".join(out)


def _measurements(rows: list[dict]) -> str:
    from ..measurements import shown_unit, value_text

    if not rows:
        return ""
    out = ['<h2>Numbers</h2><table class="numbers"><thead><tr><th>quantity</th><th>value</th><th>unit</th>'
           '<th>condition</th><th>references</th></tr></thead><tbody>']
    for m in rows:
        out.append(f"<tr><td>{esc(m.get('quantity') or m['label'])}</td><td>{esc(value_text(m))}</td>"
                   f"<td>{esc(shown_unit(m))}</td><td>{esc(m.get('condition', ''))}</td>"
                   f"<td>{_refs(m.get('references') or [])}</td></tr>")
    out.append("</tbody></table>")
    return "".join(out)


def entity_page(kg: "KnowledgeGraph", term: str) -> HTMLResponse:
    """The page of one entity: everything :func:`igegraph.describe.describe` gives, linked."""
    from ..describe import describe

    try:
        d = describe(kg, term)
    except UnknownEntity as exc:
        return _resource_page(kg, term) or _error_page(exc, 404)
    facts = [f'<dt>id</dt><dd><code>{esc(d["id"])}</code> · <a href="{esc(d["iri"])}">{esc(d["iri"])}</a></dd>',
             f'<dt>class</dt><dd>{_class_link(d.get("class_id"), d["class"])}</dd>']
    for name, key in (("synonyms", "synonyms"), ("exact matches", "exact_matches"), ("close matches", "close_matches")):
        if d.get(key):
            facts.append(f"<dt>{name}</dt><dd>{esc(', '.join(d[key]))}</dd>")
    if d.get("phase"):
        facts.append(f"<dt>development phase</dt><dd>{esc(d['phase'])}</dd>")
    if d.get("references"):
        facts.append(f"<dt>references</dt><dd>{_refs(d['references'])}</dd>")
    for key, values in (d.get("attributes") or {}).items():
        facts.append(f"<dt>{esc(key)}</dt><dd>{esc('; '.join(map(str, values)))}</dd>")
    body = [f'<h1 id="entity-label">{esc(d["label"])}</h1>']
    if d.get("definition"):
        body.append(f'<p class="definition">{esc(d["definition"])}</p>')
    body.append(f'<dl class="facts">{"".join(facts)}</dl>')
    body.append(f'<p class="actions"><a href="/graph?term={esc(quote(d["id"]))}">Graph around it</a> · '
                f'<a href="/api/describe/{esc(quote(d["id"], safe=":"))}">JSON</a></p>')
    body.append(_relations(d.get("outgoing") or [], "Relations from it", "outgoing"))
    body.append(_relations(d.get("incoming") or [], "Relations to it", "incoming"))
    body.append(_measurements(d.get("measurements") or []))
    if d.get("mentions"):
        body.append("<h2>Mentioned in</h2><ul>" + "".join(
            f"<li>{link(m['id'], m['label']) if m.get('id') else esc(m['label'])}</li>" for m in d["mentions"])
            + "</ul>")
    if d.get("notes"):
        body.append("<h2>Curator notes</h2><ul class=\"notes\">"
                    + "".join(f"<li>{esc(n)}</li>" for n in d["notes"]) + "</ul>")
    return layout(d["label"], "".join(body))


def iri_safe(text: str) -> bool:
    """True when ``text`` has no character that an IRI may not contain.

    >>> iri_safe("ig:mast_cell"), iri_safe("a b"), iri_safe("<x>")
    (True, False, False)
    """
    return bool(_IRI_SAFE.fullmatch(text))


def _resource_page(kg: "KnowledgeGraph", term: str) -> HTMLResponse | None:
    """The triples of a node that is not an entity (a Table 1 row, a trial, an assertion), if any."""
    from rdflib import URIRef

    from ..vocab import compact, expand_curie

    if not iri_safe(term):
        return None
    iri = URIRef(expand_curie(term) or term)
    outgoing = sorted(kg.graph.predicate_objects(iri))
    incoming = sorted(kg.graph.subject_predicates(iri))
    if not outgoing and not incoming:
        return None

    def value(node: Any) -> str:
        return link(compact(node), kg.label(compact(node))) if isinstance(node, URIRef) else esc(node)

    rows = [f"<tr><td>{esc(kg.label(compact(p)))}</td><td>{value(o)}</td></tr>" for p, o in outgoing]
    rows += [f"<tr><td>{value(s)} {esc(kg.label(compact(p)))} it</td><td></td></tr>" for s, p in incoming]
    label = kg.label(compact(iri))
    body = (f'<h1 id="entity-label">{esc(label)}</h1><p><code>{esc(compact(iri))}</code></p>'
            '<table class="resource"><thead><tr><th>relation</th><th>value</th></tr></thead><tbody>'
            + "".join(rows) + "</tbody></table>")
    return layout(label, body)


@router.get("/entity/{term:path}", name="entity")
def entity(request: Request, term: str) -> HTMLResponse:
    return entity_page(request.app.state.kg, term)


_CITING = """SELECT ?thing ?s ?p ?o ?quote WHERE {
  ?ref ige:referenceNumber ?n . ?thing ige:reference ?ref .
  OPTIONAL { ?thing rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o }
  OPTIONAL { ?thing ige:evidenceQuote ?quote }
} ORDER BY ?s ?p ?o ?thing"""


@router.get("/reference/{number}")
async def reference(request: Request, number: int) -> HTMLResponse:
    from ..vocab import compact
    from .sparql_protocol import run_limited

    kg = request.app.state.kg
    rows = (await run_limited(request, _CITING, {"n": str(number)})).rows
    if not rows:
        return layout("Not found", f"<h1>Not found</h1><p class=\"error\">Nothing in the graph cites reference "
                      f"[{number}].</p>", status=404)
    statements, entities = [], []
    for thing, s, p, o, quote_ in rows:
        if s is not None:
            ids = [compact(x) for x in (s, p, o)]
            statements.append(f"<tr><td>{link(ids[0], kg.label(ids[0]))}</td><td>{esc(kg.label(ids[1]))}</td>"
                              f"<td>{link(ids[2], kg.label(ids[2]))}</td><td>{esc(quote_ or '')}</td></tr>")
        else:
            node = compact(thing)
            entities.append(f"<li>{link(node, kg.label(node))}</li>")
    body = [f"<h1>Reference [{number}] of the review</h1>"]
    if statements:
        body.append("<h2>Statements it supports</h2><table><thead><tr><th>subject</th><th>relation</th>"
                    "<th>object</th><th>quote</th></tr></thead><tbody>" + "".join(statements) + "</tbody></table>")
    if entities:
        body.append("<h2>Entities and numbers citing it</h2><ul>" + "".join(entities) + "</ul>")
    return layout(f"Reference {number}", "".join(body))


@router.get("/query", name="query_page")
def query_page() -> HTMLResponse:
    from ..sparql import named_queries

    options = "".join(f'<option value="{esc(q.name)}" data-query="{esc(q.text)}">{esc(q.name)} — {esc(q.title)}'
                      "</option>" for q in named_queries())
    body = ('<h1>SPARQL</h1><p>Prefixes <code>ige:</code>, <code>ig:</code>, <code>rdfs:</code>, <code>skos:</code> '
            'and the identifier prefixes are predeclared. The endpoint is <code>/sparql</code>.</p>'
            f'<label>Example <select id="examples"><option value="">choose a named query…</option>{options}</select>'
            '</label><textarea id="sparql" spellcheck="false" rows="14" aria-label="SPARQL query">'
            'SELECT ?drug ?label WHERE {\n  ?drug a ige:MonoclonalAntibody ; rdfs:label ?label .\n}\nORDER BY ?label'
            '</textarea><p><button id="run" type="button">Run</button> <span id="status" aria-live="polite"></span></p>'
            '<div id="output"></div>')
    return layout("SPARQL", body, scripts=("explorer.js",))


@router.get("/blocks", name="blocks_page")
def blocks_page(request: Request) -> HTMLResponse:
    from ..traverse import pathways

    options = "".join(f'<option value="{esc(p.name)}">{esc(p.title)}</option>'
                      for p in pathways(request.app.state.kg))
    body = ('<h1>What blocks a pathway?</h1><form id="blocks-form" action="/blocks/view" method="get">'
            f'<label>Named pathway <select name="pathway"><option value="">— or give source and target —</option>'
            f'{options}</select></label><label>Source <input name="source" placeholder="allergen"></label>'
            '<label>Target <input name="target" placeholder="mast cell degranulation"></label>'
            '<button type="submit">Show</button></form>')
    return layout("What blocks", body)


@router.get("/blocks/view")
def blocks_view(request: Request, pathway: str = Query("", max_length=300), source: str = Query("", max_length=300),
                target: str = Query("", max_length=300)) -> HTMLResponse:
    from ..viz import make_view, render_html

    if pathway and (source or target):
        return _error_page(IgegraphError("give either a named pathway or a source and a target, not both"), 400)
    if not pathway and not (source and target):
        return _error_page(IgegraphError("give a named pathway, or both a source and a target"), 400)
    try:
        view = make_view(request.app.state.kg, pathway=pathway or None, source=source or None, target=target or None)
    except UnknownEntity as exc:
        return _error_page(exc, 404)
    except IgegraphError as exc:
        return _error_page(exc, 400)
    return HTMLResponse(render_html(view), headers={"Content-Security-Policy": _VIEW_CSP})


@router.get("/graph", name="graph_page")
def graph_page(term: str = Query("IgE", max_length=300)) -> HTMLResponse:
    body = ('<h1>Graph</h1><form id="graph-form"><input id="graph-term" type="search" '
            f'value="{esc(term)}" aria-label="Entity to show"><button type="submit">Show</button>'
            '<span id="graph-status" aria-live="polite"></span></form>'
            '<p class="muted">Click a node to expand its neighbours; zoom in to read labels; '
            'double-click to open its page.</p><div id="graph"></div>')
    return layout("Graph", body, scripts=("vis-network.min.js", "explorer.js"))
