"""Routes: activating paths from a source to a target, counted and ranked, never required in full.

A **route** is a simple directed path along activating causal relations (``ige:polarity 1``)
of at most ``max_length`` hops. Commands show the first K routes ranked by length, then by
evidence (the weakest hop's best evidence rank, higher first), then alphabetically, and say
how many routes there are in all: exact by dynamic programming when the cone is acyclic, or by
enumeration up to a limit (a lower bound past it).

Examples
--------
>>> import igegraph
>>> kg = igegraph.load()
>>> [r.labels for r in routes(kg, "allergen", "mast cell degranulation", max_length=4)]
[['allergen', 'IgE', 'FcεRI', 'mast cell', 'mast cell degranulation']]
>>> count_routes(kg, "allergen", "histamine").text()
'9 routes'
"""

from __future__ import annotations

from itertools import pairwise
from typing import TYPE_CHECKING

from .cone import Cone
from .results import PathReport, Route, RouteCount
from .views import activating, scope

if TYPE_CHECKING:
    from ..kg import KnowledgeGraph

__all__ = ["routes", "count_routes", "path", "DEFAULT_MAX_LENGTH", "DEFAULT_ROUTES", "make_route", "ranked",
           "no_route_reason"]

DEFAULT_MAX_LENGTH = 8
#: Routes shown by default; the count always covers every route.
DEFAULT_ROUTES = 20


def make_route(kg: "KnowledgeGraph", nodes: list[str]) -> Route:
    """A :class:`Route` for a list of node ids, with each hop's activating predicates."""
    g = activating(kg)
    hops = [{"source": a, "target": b, "predicates": g[a][b]["predicates"]} for a, b in pairwise(nodes)]
    return Route(list(nodes), [kg.label(n) for n in nodes], hops)


def ranked(kg: "KnowledgeGraph", cone: Cone, limit: int | None) -> list[Route]:
    """The first ``limit`` routes of a cone (all when None), shortest first, then best evidence.
    Their order is kept with the cone (``ranked`` is asked again by each traversal of a pair)."""
    g = activating(kg)

    def order() -> list[list[str]]:
        found = cone.enumerated[0] if limit is None else cone.first_routes(limit)
        names: dict[str, str] = {}

        def key(nodes: list[str]) -> tuple:
            evidence = min((max((p.get("evidence_rank") or 0) for p in g[a][b]["predicates"])
                            for a, b in pairwise(nodes)), default=0)
            labels = [names.setdefault(n, kg.label(n).lower()) for n in nodes]
            return len(nodes), -evidence, labels

        found = sorted(found, key=key)
        return found if limit is None else found[:limit]

    return [make_route(kg, nodes) for nodes in cone.memo(("ranked", limit), order)]


def routes(
    kg: "KnowledgeGraph", source: str, target: str, max_length: int = DEFAULT_MAX_LENGTH,
    limit: int | None = DEFAULT_ROUTES,
) -> list[Route]:
    """The first activating routes from ``source`` to ``target`` of at most ``max_length`` hops.

    Parameters
    ----------
    kg : KnowledgeGraph
    source, target : str
        Entity names, synonyms or ids.
    max_length : int
        Longest route, in hops.
    limit : int or None
        How many routes to return (None: every route, up to the enumeration limit).

    Returns
    -------
    list of Route
        Shortest first, then best evidence, then alphabetical by labels.
    """
    kg, src, dst, _ = scope(kg, source, target, max_length)
    return ranked(kg, Cone.of(kg, src, dst, max_length), limit)


def count_routes(kg: "KnowledgeGraph", source: str, target: str, max_length: int = DEFAULT_MAX_LENGTH) -> RouteCount:
    """How many routes of at most ``max_length`` hops lead from ``source`` to ``target``."""
    kg, src, dst, _ = scope(kg, source, target, max_length)
    return Cone.of(kg, src, dst, max_length).count()


def no_route_reason(kg: "KnowledgeGraph", source: str, target: str, max_length: int) -> str:
    """Why there is no route: too short a limit (with the length that would do) or none at all."""
    import networkx as nx

    g = activating(kg)
    first = f"no route from {kg.label(source)} to {kg.label(target)}"
    try:
        shortest = nx.shortest_path_length(g, source, target) if source in g and target in g else None
    except nx.NetworkXNoPath:
        shortest = None
    if shortest is None:
        return f"{first} at any length: nothing causal leads from one to the other"
    return f"{first} within {max_length} steps; the shortest has {shortest} (use --max-length {shortest})"


def path(
    kg: "KnowledgeGraph", source: str, target: str, max_length: int = DEFAULT_MAX_LENGTH, all: bool = False,
    limit: int = DEFAULT_ROUTES,
) -> PathReport:
    """Causal routes from source to target: the shortest ones, or the first ``limit`` of all.

    >>> import igegraph
    >>> report = path(igegraph.load(), "IgE", "Th2 activation")
    >>> [r.length for r in report.routes], report.count.text()
    ([2], '1 route')
    """
    kg, src, dst, _ = scope(kg, source, target, max_length)
    cone = Cone.of(kg, src, dst, max_length)
    found = ranked(kg, cone, limit)
    if not all and found:
        found = [r for r in found if r.length == found[0].length]
    count = cone.count()
    labels = {src: kg.label(src), dst: kg.label(dst)}
    reason = no_route_reason(kg, src, dst, max_length) if count.n == 0 else None
    return PathReport(src, dst, found, count, max_length, labels, reason, shortest_only=not all)
