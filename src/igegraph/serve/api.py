"""The JSON API at ``/api/…``: each endpoint calls its library function and returns the JSON of
the matching ``igegraph … --format json`` (one conversion, :func:`igegraph.plain.to_plain`).

Parameters map one to one onto the library function's keyword arguments. Unknown entities
give 404, refused input 400, out-of-range parameters 422, always as ``{"error", "detail"}``.

Examples
--------
>>> from igegraph.serve import in_process
>>> client = in_process()
>>> report = client.get("/api/path", params={"source": "mast cell", "target": "histamine"}).json()
>>> [r["nodes"] for r in report["routes"]], report["route_count"]
([['ig:mast_cell', 'ig:histamine']], 2)
"""

from __future__ import annotations

from functools import partial
from typing import Any, Literal

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import JSONResponse, Response

from .. import describe as describe_module
from .. import traverse
from ..errors import QueryError
from ..fulltext import search as search_entities
from ..plain import to_plain
from .app import error_response
from .sparql_protocol import run_limited

__all__ = ["router"]

router = APIRouter(prefix="/api", tags=["knowledge graph"])

MaxLength = Query(8, ge=1, le=20, description="Longest route, in relations.")
Routes = Query(20, ge=1, le=1000, description="How many routes to show in detail; the answer covers every route.")


def _kg(request: Request):
    return request.app.state.kg


def _json(value: Any) -> JSONResponse:
    return JSONResponse(to_plain(value))


@router.get("/describe/{term}", summary="Everything known about one entity (igegraph describe)")
def describe(term: str = Path(..., min_length=1, max_length=300), kg=Depends(_kg)) -> JSONResponse:
    return _json(describe_module.describe(kg, term))


@router.get("/search", summary="Entities by label, synonym or identifier (igegraph search)")
def search(q: str = Query(..., max_length=300), limit: int = Query(10, ge=1, le=500), kg=Depends(_kg)) -> JSONResponse:
    return _json(search_entities(kg, q, limit=limit))


@router.get("/path", summary="Causal routes from source to target (igegraph path)")
def path(source: str = Query(..., max_length=300), target: str = Query(..., max_length=300),
         max_length: int = MaxLength, all: bool = False, routes: int = Routes, kg=Depends(_kg)) -> JSONResponse:
    return _json(traverse.path(kg, source, target, max_length=max_length, all=all, limit=routes))


@router.get("/neighbors", summary="Entities around a term (igegraph neighbors)")
def neighbors(term: str = Query(..., max_length=300), depth: int = Query(1, ge=1, le=10),
              direction: Literal["up", "down", "both"] = "both",
              predicate: list[str] = Query([], max_length=20), kg=Depends(_kg)) -> JSONResponse:
    return _json(traverse.neighbors(kg, term, depth=depth, direction=direction, predicates=predicate))


@router.get("/upstream", summary="Everything that acts on a term (igegraph upstream)")
def upstream(term: str = Query(..., max_length=300), max_depth: int | None = Query(None, ge=1, le=50),
             kg=Depends(_kg)) -> JSONResponse:
    return _json(traverse.upstream(kg, term, max_depth))


@router.get("/downstream", summary="Everything a term acts on (igegraph downstream)")
def downstream(term: str = Query(..., max_length=300), max_depth: int | None = Query(None, ge=1, le=50),
               kg=Depends(_kg)) -> JSONResponse:
    return _json(traverse.downstream(kg, term, max_depth))


@router.get("/pathways", summary="The named pathways and their steps (igegraph pathways)")
def pathways(kg=Depends(_kg)) -> JSONResponse:
    return _json(traverse.pathways(kg))


