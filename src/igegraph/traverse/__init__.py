"""Traversals on the projection: routes, neighbourhoods, what blocks a pathway, knockout, cut sets.

One module per family: :mod:`~igegraph.traverse.routes` (counted and ranked routes),
:mod:`~igegraph.traverse.neighbourhoods`, :mod:`~igegraph.traverse.cone` (the graph algorithms
that decide cuts), :mod:`~igegraph.traverse.blocks`, :mod:`~igegraph.traverse.knockout`
(knockout and minimal cut sets), :mod:`~igegraph.traverse.named` (named pathways), with the
result dataclasses in :mod:`~igegraph.traverse.results` and the shared graph views in
:mod:`~igegraph.traverse.views`.

Examples
--------
>>> import igegraph
>>> from igegraph.traverse import blocks
>>> report = blocks(igegraph.load(), "allergen", "mast cell degranulation")
>>> report.count.text()
'3 routes'
"""

from __future__ import annotations

from .blocks import blocks, blocks_pathway
from .knockout import cutsets, knockout
from .named import pathway, pathways
from .neighbourhoods import downstream, neighbors, upstream
from .results import (
    Blocker,
    BlockReport,
    Cut,
    CutSet,
    KnockoutResult,
    PathReport,
    PathwayInfo,
    Route,
    RouteCount,
    TargetAgent,
)
from .routes import DEFAULT_MAX_LENGTH, DEFAULT_ROUTES, count_routes, path, routes

__all__ = [
    "Route", "RouteCount", "Cut", "Blocker", "TargetAgent", "BlockReport", "PathReport", "KnockoutResult", "CutSet",
    "PathwayInfo", "routes", "count_routes", "path", "neighbors", "upstream", "downstream", "blocks",
    "blocks_pathway", "knockout", "cutsets", "pathways", "pathway", "DEFAULT_MAX_LENGTH", "DEFAULT_ROUTES",
]
