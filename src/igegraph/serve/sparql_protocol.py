"""The SPARQL 1.1 Protocol endpoint at ``/sparql``, read-only.

Queries come as GET ``?query=``, POST form or POST ``application/sparql-query``; they run
through :func:`igegraph.sparql.run_query` (the CLI's checks, timeout and bindings) in their
own process, at most ``workers`` at once (:mod:`igegraph.serve.workers`). Answers are negotiated
on ``Accept`` or chosen with ``format=``; SELECT and ASK results are written by rdflib's SPARQL JSON serializer and, for
XML, CSV and TSV, by pyoxigraph's ``QueryResults.serialize``; graphs by rdflib's serializers.

Refusals: updates 403; SERVICE, FROM and dataset parameters 400 (nothing is fetched);
malformed queries 400 with line and column; timeouts 503; oversized bodies or queries 413.
Results past ``max_rows`` are cut and the response carries ``X-Result-Truncated``.

Examples
--------
>>> negotiate("text/csv;q=0.5, application/sparql-results+json", SELECT_TYPES)
'application/sparql-results+json'
>>> negotiate("text/*", GRAPH_TYPES)
'text/turtle'
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import partial
from typing import TYPE_CHECKING, Any, cast
from urllib.parse import parse_qs

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from ..errors import QueryError
from ..recent import Recent
from .app import BodyTooLarge, error_response, triple_count

if TYPE_CHECKING:
    from ..kg import KnowledgeGraph
    from ..sparql import QueryResult

__all__ = ["router", "negotiate", "serialize", "run_limited", "SELECT_TYPES", "GRAPH_TYPES"]

router = APIRouter(include_in_schema=False)

# media type -> pyoxigraph QueryResultsFormat name (None: rdflib's JSON is sent as it is)
SELECT_TYPES = {
    "application/sparql-results+json": None,
    "application/sparql-results+xml": "XML",
    "text/csv": "CSV",
    "text/tab-separated-values": "TSV",
    "application/json": None,
    "application/xml": "XML",
}
# media type -> rdflib serializer
GRAPH_TYPES = {
    "text/turtle": "turtle",
    "application/n-triples": "nt",
    "application/ld+json": "json-ld",
    "application/rdf+xml": "xml",
    "application/json": "json-ld",
}
# format= values -> media type, per result kind
_FORMAT_NAMES = {
    "json": ("application/sparql-results+json", "application/ld+json"),
    "xml": ("application/sparql-results+xml", "application/rdf+xml"),
    "csv": ("text/csv", None),
    "tsv": ("text/tab-separated-values", None),
    "turtle": (None, "text/turtle"),
    "ttl": (None, "text/turtle"),
    "nt": (None, "application/n-triples"),
    "ntriples": (None, "application/n-triples"),
    "json-ld": (None, "application/ld+json"),
    "jsonld": (None, "application/ld+json"),
}
_SD_TYPES = {"text/turtle": "turtle", "application/ld+json": "json-ld", "application/rdf+xml": "xml",
             "application/n-triples": "nt"}


def negotiate(accept: str | None, offered: Mapping[str, object]) -> str | None:
    """The offered media type the Accept header prefers (q-values, ``type/*``, ``*/*``).

    No header means the first offered type; None means nothing acceptable is offered.
    """
    types = list(offered)
    if not accept or not accept.strip():
        return types[0]
    ranked = []
    for position, item in enumerate(accept.split(",")):
        media, *params = [part.strip() for part in item.split(";")]
        q = 1.0
        for param in params:
            key, _, value = param.partition("=")
            if key.strip() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        if q > 0 and media:
            specificity = 0 if media == "*/*" else 1 if media.endswith("/*") else 2
            ranked.append((-q, -specificity, position, media.lower()))
    for *_, media in sorted(ranked):
        if media == "*/*":
            return types[0]
        if media.endswith("/*"):
            match = next((t for t in types if t.startswith(media[:-1])), None)
            if match:
                return match
        elif media in offered:
            return media
    return None


def serialize(result: "QueryResult", media: str) -> bytes:
    """A query result as bytes of ``media`` (a key of SELECT_TYPES or GRAPH_TYPES)."""
    from rdflib import Variable
    from rdflib.query import Result

    if result.kind in ("CONSTRUCT", "DESCRIBE"):
        return result.graph.serialize(format=GRAPH_TYPES[media], encoding="utf-8")
    out = Result(result.kind)
    if result.kind == "ASK":
        out.askAnswer = result.boolean
    else:
        out.vars = [Variable(v) for v in result.vars]
        out.bindings = [{Variable(v): value for v, value in zip(result.vars, row, strict=True) if value is not None}
                        for row in result.rows]
    data = cast(bytes, out.serialize(format="json", encoding="utf-8"))  # bytes when there is no destination
    target = SELECT_TYPES[media]
    if target is None:
        return data
    import pyoxigraph as ox

    parsed = ox.parse_query_results(data, format=ox.QueryResultsFormat.JSON)
    return cast(bytes, parsed.serialize(format=getattr(ox.QueryResultsFormat, target)))  # bytes without an output


async def run_limited(request: Request, text: str, bindings: Mapping[str, str] | None = None,
                      then: Callable[["KnowledgeGraph", "QueryResult"], Any] | None = None) -> Any:
    """Run a query on the server's query workers (timeout and row cap included); see
    :meth:`igegraph.serve.workers.QueryWorkers.run` for ``then``.

    At most ``workers`` threads wait for a worker, so queued queries never take the threads
    that the JSON API and the pages run on.
    """
    from anyio import CapacityLimiter, to_thread

    state = request.app.state
    if len(text) > state.config.max_query:
        raise BodyTooLarge(f"the query has {len(text)} characters; "
                           f"this server accepts at most {state.config.max_query}")
    if not hasattr(state, "query_slots"):  # made on first use: it belongs to the running event loop
        state.query_slots = CapacityLimiter(state.config.workers)
    return await to_thread.run_sync(partial(state.queries.run, text, bindings, then), limiter=state.query_slots)


def _refused_update() -> Response:
    return error_response(403, "updates are forbidden",
                          "this endpoint is read-only: SPARQL updates (INSERT, DELETE, LOAD, CLEAR …) are refused")


async def _answer(request: Request, params: Mapping[str, list[str]]) -> Response:
    if "update" in params:
        return _refused_update()
    queries = params.get("query", [])
    if len(queries) != 1:
        return error_response(400, "query refused", "give exactly one 'query' parameter")
    for name in ("default-graph-uri", "named-graph-uri"):
        if name in params:
            return error_response(400, "query refused",
                                  f"'{name}' is not supported: this endpoint serves one default graph and "
                                  "fetches nothing from the network")
    fmt = (params.get("format") or [""])[0].lower()
    if fmt and fmt not in _FORMAT_NAMES and fmt not in SELECT_TYPES and fmt not in GRAPH_TYPES:
        return error_response(400, "unknown format",
                              f"format '{fmt}' is not offered; use one of {', '.join(_FORMAT_NAMES)}")
    # the result's kind is known only once it ran: choose for both kinds now, serialize in the worker
    if fmt:
        choices = _FORMAT_NAMES.get(fmt) or (fmt if fmt in SELECT_TYPES else None, fmt if fmt in GRAPH_TYPES else None)
    else:
        accept = request.headers.get("accept")
        choices = (negotiate(accept, SELECT_TYPES), negotiate(accept, GRAPH_TYPES))
    answers = _answers(request)
    key = (queries[0], choices)
    kept = answers.get(key)
    if kept is not None:
        kind, truncated, media, body = kept
    else:
        kind, truncated, media, body = await run_limited(request, queries[0], then=partial(_render, *choices))
        if len(body) <= _CACHED_BYTES:
            answers.put(key, (kind, truncated, media, body))
    if media is None:
        offered = ", ".join(GRAPH_TYPES if kind in ("CONSTRUCT", "DESCRIBE") else SELECT_TYPES)
        if fmt:
            return error_response(400, "unknown format",
                                  f"format '{fmt}' does not fit a {kind} result; use one of {offered}")
        return error_response(406, "not acceptable", f"a {kind} result is offered as {offered}")
    headers = {"Vary": "Accept"}
    if truncated:
        headers["X-Result-Truncated"] = f"max-rows={request.app.state.config.max_rows}"
    charset = "" if media.endswith("+xml") else "; charset=utf-8"
    return Response(body, media_type=media + charset, headers=headers)


# The graph cannot change while it is served, so an answer to the same query in the same format
# is the same: the most recent ones are kept (small ones only), as the JSON API keeps its own.
_CACHED_ANSWERS = 512
_CACHED_BYTES = 1 << 20


def _answers(request: Request) -> "Recent[tuple, tuple]":
    state = request.app.state
    if not hasattr(state, "sparql_answers"):  # made from the event loop only: no race
        state.sparql_answers = Recent(_CACHED_ANSWERS)
    return state.sparql_answers


def _render(select_media: str | None, graph_media: str | None, _kg: "KnowledgeGraph",
            result: "QueryResult") -> tuple[str, bool, str | None, bytes]:
    """In a query worker: the result's kind, whether it was cut, its media type and its bytes."""
    media = graph_media if result.kind in ("CONSTRUCT", "DESCRIBE") else select_media
    return result.kind, result.truncated, media, serialize(result, media) if media else b""