@router.get("/blocks", summary="What blocks a pathway (igegraph blocks)")
def blocks(source: str | None = Query(None, max_length=300), target: str | None = Query(None, max_length=300),
           pathway: str | None = Query(None, max_length=300), max_length: int = MaxLength,
           any_agent: bool = False, routes: int = Routes, kg=Depends(_kg)) -> JSONResponse:
    if pathway and (source or target):
        return _usage("give either source and target, or pathway, not both")
    if pathway:
        return _json(traverse.blocks_pathway(kg, pathway, max_length, interventions_only=not any_agent,
                                             routes=routes))
    if not (source and target):
        return _usage("give source and target, or pathway")
    return _json(traverse.blocks(kg, source, target, max_length, interventions_only=not any_agent, routes=routes))


@router.get("/knockout", summary="Routes left after removing entities and applying interventions (igegraph knockout)")
def knockout(item: list[str] = Query(..., min_length=1, max_length=20),
             source: str = Query(..., max_length=300), target: str = Query(..., max_length=300),
             max_length: int = MaxLength, routes: int = Routes, kg=Depends(_kg)) -> JSONResponse:
    return _json(traverse.knockout(kg, item, source, target, max_length, routes=routes))


@router.get("/cutsets", summary="Minimal sets of interventions (or entities) that cut every route (igegraph cutsets)")
def cutsets(source: str = Query(..., max_length=300), target: str = Query(..., max_length=300),
            max_size: int = Query(2, ge=1, le=5), max_length: int = MaxLength, entities: bool = False,
            kg=Depends(_kg)) -> JSONResponse:
    return _json(traverse.cutsets(kg, source, target, max_size=max_size, max_length=max_length, entities=entities))


@router.get("/stats", summary="Counts of entities, relations and references (igegraph stats)")
def stats(kg=Depends(_kg)) -> JSONResponse:
    return _json(describe_module.stats(kg))


@router.get("/queries", summary="The named queries with their parameters (igegraph queries)")
def queries() -> JSONResponse:
    from ..sparql import named_queries

    return _json(named_queries())


@router.get("/queries/{name}", summary="Run a named query; every other query parameter binds one of its parameters")
async def run_named(request: Request, name: str = Path(..., max_length=100), labels: bool = False,
                    kg=Depends(_kg)) -> Response:
    from ..sparql import named_query

    try:
        found = named_query(name)
    except QueryError as exc:
        return error_response(404, "unknown query", str(exc))
    # looked up by each parameter's type here, as `igegraph query --name` does; terms go to the workers
    bindings = found.bind(kg, {key: value for key, value in request.query_params.items() if key != "labels"})
    truncated, body = await run_limited(request, found.text, bindings, then=partial(_records, labels))
    headers = {"X-Result-Truncated": f"max-rows={request.app.state.config.max_rows}"} if truncated else {}
    return Response(body, media_type="application/json", headers=headers)


def _records(labels: bool, kg, result) -> tuple[bool, str]:
    """In a query worker: the JSON of ``igegraph query --format records`` and whether rows were cut."""
    from ..sparql import format_result

    return result.truncated, format_result(result, "records", kg.labels if labels else None)


@router.get("/graph", summary="Nodes and edges around a term, for the explorer's graph view")
def graph(term: str = Query(..., max_length=300), depth: int = Query(1, ge=1, le=3), kg=Depends(_kg)) -> JSONResponse:
    from ..viz import edge_style, focus_view, node_style

    view = focus_view(kg, term, depth=depth)
    parents = view.class_parents
    nodes = []
    for node, attrs in view.graph.nodes(data=True):
        color, shape, _ = node_style(attrs.get("category", "ige:Entity"), parents)
        nodes.append({"id": node, "label": str(attrs.get("label") or node), "category": attrs.get("category_label"),
                      "color": color, "shape": shape})
    edges = [{"id": f"{u}|{key}|{v}", "from": u, "to": v, "label": str(attrs.get("predicate_label") or key),
              **edge_style(attrs.get("polarity"))}
             for u, v, key, attrs in view.graph.edges(keys=True, data=True)]
    return JSONResponse({"center": view.center, "nodes": nodes, "edges": edges})


def _usage(detail: str) -> JSONResponse:
    return error_response(400, "bad request", detail)
