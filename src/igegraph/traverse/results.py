"""The answers traversals return: plain dataclasses with ``to_dict`` for JSON.

Examples
--------
>>> RouteCount(12, True).text()
'12 routes'
>>> RouteCount(5000, False).text()
'at least 5,000 routes'
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, ClassVar

__all__ = [
    "Route", "RouteCount", "Cut", "Blocker", "TargetAgent", "BlockReport", "PathReport",
    "KnockoutResult", "CutSet", "PathwayInfo",
]


class _Plain:
    """Dataclasses the CLI prints as JSON: ``to_dict`` gives plain data."""

    __dataclass_fields__: ClassVar[dict[str, Any]]  # every subclass is a dataclass

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class Route(_Plain):
    """A route: its nodes in order and, per hop, the activating predicates that link them."""

    nodes: list[str]
    labels: list[str]
    hops: list[dict]

    @property
    def length(self) -> int:
        return len(self.nodes) - 1

    def text(self) -> str:
        """The route as ``a -[pred]-> b -[pred]-> c`` with labels."""
        parts = [self.labels[0]]
        for hop, label in zip(self.hops, self.labels[1:], strict=True):
            preds = "|".join(p["label"] for p in hop["predicates"])
            parts.append(f"-[{preds}]-> {label}")
        return " ".join(parts)

    def to_dict(self) -> dict:
        return {"nodes": self.nodes, "labels": self.labels, "hops": self.hops, "length": self.length}


@dataclass
class RouteCount(_Plain):
    """How many routes there are: exact, or a lower bound when they were too many to count."""

    n: int
    exact: bool

    def text(self) -> str:
        noun = "route" if self.n == 1 else "routes"
        return f"{self.n:,} {noun}" if self.exact else f"at least {self.n:,} {noun}"


@dataclass
class Cut(_Plain):
    """What one action (or knockout) does to one route: where, how, and how strongly."""

    route: int
    mode: str  # "direct": on the route itself; "upstream": on what a route node depends on
    at: str  # the route node (or "a->b" hop) where the route is hit
    at_label: str
    strength: str  # "cuts" (abolished) or "weakens" (lowered)


@dataclass
class Blocker(_Plain):
    """One action of one intervention that cuts or weakens at least one route.

    ``cuts`` has one entry per shown route it affects. ``share`` is the fraction of *all*
    routes it cuts (or weakens), exact when ``share_exact``. ``cuts_all_routes`` is decided on
    the graph, over every route within the length limit, not only the shown ones.
    """

    id: str
    label: str
    category: str
    step: str
    step_label: str
    acts_on: str
    acts_on_label: str
    mode: str
    action: str
    predicate: str
    strength: str
    context: list[str]
    mechanism: str | None
    phase: str | None
    evidence: str | None
    references: list[int]
    cuts_all_routes: bool
    routes_cut: list[int]
    surviving_routes: list[int]
    cuts: list[Cut]
    share: float
    share_exact: bool


@dataclass
class TargetAgent(_Plain):
    """An agent that acts only on the target (or a form of it): it does not block the routes."""

    id: str
    label: str
    category: str
    acts_on: str
    acts_on_label: str
    action: str
    predicate: str
    strength: str
    mode: str
    mechanism: str | None
    phase: str | None
    evidence: str | None
    references: list[int]


def _route_dicts(routes: list[Route]) -> list[dict]:
    return [dict(r.to_dict(), index=i, text=r.text()) for i, r in enumerate(routes)]


@dataclass
class PathReport:
    """Routes from a source to a target: the first ones shown and how many there are."""

    source: str
    target: str
    routes: list[Route]
    count: RouteCount
    max_length: int
    labels: dict[str, str] = field(default_factory=dict)
    no_route: str | None = None  # why there is no route, in a sentence
    shortest_only: bool = False  # only the shortest routes were asked for

    def to_dict(self) -> dict:
        return {
            "source": self.source, "source_label": self.labels.get(self.source, self.source),
            "shortest_only": self.shortest_only,
            "target": self.target, "target_label": self.labels.get(self.target, self.target),
            "max_length": self.max_length, "route_count": self.count.n, "route_count_exact": self.count.exact,
            "routes": _route_dicts(self.routes), "no_route": self.no_route,
        }


@dataclass
class BlockReport:
    """The answer to "what blocks this pathway"."""

    source: str
    target: str
    routes: list[Route]
    count: RouteCount
    blockers: list[Blocker]
    acts_on_target: list[TargetAgent]
    interventions: dict[str, dict]
    must_pass: list[str]
    name: str | None = None
    title: str | None = None
    max_length: int = 8
    labels: dict[str, str] = field(default_factory=dict)
    no_route: str | None = None

    def to_dict(self) -> dict:
        """The JSON shape of ``igegraph blocks --format json``."""
        return {
            "pathway": {
                "name": self.name,
                "title": self.title,
                "source": self.source,
                "source_label": self.labels.get(self.source, self.source),
                "target": self.target,
                "target_label": self.labels.get(self.target, self.target),
                "max_length": self.max_length,
                "route_count": self.count.n,
                "route_count_exact": self.count.exact,
                "routes_shown": len(self.routes),
                "routes": _route_dicts(self.routes),
                "must_pass": [{"id": n, "label": self.labels.get(n, n)} for n in self.must_pass],
                "no_route": self.no_route,
            },
            "blockers": [b.to_dict() for b in self.blockers],
            "acts_on_target": [a.to_dict() for a in self.acts_on_target],
            "interventions": self.interventions,
        }


@dataclass
class KnockoutResult:
    """Routes left after removing entities and applying interventions, and why the others go."""

    source: str
    target: str
    removed: list[str]
    applied: list[str]
    routes: list[Route]
    routes_before: RouteCount
    routes_after: RouteCount
    surviving: list[int]
    cut: list[dict]
    weakened: list[dict]
    notes: list[str]
    labels: dict[str, str] = field(default_factory=dict)

    @property
    def cuts_all_routes(self) -> bool:
        return self.routes_after.exact and self.routes_after.n == 0 and self.routes_before.n > 0

    def to_dict(self) -> dict:
        return {
            "source": self.source, "target": self.target,
            "removed": self.removed, "applied": self.applied,
            "routes_before": self.routes_before.n, "routes_before_exact": self.routes_before.exact,
            "routes_after": self.routes_after.n, "routes_after_exact": self.routes_after.exact,
            "routes": _route_dicts(self.routes),
            "surviving": self.surviving, "cut": self.cut, "weakened": self.weakened, "notes": self.notes,
        }


@dataclass
class CutSet(_Plain):
    """A minimal set of interventions (or entities) that together cut every route."""

    members: list[str]
    labels: list[str]


@dataclass
class PathwayInfo(_Plain):
    """A named pathway of the data: name, title, source, target and ordered steps."""

    id: str
    name: str
    title: str
    source: str
    target: str
    steps: list[dict]