def _service_description(request: Request) -> Response:
    accept = request.headers.get("accept", "")
    html = negotiate(accept, {"text/html": 0, **_SD_TYPES})
    if html == "text/html" and "text/html" in accept:
        return RedirectResponse(request.url_for("query_page"), status_code=303)
    media = negotiate(accept, _SD_TYPES)
    if media is None:
        return error_response(406, "not acceptable", f"the service description is offered as {', '.join(_SD_TYPES)}")
    return Response(_description_graph(request).serialize(format=_SD_TYPES[media], encoding="utf-8"),
                    media_type=media, headers={"Vary": "Accept"})


def _description_graph(request: Request):
    from rdflib import BNode, Graph, Literal, Namespace, URIRef
    from rdflib.namespace import DCTERMS, RDF, VOID, XSD

    sd = Namespace("http://www.w3.org/ns/sparql-service-description#")
    formats = Namespace("http://www.w3.org/ns/formats/")
    g = Graph()
    g.bind("sd", sd)
    g.bind("formats", formats)
    g.bind("void", VOID)
    service = URIRef(str(request.url_for("sparql_get")))
    g.add((service, RDF.type, sd.Service))
    g.add((service, sd.endpoint, service))
    g.add((service, sd.supportedLanguage, sd.SPARQL11Query))
    g.add((service, DCTERMS.title, Literal("igegraph: IgE-mediated allergic disease and anti-IgE therapy")))
    for name in ("SPARQL_Results_JSON", "SPARQL_Results_XML", "SPARQL_Results_CSV", "SPARQL_Results_TSV",
                 "Turtle", "N-Triples", "JSON-LD", "RDF_XML"):
        g.add((service, sd.resultFormat, formats[name]))
    dataset, default = BNode(), BNode()
    g.add((service, sd.defaultDataset, dataset))
    g.add((dataset, RDF.type, sd.Dataset))
    g.add((dataset, sd.defaultGraph, default))
    g.add((default, RDF.type, sd.Graph))
    g.add((default, VOID.triples, Literal(triple_count(request.app.state.kg), datatype=XSD.integer)))
    return g


@router.get("/sparql", name="sparql_get")
async def sparql_get(request: Request) -> Response:
    params: dict[str, list[str]] = {}
    for key, value in request.query_params.multi_items():
        params.setdefault(key, []).append(value)
    if "update" in params:
        return _refused_update()
    if "query" not in params:
        return _service_description(request)
    return await _answer(request, params)


@router.post("/sparql")
async def sparql_post(request: Request) -> Response:
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if ctype == "application/sparql-update":
        return _refused_update()
    if ctype not in ("application/sparql-query", "application/x-www-form-urlencoded"):
        return error_response(415, "unsupported media type",
                              "POST a query as application/sparql-query or application/x-www-form-urlencoded")
    try:
        body = (await request.body()).decode("utf-8")
    except UnicodeDecodeError:
        raise QueryError("the request body is not UTF-8 text") from None
    params: dict[str, list[str]] = {}
    for key, value in request.query_params.multi_items():
        params.setdefault(key, []).append(value)
    if ctype == "application/sparql-query":
        params["query"] = [body]
    else:
        for key, values in parse_qs(body, keep_blank_values=True).items():
            params.setdefault(key, []).extend(values)
    return await _answer(request, params)
